"""The content hash of a consultation record: what a signature covers, so a change is detected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from ..models import Consultation

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


def content_payload(consultation: Consultation) -> dict[str, Any]:
    payload: dict[str, Any] = {name: getattr(consultation, name) for name in HASHED_TEXT_FIELDS}
    payload.update({name: getattr(consultation, name) for name in HASHED_ID_FIELDS})
    payload["held_at"] = _utc_iso(consultation.held_at)
    payload["signed_at"] = _utc_iso(consultation.signed_at)
    return payload


def content_hash(consultation: Consultation) -> str:
    """SHA-256 over the record's content, as canonical JSON."""
    data = json.dumps(content_payload(consultation), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def record_hash_matches(consultation: Consultation) -> bool:
    return bool(consultation.content_sha256) and consultation.content_sha256 == content_hash(consultation)
