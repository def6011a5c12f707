"""The key of the audit chain and of the signed records' hashes.

It comes from the environment (``AUDIT_HMAC_KEY``), never from the database: whoever can write the
database file can change a row and recompute a plain SHA-256, but not an HMAC without the key.
Development falls back to a key derived from ``SECRET_KEY`` (the system check ``audit.E002``
refuses that fallback in production). Changing the key breaks the verification of every row
hashed under the old one; there is no rotation yet.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# Each use of the key hashes under its own label, so a value made for one cannot pass for another.
CHAIN = "audit-chain"
ANCHOR = "audit-anchor"
RECORD = "consultation-record"


def key_configured() -> bool:
    return bool(getattr(settings, "AUDIT_HMAC_KEY", ""))


def hmac_key() -> bytes:
    configured = getattr(settings, "AUDIT_HMAC_KEY", "")
    if configured:
        return str(configured).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"proposal-desk development audit key", hashlib.sha256).digest()


def keyed_hash(purpose: str, data: bytes) -> str:
    """HMAC-SHA256 of ``data`` under the audit key, labelled by ``purpose``; 64 hex digits."""
    return hmac.new(hmac_key(), purpose.encode() + b"\x00" + data, hashlib.sha256).hexdigest()
