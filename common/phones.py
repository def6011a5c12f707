"""Phone-like numbers in free text, found and masked: for public pages, e-mails and the audit log.

Checking that a phone field holds a valid number is another matter (``proposals.validators``).
"""

from __future__ import annotations

import re

# Mainland mobile numbers (optionally +86 / 0086, optionally split as 3-4-4 by spaces or hyphens),
# and landlines with an area code (0 + 2-3 digits, optional hyphen, 7-8 digits, optional extension).
# Full-width digits and hyphens are folded to ASCII first, so "１３９…" is caught as well. The digit
# look-arounds keep the patterns from biting into longer numbers such as document or account numbers.
# Any dash counts as the hyphen: letters print "0917—4936343" (the dashes are matched, not folded,
# so that a 破折号 in the prose stays as it is).
_DASH = "[-‐‑‒–—―\\s]"
PHONE_PATTERNS = [
    re.compile(r"(?<!\d)(?:(?:\+|00)86" + _DASH + r"?)?1[3-9]\d(?:" + _DASH + r"?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?" + _DASH + r"?\d{7,8}(?:[-‐‑‒–—―转]\d{1,6})?(?!\d)"),
]


FULLWIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")


def mask_phones(text: str, mask: str = "＊＊＊") -> str:
    """Every phone-like number in ``text`` replaced by ``mask``: for public pages, e-mails and logs.
    The patterns err on the side of removing: a number that merely looks like a phone goes too."""
    if not text:
        return text
    text = text.translate(FULLWIDTH)
    for pattern in PHONE_PATTERNS:
        text = pattern.sub(mask, text)
    return text
