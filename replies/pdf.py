"""The reply letter as a PDF in the letter format of GB/T 9704-2012.

``reply_context`` builds a flat dict of plain, already formatted values; the template
``documents/reply_letter.html`` only prints them (auto-escaped). A public, redacted copy is made
by calling ``reply_context``, blanking what must not be shown (``phone``; a body that quotes a
phone number has to be redacted in ``paragraphs`` by the caller) and calling
``render_reply_context(ctx)`` (``documents.render.render_pdf(REPLY_TEMPLATE, ctx)`` sets the
same letter without the justified lines and the tighter spacing).

Context keys:

==================  ==========================================================================
agency_name         the issuing agency (letterhead, in red)
signature_name      the agency as it signs above the date (same as agency_name)
doc_number          发文字号, "" when not given (printed flush right under the red rule)
signer_line         "签发人：王某" on the 发文字号's line, or "" (the profile's ``signer_line``)
class_code          the class's code ("A", "B1") or ""
class_place         where the class is printed: "top_right", "line", "with_doc_number" or ""
class_mark          "A 类" (top right), "类别：B" (a line) or "B" (after the 发文字号), or ""
title               the title as one string
title_lines         the title split into balanced lines (list of str)
addressee           "朱国胜委员："
paragraphs          list of {"kind": "p"|"h1"|"h2"|"h3"|"h4", "lead": str, "text": str}: one a
                    line of the body; ``lead`` is a heading sentence set in the heading's font
closing_lines       the closing, one str a line
contact_rows        the contact block's lines: {"label": "负责人：", "leader"/"handler"/"phone":
                    bool} — the label, then the values named (``leader_name``…, from this
                    context). By default 负责人, 承办人, 联系电话; an empty 负责人 prints "负责人：",
                    as the seed letter has it
contact_after_date  True: the block follows the date as a note (附注), else it precedes the signature
leader_name         负责人
handler_name        承办人
phone               联系电话 of the handler (blanked in the public copy)
date_text           "2024年7月9日", or "" when no date is set yet
publication_text    "（此件主动公开）" … under the date, or ""
seal_data_uri       the agency's seal as a data: URI, or "" (placed over the signature and date)
report_to           报, ending with "。", or ""
copy_to             抄送, ending with "。", or ""
printed_by          印发机关 of the end block's last line, or ""
printed_on_text     "2024年7月9日印发", or "" (printed only with ``printed_by``)
draft_mark          "" for an issued letter; on drafts and previews "草稿", the diagonal
                    watermark of every page
==================  ==========================================================================

``reply_document`` lays a context out: it adds the layout keys (``blocks``, ``body_style``,
``free_ending``; see the template) after measuring the letter as the renderer sets it, so the
lines are justified and the signature never stands alone on a page whatever the fonts.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from documents.formats import balanced_lines, body_paragraphs, document_date, filling_spacing, keep_together
from documents.render import font_css, html_document
from proposals.uploads import sniff

from . import profiles
from .models import LetterProfile, Reply, ReplyStatus

logger = logging.getLogger(__name__)

REPLY_TEMPLATE = "documents/reply_letter.html"

# 二号 (22 pt) characters on a 156 mm line: 442 pt / 22 pt ≈ 20; one short for the bold face
# and the estimate of Latin widths.
TITLE_MAX_EMS = 19.0


def seal_data_uri(agency) -> str:
    """The seal image through the storage API (it may live in an object store) as a data: URI."""
    name = getattr(agency.seal, "name", "") if agency is not None else ""
    if not name:
        return ""
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
    except OSError:
        return ""
    kind = sniff(data[:8])
    if kind not in ("png", "jpeg"):
        return ""
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text + "。" if text and not text.endswith("。") else text


def reply_context(
    reply: Reply, *, draft: bool | None = None, seal: bool = True, profile: LetterProfile | None = None
) -> dict:
    """Everything the letter template needs, as plain values (see the module docstring); without
    the seal's image (not even read from storage) when not ``seal``. ``profile``: the letter
    profile to lay it out by (the reply's own, ``profiles.profile_for``, when not given)."""
    if draft is None:
        draft = reply.status != ReplyStatus.ISSUED
    if profile is None:
        profile = profiles.profile_for(reply.assignment)
    agency = reply.assignment.agency
    printed = profiles.printed_fields(profile)
    class_code = reply.reply_class or ""
    mark = profiles.class_mark(profile, class_code)
    with translation.override("zh-hans"):
        draft_mark = _("草稿") if draft else ""
        publication_text = profiles.publication_text(profile, reply)
    signer = reply.signer_name.strip() if "signer_name" in printed else ""
    printed_by = reply.printed_by.strip() if "printed_by" in printed else ""
    return {
        "agency_name": agency.name,
        "signature_name": agency.name,
        "doc_number": reply.doc_number.strip(),
        "signer_line": f"签发人：{signer}" if signer else "",
        "class_code": class_code,
        "class_place": mark.place,
        "class_mark": mark.text,
        "title": reply.title,
        "title_lines": balanced_lines(reply.title, TITLE_MAX_EMS),
        "addressee": reply.addressee,
        "paragraphs": body_paragraphs(reply.body),
        "closing_lines": [line.strip() for line in reply.closing.splitlines() if line.strip()],
        "contact_rows": profiles.contact_rows(profile),
        "contact_after_date": profiles.contact_after_date(profile),
        "leader_name": reply.leader_name,
        "handler_name": reply.handler_name,
        "phone": reply.phone,
        "date_text": document_date(reply.reply_date),
        "publication_text": publication_text,
        "seal_data_uri": seal_data_uri(agency) if seal else "",
        "report_to": _sentence(reply.report_to) if "report_to" in printed else "",
        "copy_to": _sentence(reply.copy_to) if "copy_to" in printed else "",
        "printed_by": printed_by,
        "printed_on_text": f"{document_date(reply.printed_on or reply.reply_date)}印发" if printed_by else "",
        "draft_mark": draft_mark,
    }


def render_reply_pdf(reply: Reply, *, draft: bool | None = None) -> bytes:
    return render_reply_context(reply_context(reply, draft=draft))


def render_reply_context(context: dict) -> bytes:
    """The letter for a context made by ``reply_context``: the same context gives the same letter."""
    return render_pdf(REPLY_TEMPLATE, context)


def render_pdf(template_name: str, context: dict) -> bytes:
    """``documents.render.render_pdf`` for the letter: laid out by ``reply_document`` (justified,
    the signature kept with the body). Every rendering of a letter to a file goes through here."""
    return reply_document(context, template_name=template_name).write_pdf()


# --- Layout ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spacing:
    """The line pitch and letter spacing of the letter's text (addressee to end block), in points."""

    pitch: float
    tracking: float

    @property
    def style(self) -> str:
        return "" if self == NORMAL else f"--pitch: {self.pitch}pt; --tracking: {self.tracking}pt"


# GB/T 9704: 22 lines of 28 characters of 16 pt on the 156 × 225 mm type area.
NORMAL = Spacing(28.9, -0.25)
# When the signature and date would stand alone on the last page the standard tightens the line
# and character spacing instead ("可以采取调整行距、字距的措施解决"), within reason: down to 27 pt
# (about 23.5 lines a page), then 29 characters a line (156 mm / 29 ≈ 15.25 pt a character).
TIGHTER = (Spacing(28.0, -0.25), Spacing(27.0, -0.25), Spacing(27.0, -0.75))
# A line is opened up to fill the measure by at most this much letter spacing (points; about two
# characters' room on a line of 28): a line before a long unbreakable run (a phone number) keeps a
# short end rather than gaps a reader, or pdftotext (from 0.1 em = 1.6 pt), takes for spaces.
MOST_OPENING = 1.5
PX = 0.75  # points in a CSS pixel, WeasyPrint's unit


@dataclass
class _Line:
    page: int
    parts: list[tuple[str, str]]  # (heading kind or "", text), in order
    natural: float  # where the text ends, from the paragraph's left edge (px)
    available: float  # the paragraph's width (px)

    @property
    def chars(self) -> int:
        return sum(len(text) for _, text in self.parts)


@dataclass
class _Layout:
    lines: dict[str, list[_Line]] = field(default_factory=dict)
    ending_page: int | None = None

    def ending_with_body(self, keys: list[str]) -> bool:
        """Whether the ending starts on the page of the last body line (the letter has one)."""
        if not keys:
            return self.ending_page is not None
        last = self.lines.get(keys[-1], [])
        return bool(last) and last[-1].page == self.ending_page


_HEADING_KINDS = {"h1", "h2", "h3", "h4"}


def _read_layout(document: Any) -> _Layout:
    """Where the body's lines and the ending fell in a laid-out letter: WeasyPrint's box tree
    (``Page._page_box``, stable since its first releases, though not public) read once."""
    from weasyprint.formatting_structure import boxes

    layout = _Layout()

    def line_parts(box: Any, kind: str, out: list[tuple[str, str]], right: list[float]) -> None:
        if isinstance(box, boxes.TextBox):
            if box.text:
                out.append((kind, box.text))
                right.append(box.position_x + box.width)
            return
        if isinstance(box, boxes.InlineBox) and box.element is not None:
            classes = set((box.element.get("class") or "").split())
            kind = next(iter(classes & _HEADING_KINDS), kind)
        for child in getattr(box, "children", ()):
            line_parts(child, kind, out, right)

    def visit(box: Any, page: int) -> None:
        element = getattr(box, "element", None)
        if type(box) is boxes.BlockBox and element is not None:
            key = element.get("data-block")
            if key is not None and box.element_tag == "p":
                lines = layout.lines.setdefault(key, [])
                left = box.content_box_x()
                for line in box.children:
                    parts: list[tuple[str, str]] = []
                    right: list[float] = []
                    line_parts(line, "", parts, right)
                    if parts:
                        lines.append(_Line(page, parts, max(right) - left, box.width))
                return
            if layout.ending_page is None and "ending" in (element.get("class") or "").split():
                layout.ending_page = page
        for child in getattr(box, "children", ()):
            visit(child, page)

    for number, page in enumerate(document.pages, start=1):
        visit(page._page_box, number)
    return layout


def _blocks(context: dict) -> list[dict]:
    """The body paragraphs and the closing lines as the template's ``blocks``, to be measured."""

    def segments(kind: str, text: str) -> list[dict]:
        return [{"kind": kind, "text": piece, "nobr": nobr} for piece, nobr in keep_together(text)]

    blocks = []
    for i, p in enumerate(context["paragraphs"]):
        parts = segments(p["kind"], p["lead"]) if p.get("lead") else []
        parts += segments("", p.get("text", ""))
        blocks.append({"key": f"p{i}", "segments": parts, "lines": None})
    for i, line in enumerate(context["closing_lines"]):
        blocks.append({"key": f"c{i}", "segments": segments("", line), "lines": None})
    return blocks


def _squeezed(texts: Any) -> str:
    return "".join("".join(t.split()) for t in texts)


def _justify(blocks: list[dict], layout: _Layout, spacing: Spacing) -> list[dict]:
    """``blocks`` set line by line as ``layout`` broke them, each line but a paragraph's last spaced
    to end flush with the type area (WeasyPrint justifies by widening spaces only, and Chinese has
    none). A block whose measured text is not its own text is left as it was."""
    result = []
    for block in blocks:
        lines = layout.lines.get(block["key"], [])
        same = _squeezed(t for line in lines for _, t in line.parts) == _squeezed(s["text"] for s in block["segments"])
        if len(lines) < 2 or not same:
            result.append(block)
            continue
        set_lines = []
        for n, line in enumerate(lines):
            letter_spacing = None
            if n < len(lines) - 1:
                letter_spacing = filling_spacing(
                    natural=line.natural * PX,
                    available=line.available * PX,
                    chars=line.chars,
                    spacing=spacing.tracking,
                    most=MOST_OPENING,
                )
            set_lines.append(
                {
                    "spacing": "" if letter_spacing is None else f"{letter_spacing:.3f}pt",
                    "parts": [{"kind": kind, "text": text} for kind, text in line.parts],
                }
            )
        result.append({**block, "lines": set_lines})
    return result


def reply_document(context: dict, *, template_name: str = REPLY_TEMPLATE) -> Any:
    """The letter of ``context`` laid out (a WeasyPrint ``Document``, ``.write_pdf()`` gives the file).

    It is laid out once as the renderer breaks the lines, which also tells where they end and where
    the ending (signature, date, note) falls; then once more with each line set on its own and
    justified. When the ending would start a page, tighter spacings (``TIGHTER``) are tried until
    the last body line shares its page; failing all, the last body lines go over with it.
    """
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("zh-hans"):  # an official Chinese document, whatever the user's language
        css = mark_safe(font_css())  # noqa: S308 - built from settings only
        # One font configuration for every pass: loading the @font-face files is most of a pass's time.
        fonts = FontConfiguration()
        blocks = _blocks(context)
        keys = [b["key"] for b in blocks]

        def lay(spacing: Spacing, blocks: list[dict], *, free: bool = True) -> Any:
            html = render_to_string(
                template_name,
                {**context, "font_css": css, "blocks": blocks, "body_style": spacing.style, "free_ending": free},
            )
            return html_document(html).render(font_config=fonts)

        # Line breaks depend on the letter spacing only: one measurement for each tracking.
        measured: dict[float, tuple[Spacing, Any, _Layout, list[dict]]] = {}
        for spacing in (NORMAL, *TIGHTER):
            if spacing.tracking not in measured:
                document = lay(spacing, blocks)
                try:
                    layout = _read_layout(document)
                except Exception:  # a WeasyPrint whose boxes read otherwise: the browser's own lines
                    logger.exception("reply letter: the layout could not be read; lines left unjustified")
                    return lay(NORMAL, blocks, free=False)
                measured[spacing.tracking] = (spacing, document, layout, _justify(blocks, layout, spacing))
            at, document, layout, lines = measured[spacing.tracking]
            if at == spacing and not layout.ending_with_body(keys):
                continue
            candidate = lay(spacing, lines)
            if _read_layout(candidate).ending_with_body(keys):
                return candidate
            if at == spacing:  # justified lines moved the ending (they should not): the measured letter
                return document
        return lay(NORMAL, measured[NORMAL.tracking][3], free=False)


def reply_pdf_bytes(reply: Reply) -> bytes:
    """The stored, issued file when there is one (byte for byte what was issued), else a fresh render."""
    if reply.status == ReplyStatus.ISSUED and reply.pdf.name:
        with default_storage.open(reply.pdf.name, "rb") as fh:
            return fh.read()
    return render_reply_pdf(reply)
