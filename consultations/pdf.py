"""The consultation record form (面商记录表) as a PDF, laid out like the seed's paper form."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from documents.formats import document_date
from documents.render import font_css, html_document, sha256_hex
from replies import rules as reply_rules

from .models import Consultation, Opinion, SignMethod
from .services.hashing import verification_code
from .services.signers import SignerLine, signer_lines

TEMPLATE = "documents/consultation_record.html"


@dataclass(frozen=True)
class TextStep:
    """How the long texts (主要内容, 答复要点, 委员意见) are set, and the room the form leaves them."""

    size_pt: float
    line_height: float
    block_mm: float  # the least height of 主要内容 and of 答复要点, as on the paper form
    opinion_mm: float


# Largest first: 小四 with the paper form's spacing, down to 五号, below which a printed form is
# hard to read. The record takes the first step at which it fits one A4 page; past the last it
# keeps that one and runs on to a second page (``record_layout``).
TEXT_STEPS = (
    TextStep(12, 1.5, 60, 32),
    TextStep(11.25, 1.45, 50, 28),
    TextStep(10.5, 1.4, 40, 24),
)

# How the signature is shown beside 签字：. The PDF is an official document, Chinese whatever
# language the signer uses on screen (consultation_pdf_bytes renders it under zh-hans), like the
# form's labels in the template.
ONLINE_MARK = "网上签字　{when}"
PAPER_MARK = "纸质签字（扫描件）"
# Each proposer's state on a joint record (one with other proposers): their signature (image or
# online mark), the paper form's, or none yet. A one-member record keeps the marks above.
SIGNER_PAPER_MARK = "纸质签字（已上传扫描件）"
SIGNER_UNSIGNED_MARK = "未签字"


def record_title(consultation: Consultation) -> str:
    """The form's heading names the proposal's committee: 晋城市政协提案面商记录表."""
    return f"{consultation.assignment.proposal.committee.display_name}提案面商记录表"


def _classes(consultation: Consultation) -> list[dict]:
    codes = [c.value for c in reply_rules.enabled_reply_classes(consultation.assignment.proposal)]
    # A record keeps the class it was signed with, even one switched off since.
    if consultation.handling_class and consultation.handling_class not in codes:
        codes.append(consultation.handling_class)
    return [{"label": f"{code}类", "ticked": consultation.handling_class == code} for code in codes]


def _signature_uri(consultation: Consultation | SignerLine) -> str:
    if not consultation.signature:
        return ""
    with consultation.signature.open("rb") as handle:
        data = handle.read()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a typed text, one per line, blank lines dropped.

    Each is set as its own paragraph with the two-character first-line indent; indents typed by
    hand (spaces, full-width spaces) are removed so that they are not added to it.
    """
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def sign_mark(consultation: Consultation | SignerLine) -> str:
    """How the record was signed, printed under 签字：.

    Online, with the time of signing, whether or not a signature was drawn. On paper, no time: the
    member signed the paper form, and ``signed_at`` is when the scan was entered, not when they signed.
    """
    if consultation.sign_method == SignMethod.ONLINE and consultation.signed_at:
        at = timezone.localtime(consultation.signed_at)
        return ONLINE_MARK.format(when=f"{document_date(at)} {at:%H:%M}")
    if consultation.sign_method == SignMethod.PAPER:
        return PAPER_MARK
    return ""


def _opinion_paragraphs(source: Consultation | SignerLine) -> list[str]:
    label = str(Opinion(source.opinion).label) if source.opinion else ""
    extra = source.opinion_text if source.opinion_text != label else ""
    return paragraphs(label) + paragraphs(extra)


def signer_entries(consultation: Consultation) -> list[dict]:
    """Every proposer of a joint record with their state, the record's member first; empty for a
    one-member record (its form is laid out as it always was)."""
    lines = signer_lines(consultation)
    if len(lines) < 2:
        return []
    entries = []
    for line in lines:
        if line.sign_method == SignMethod.PAPER:
            mark = SIGNER_PAPER_MARK
        elif line.sign_method == SignMethod.ONLINE:
            mark = sign_mark(line)
        else:
            mark = SIGNER_UNSIGNED_MARK
        entries.append(
            {
                "name": line.name,
                "signed": line.is_signed,
                "opinion": _opinion_paragraphs(line) if line.is_signed else [],
                "signature_uri": _signature_uri(line) if line.sign_method == SignMethod.ONLINE else "",
                "mark": mark,
            }
        )
    return entries


def record_context(consultation: Consultation, *, text: TextStep = TEXT_STEPS[0]) -> dict:
    opinion_label = str(Opinion(consultation.opinion).label) if consultation.opinion else ""
    extra = consultation.opinion_text if consultation.opinion_text != opinion_label else ""
    held_at = timezone.localtime(consultation.held_at) if consultation.held_at else None
    signers = signer_entries(consultation)
    # Only a signed record has its content hash (on a joint one, once every proposer has signed).
    signed = bool(consultation.sign_method) if not signers else bool(consultation.content_sha256)
    return {
        "title": record_title(consultation),
        "c": consultation,
        "classes": _classes(consultation),
        "held_on": document_date(held_at),
        "main_content": paragraphs(consultation.main_content),
        "reply_points": paragraphs(consultation.reply_points),
        "opinion": paragraphs(opinion_label) + paragraphs(extra),
        "signed": signed,
        "signature_uri": _signature_uri(consultation),
        "sign_mark": sign_mark(consultation),
        "signers": signers,
        "other_names": "、".join(entry["name"] for entry in signers[1:]),
        # Only a signed record has its content hash, and so a code (see hashing.verification_code).
        "verification_code": verification_code(consultation) if signed else "",
        "text": text,
    }


def _layout(context: dict) -> Any:
    """WeasyPrint's laid-out document (its ``pages``), not yet written to PDF."""
    html = render_to_string(TEMPLATE, {**context, "font_css": mark_safe(font_css())})  # noqa: S308 - built from settings only
    return html_document(html).render()


def record_layout(consultation: Consultation) -> Any:
    """The record laid out at the first text step at which it fits one page, else at the last.

    Each try is a full layout by WeasyPrint (its pages are counted, nothing is estimated), so a
    long record costs up to three layouts; a short one, like TA0207, one.
    """
    for step in TEXT_STEPS:
        document = _layout(record_context(consultation, text=step))
        if len(document.pages) == 1:
            break
    return document


def consultation_pdf_bytes(consultation: Consultation) -> bytes:
    # An official document is Chinese whatever language the person signing uses on screen.
    with translation.override("zh-hans"):
        return record_layout(consultation).write_pdf()


def store_record_pdf(consultation: Consultation) -> None:
    """Render and keep the signed record's PDF with its SHA-256 (the caller saves the row).

    The content hash must be set first: the PDF prints the verification code taken from it.
    """
    data = consultation_pdf_bytes(consultation)
    name = f"{consultation.proposal_number or 'record'}-r{consultation.round}-{consultation.pk}.pdf"
    consultation.pdf.save(name, ContentFile(data), save=False)
    consultation.pdf_sha256 = sha256_hex(data)


def record_pdf_for_download(consultation: Consultation) -> bytes:
    """A signed record's stored PDF (unchanged since signing); a draft is rendered as it is now."""
    if consultation.is_locked and consultation.pdf:
        with consultation.pdf.open("rb") as handle:
            return handle.read()
    return consultation_pdf_bytes(consultation)
