"""Every proposer on the consultation record: who signs it, each one's line, and when it is complete.

A joint proposal (联名) or a merged group (并案) has several proposers (``proposals.proposers``);
each of them signs the record, online or on the paper form. The record's own ``member`` and signing
fields stay the first proposer's line, exactly as on a one-member record (records signed before
joint signing keep their content hash and verify as before); each other proposer has a
``ConsultationSigner`` row. A record without rows is a one-member record, and everything about it
(its hash, its PDF, its pages) is as it always was.

``SignerLine`` reads both kinds of line the same way, so the signing services, the PDF and the
pages never ask which kind they hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from proposals.proposers import assignment_proposers

from ..models import Consultation, ConsultationSigner


@dataclass
class SignerLine:
    """One proposer's line on the record: the record itself (the first proposer) or a signer row."""

    consultation: Consultation
    row: ConsultationSigner | None = None

    @property
    def source(self) -> Consultation | ConsultationSigner:
        """Where this line's signing fields live."""
        return self.row if self.row is not None else self.consultation

    @property
    def is_first(self) -> bool:
        return self.row is None

    @property
    def member_id(self) -> int:
        return self.source.member_id

    @property
    def name(self) -> str:
        source = self.source
        return source.member_name or source.member.name

    @property
    def key(self) -> str:
        """How a form names this line: ``0`` for the record's own member, else the row's id."""
        return "0" if self.row is None else str(self.row.pk)

    @property
    def is_signed(self) -> bool:
        return bool(self.source.sign_method)

    def __getattr__(self, name: str):
        # The signing fields (sign_method, signed_at, signature, opinion, ...) of whichever holds them.
        if name.startswith("_") or name in ("consultation", "row"):
            raise AttributeError(name)
        return getattr(self.source, name)


def signer_rows(consultation: Consultation) -> list[ConsultationSigner]:
    """The record's other proposers, in order (prefetched ``signers`` are used when present)."""
    if consultation.pk is None:
        return []
    cache = getattr(consultation, "_prefetched_objects_cache", {})
    if "signers" in cache:
        rows = list(cache["signers"])
        return sorted(rows, key=lambda r: (r.order, r.pk))
    return list(consultation.signers.select_related("member").order_by("order", "pk"))


def signer_lines(consultation: Consultation) -> list[SignerLine]:
    """Every proposer's line, the record's own member first."""
    return [SignerLine(consultation), *(SignerLine(consultation, row) for row in signer_rows(consultation))]


def is_joint_record(consultation: Consultation) -> bool:
    return bool(signer_rows(consultation))


def line_of_member(consultation: Consultation, member_id: int | None) -> SignerLine | None:
    if member_id is None:
        return None
    return next((line for line in signer_lines(consultation) if line.member_id == member_id), None)


def line_by_key(consultation: Consultation, key: str | int | None) -> SignerLine | None:
    """The line a form named (``SignerLine.key``); None for a key that is not on this record."""
    if key is None or str(key) == "":
        return None
    return next((line for line in signer_lines(consultation) if line.key == str(key)), None)


def unsigned_lines(consultation: Consultation) -> list[SignerLine]:
    return [line for line in signer_lines(consultation) if not line.is_signed]


def signed_lines(consultation: Consultation) -> list[SignerLine]:
    return [line for line in signer_lines(consultation) if line.is_signed]


def all_signed(consultation: Consultation) -> bool:
    return not unsigned_lines(consultation)


def lock_signer(row: ConsultationSigner) -> ConsultationSigner:
    return ConsultationSigner.objects.select_for_update(of=("self",)).select_related("member").get(pk=row.pk)


def sync_signers(consultation: Consultation) -> None:
    """Make the record's rows the assignment's proposers other than its own member (the first).

    Called while no line is signed (when the record is scheduled, filled in, or sent back for new
    signatures): a co-signer who confirmed since is added, one no longer a proposer is removed.
    Names are copied now, as the record's own member_name is.
    """
    proposers = [m for m in assignment_proposers(consultation.assignment) if m.pk != consultation.member_id]
    existing = {row.member_id: row for row in consultation.signers.all()}
    wanted = {m.pk for m in proposers}
    stale = [row.pk for member_id, row in existing.items() if member_id not in wanted and not row.is_signed]
    if stale:
        ConsultationSigner.objects.filter(pk__in=stale).delete()
    for order, member in enumerate(proposers, start=1):
        row = existing.get(member.pk)
        if row is None:
            ConsultationSigner.objects.create(
                consultation=consultation, member=member, order=order, member_name=member.name
            )
        elif (row.order, row.member_name) != (order, member.name):
            row.order, row.member_name = order, member.name
            row.save(update_fields=["order", "member_name"])
    if hasattr(consultation, "_prefetched_objects_cache"):
        consultation._prefetched_objects_cache.pop("signers", None)


# The signing fields a new signature replaces; the old values stay in the rows' history. A record
# and each proposer's row hold the same signature fields; the record adds its hash and PDF, the row
# the proposer's opinion.
SIGNATURE_FIELDS = {
    "sign_method": "",
    "signed_by": None,
    "signed_at": None,
    "signed_ip": None,
    "signature": "",
    "signature_sha256": "",
    "paper_scan": "",
    "paper_scan_sha256": "",
    "paper_scan_type": "",
    "entered_by": None,
}
RECORD_SIGNING_FIELDS = {**SIGNATURE_FIELDS, "content_sha256": "", "pdf": "", "pdf_sha256": ""}
ROW_SIGNING_FIELDS = {"opinion": "", "opinion_text": "", **SIGNATURE_FIELDS}


def clear_row_signatures(consultation: Consultation) -> list[str]:
    """Clear every signer row's signature (each row saved, so its history keeps the old one);
    the names of the proposers whose signature was cleared."""
    cleared = []
    for row in signer_rows(consultation):
        if not row.is_signed:
            continue
        cleared.append(row.member_name or row.member.name)
        for name, value in ROW_SIGNING_FIELDS.items():
            setattr(row, name, value)
        row.save(update_fields=list(ROW_SIGNING_FIELDS))
    if hasattr(consultation, "_prefetched_objects_cache"):
        consultation._prefetched_objects_cache.pop("signers", None)
    return cleared


def signers_of(consultations: QuerySet[Consultation]) -> QuerySet[ConsultationSigner]:
    return ConsultationSigner.objects.filter(consultation__in=consultations)
