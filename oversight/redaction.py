"""Removing personal data from what the public sees: members' phones and work units, and any
number that looks like a phone, in the page text and in the PDF alike.

The patterns err on the side of removing: a number that merely looks like a phone is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "＊＊＊"

# Mainland mobile numbers (optionally +86 / 0086, optionally split as 3-4-4 by spaces or hyphens),
# and landlines with an area code (0 + 2-3 digits, optional hyphen, 7-8 digits, optional extension).
# Full-width digits and hyphens are folded to ASCII first, so "１３９…" is caught as well. The digit
# look-arounds keep the patterns from biting into longer numbers such as document or account numbers.
PHONE_PATTERNS = [
    re.compile(r"(?<!\d)(?:(?:\+|00)86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?[-\s]?\d{7,8}(?:[-转]\d{1,6})?(?!\d)"),
]


FULLWIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")


def mask_phones(text: str) -> str:
    """Every phone-like number in ``text`` replaced by ``MASK``."""
    if not text:
        return text
    text = text.translate(FULLWIDTH)
    for pattern in PHONE_PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def redact(text: str, personal: Iterable[str] = ()) -> str:
    """``text`` without phone-like numbers and without any of the ``personal`` strings (members'
    phones and work units as stored, which need not look like a phone)."""
    if not text:
        return text
    for term in sorted({t.strip() for t in personal if t and len(t.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(term, MASK)
    return mask_phones(text)


def contains_phone(text: str) -> bool:
    return any(p.search((text or "").translate(FULLWIDTH)) for p in PHONE_PATTERNS)
