"""Removing personal data from what the public sees: members' phones and work units, and any
number that looks like a phone, in the page text and in the PDF alike.

The patterns err on the side of removing: a number that merely looks like a phone is masked too.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.phones import FULLWIDTH, PHONE_PATTERNS, mask_phones

MASK = "＊＊＊"

__all__ = ["FULLWIDTH", "MASK", "contains_phone", "mask_phones", "redact"]


def redact(text: str, personal: Iterable[str] = ()) -> str:
    """``text`` without phone-like numbers and without any of the ``personal`` strings (members'
    phones and work units as stored, which need not look like a phone)."""
    if not text:
        return text
    for term in sorted({t.strip() for t in personal if t and len(t.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(term, MASK)
    return mask_phones(text, MASK)


def contains_phone(text: str) -> bool:
    return any(p.search((text or "").translate(FULLWIDTH)) for p in PHONE_PATTERNS)
