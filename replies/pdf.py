"""The reply letter as a PDF in the letter format of GB/T 9704-2012.

``reply_context`` builds a flat dict of plain, already formatted values; the template
``documents/reply_letter.html`` only prints them (auto-escaped). A public, redacted copy is made
by calling ``reply_context``, blanking what must not be shown (``phone``; a body that quotes a
phone number has to be redacted in ``paragraphs`` by the caller) and calling
``documents.render.render_pdf(REPLY_TEMPLATE, ctx)``.

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
seal_data_uri       the agency's seal as a data: URI, or ""
report_to           报, ending with "。", or ""
copy_to             抄送, ending with "。", or ""
printed_by          印发机关 of the end block's last line, or ""
printed_on_text     "2024年7月9日印发", or "" (printed only with ``printed_by``)
draft_mark          "" for an issued letter; a notice on drafts and previews
==================  ==========================================================================
"""

from __future__ import annotations

import base64

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _

from documents.formats import balanced_lines, body_paragraphs, document_date
from documents.render import render_pdf
from proposals.uploads import sniff

from . import profiles
from .models import LetterProfile, Reply, ReplyStatus

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
        draft_mark = _("草稿，未签发") if draft else ""
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
    # The letter is an official Chinese document whatever language the user's screens are in.
    with translation.override("zh-hans"):
        return render_pdf(REPLY_TEMPLATE, context)


def reply_pdf_bytes(reply: Reply) -> bytes:
    """The stored, issued file when there is one (byte for byte what was issued), else a fresh render."""
    if reply.status == ReplyStatus.ISSUED and reply.pdf.name:
        with default_storage.open(reply.pdf.name, "rb") as fh:
            return fh.read()
    return render_reply_pdf(reply)
