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
class_code          "A" / "B" / "C" / "D" or ""
class_mark          "A 类" … or "" (top right of the first page)
title               the title as one string
title_lines         the title split into balanced lines (list of str)
addressee           "朱国胜委员："
paragraphs          list of {"kind": "p"|"h1"|"h2"|"h3"|"h4", "lead": str, "text": str}: one a
                    line of the body; ``lead`` is a heading sentence set in the heading's font
closing_lines       the closing, one str a line
leader_name         负责人 ("" prints an empty 负责人： line, as the seed letter has it)
handler_name        承办人
phone               联系电话 of the handler
date_text           "2024年7月9日", or "" when no date is set yet
seal_data_uri       the agency's seal as a data: URI, or ""
copy_to             抄送, ending with "。", or ""
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

from .models import Reply, ReplyStatus

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


def reply_context(reply: Reply, *, draft: bool | None = None, seal: bool = True) -> dict:
    """Everything the letter template needs, as plain values (see the module docstring); without
    the seal's image (not even read from storage) when not ``seal``."""
    if draft is None:
        draft = reply.status != ReplyStatus.ISSUED
    agency = reply.assignment.agency
    copy_to = reply.copy_to.strip()
    if copy_to and not copy_to.endswith("。"):
        copy_to += "。"
    class_code = reply.reply_class or ""
    with translation.override("zh-hans"):
        class_mark = f"{class_code} 类" if class_code else ""
        draft_mark = _("草稿，未签发") if draft else ""
    return {
        "agency_name": agency.name,
        "signature_name": agency.name,
        "doc_number": reply.doc_number.strip(),
        "class_code": class_code,
        "class_mark": class_mark,
        "title": reply.title,
        "title_lines": balanced_lines(reply.title, TITLE_MAX_EMS),
        "addressee": reply.addressee,
        "paragraphs": body_paragraphs(reply.body),
        "closing_lines": [line.strip() for line in reply.closing.splitlines() if line.strip()],
        "leader_name": reply.leader_name,
        "handler_name": reply.handler_name,
        "phone": reply.phone,
        "date_text": document_date(reply.reply_date),
        "seal_data_uri": seal_data_uri(agency) if seal else "",
        "copy_to": copy_to,
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
