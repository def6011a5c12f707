"""The content hash of a consultation record: what a signature covers, so a change is detected.

The hash is an HMAC under the audit key (audit/keys.py), which is not in the database: whoever can
write the table can change a signed record but cannot compute a hash that matches it. Records
signed before the key existed were re-hashed by migration 0004 only where their plain SHA-256
still matched, so a record altered before then still fails ``verify_records``. The hash is also
written into the signing row of the audit chain (``signing.signing_detail``), where
``verify_records`` checks it even for a record whose own row no longer says "signed".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from audit.keys import RECORD, keyed_hash

from ..models import Consultation
from .signers import signer_rows

# The name under which the signing row's detail carries the content hash (signing.signing_detail).
CHAIN_HASH_FIELD = "content_sha256"

RECORD_FIELDS = (
    "held_at",
    "place",
    "method",
    "host_name",
    "host_phone",
    "agency_name",
    "proposal_number",
    "member_name",
    "work_unit",
    "member_phone",
    "main_content",
    "reply_points",
    "handling_class",
)


# The fields a member's signature vouches for; their SHA-256 is kept on signing.
HASHED_TEXT_FIELDS = (
    "agency_name",
    "proposal_number",
    "member_name",
    "work_unit",
    "member_phone",
    "main_content",
    "reply_points",
    "handling_class",
    "opinion",
    "opinion_text",
    "place",
    "method",
    "host_name",
    "host_phone",
    "sign_method",
    "signature_sha256",
    "paper_scan_sha256",
)


HASHED_ID_FIELDS = ("assignment_id", "round", "member_id", "reply_id", "reply_version", "signed_by_id", "entered_by_id")


def _utc_iso(value: dt.datetime | None) -> str | None:
    # Normalised so that the hash is the same whichever time zone the value was read in.
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


# What each other proposer's signature adds (a ``ConsultationSigner`` row), on a joint record only.
HASHED_SIGNER_FIELDS = (
    "member_name",
    "opinion",
    "opinion_text",
    "sign_method",
    "signature_sha256",
    "paper_scan_sha256",
)
HASHED_SIGNER_ID_FIELDS = ("member_id", "order", "signed_by_id", "entered_by_id")


def _signers_payload(consultation: Consultation) -> list[dict[str, Any]]:
    if not hasattr(type(consultation), "signers"):
        return []  # a historical model of a migration before the rows existed (0004)
    out = []
    for row in signer_rows(consultation):
        item: dict[str, Any] = {name: getattr(row, name) for name in HASHED_SIGNER_FIELDS}
        item.update({name: getattr(row, name) for name in HASHED_SIGNER_ID_FIELDS})
        item["signed_at"] = _utc_iso(row.signed_at)
        out.append(item)
    return out


def content_payload(consultation: Consultation) -> dict[str, Any]:
    """The record's hashed content. The other proposers' lines (``signers``) are in it only when the
    record has some: a one-member record, and every record signed before joint signing, hashes the
    same payload as it always did."""
    payload: dict[str, Any] = {name: getattr(consultation, name) for name in HASHED_TEXT_FIELDS}
    payload.update({name: getattr(consultation, name) for name in HASHED_ID_FIELDS})
    payload["held_at"] = _utc_iso(consultation.held_at)
    payload["signed_at"] = _utc_iso(consultation.signed_at)
    if signers := _signers_payload(consultation):
        payload["signers"] = signers
    return payload


def _canonical(consultation: Consultation) -> bytes:
    return json.dumps(content_payload(consultation), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(consultation: Consultation) -> str:
    """HMAC-SHA256 under the audit key over the record's content, as canonical JSON."""
    return keyed_hash(RECORD, _canonical(consultation))


def legacy_content_hash(consultation: Consultation) -> str:
    """The unkeyed SHA-256 that records signed before the key carried (migration 0004 only)."""
    return hashlib.sha256(_canonical(consultation)).hexdigest()


def record_hash_matches(consultation: Consultation) -> bool:
    return bool(consultation.content_sha256) and consultation.content_sha256 == content_hash(consultation)


# The verification code (核验码) printed on a signed record: the first 12 hex digits of its keyed
# content hash. Not the PDF's SHA-256: a PDF cannot print its own digest, since printing it changes
# the file. The content hash exists before the PDF is rendered (``signing._finish_signing`` sets it
# first) and covers what the paper shows — the texts, the opinion, how and when it was signed, the
# signature image's digest — and, being keyed, cannot be made to fit an altered record by whoever
# can write the table. The page therefore checks the code against the stored hash and the stored
# hash against the record (``record_hash_matches``). 12 hex digits (48 bits) can be typed from
# paper; among a million records two share a code with a chance of about 1 in 500, and the
# verification page then answers with neither rather than pick one.
VERIFICATION_CODE_LENGTH = 12


def verification_code(consultation: Consultation) -> str:
    """The code as printed, in groups of four for reading aloud or typing: ``25AB-C905-1C6F``."""
    code = consultation.content_sha256[:VERIFICATION_CODE_LENGTH].upper()
    if len(code) < VERIFICATION_CODE_LENGTH:
        return ""
    return "-".join(code[i : i + 4] for i in range(0, VERIFICATION_CODE_LENGTH, 4))
