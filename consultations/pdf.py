"""The consultation record form (面商记录表) as a PDF, laid out like the seed's paper form."""

from __future__ import annotations

import base64

from django.core.files.base import ContentFile
from django.utils import timezone, translation

from documents.formats import document_date
from documents.render import render_pdf, sha256_hex
from replies import rules as reply_rules

from .models import Consultation, Opinion, SignMethod

TEMPLATE = "documents/consultation_record.html"


def record_title(consultation: Consultation) -> str:
    """The form's heading names the proposal's committee: 晋城市政协提案面商记录表."""
    return f"{consultation.assignment.proposal.committee.display_name}提案面商记录表"


def _classes(consultation: Consultation) -> list[dict]:
    codes = [c.value for c in reply_rules.enabled_reply_classes(consultation.assignment.proposal)]
    # A record keeps the class it was signed with, even one switched off since.
    if consultation.handling_class and consultation.handling_class not in codes:
        codes.append(consultation.handling_class)
    return [{"label": f"{code}类", "ticked": consultation.handling_class == code} for code in codes]


def _signature_uri(consultation: Consultation) -> str:
    if not consultation.signature:
        return ""
    with consultation.signature.open("rb") as handle:
        data = handle.read()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def record_context(consultation: Consultation) -> dict:
    opinion_label = str(Opinion(consultation.opinion).label) if consultation.opinion else ""
    extra = consultation.opinion_text if consultation.opinion_text != opinion_label else ""
    held_at = timezone.localtime(consultation.held_at) if consultation.held_at else None
    return {
        "title": record_title(consultation),
        "c": consultation,
        "classes": _classes(consultation),
        "held_on": document_date(held_at),
        "opinion_label": opinion_label,
        "opinion_extra": extra,
        "signed": bool(consultation.sign_method),
        "on_paper": consultation.sign_method == SignMethod.PAPER,
        "signature_uri": _signature_uri(consultation),
    }


def consultation_pdf_bytes(consultation: Consultation) -> bytes:
    # An official document is Chinese whatever language the person signing uses on screen.
    with translation.override("zh-hans"):
        return render_pdf(TEMPLATE, record_context(consultation))


def store_record_pdf(consultation: Consultation) -> None:
    """Render and keep the signed record's PDF with its SHA-256 (the caller saves the row)."""
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
