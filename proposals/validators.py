"""Shape checks shared by forms and models. Messages are constants so tests can import them.

Masking phone-like numbers in free text is in ``common.phones``."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _(
    "请输入有效的电话号码：手机号为 1 开头的 11 位数字（第二位 3–9），固定电话为 0 开头的区号加号码，如 0356-2021234。"
)

# What is wrong with a number, said exactly (the examples of PHONE_INVALID are the rest of the rule).
PHONE_BAD_CHAR = _("电话号码里不能有“%(char)s”。")
PHONE_START = _("电话号码应以 1 开头（手机）或以 0 开头（带区号的固定电话）。")
MOBILE_LENGTH = _("手机号应为 11 位数字，这里有 %(n)s 位。")
MOBILE_SECOND = _("手机号的第二位应为 3–9。")
LANDLINE_LENGTH = _("固定电话应为 3–4 位区号加 7–8 位号码（共 10–12 位数字），这里有 %(n)s 位。")
EXTENSION_INVALID = _("分机号应为 1–6 位数字。")

# Mainland mobile: 1[3-9] + 9 digits. Landline: 0 + 2–3 digit area code (10, 2x, 3xx–9xx) + a
# 7–8 digit number, optionally with an extension (转 or a dash). Typed separators are kept as the
# clerk wrote them: spaces and any dash (-, ‐, –, —, －…: real letters print "0917—4936343"), and
# the area code in brackets; they are ignored when the digits are checked.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$")
DASHES = "-‐‑‒–—―－"
_DASH_CLASS = "[" + re.escape(DASHES) + "]"
_SEPARATORS = re.compile(r"[\s()]|" + _DASH_CLASS)


def normalise_phone(value: str) -> str:
    return (value or "").strip().replace("（", "(").replace("）", ")")


def phone_problem(value: str) -> str | None:
    """What is wrong with the phone number as typed, or None when it is a valid one (or blank)."""
    value = normalise_phone(value)
    if not value:
        return None
    number, _sep, extension = value.partition("转")
    for char in number + extension:
        if not (char.isdigit() and char.isascii()) and not _SEPARATORS.match(char):
            return str(PHONE_BAD_CHAR) % {"char": char}
    digits = _SEPARATORS.sub("", number)
    if digits.startswith("1"):
        if len(digits) != 11:
            return str(MOBILE_LENGTH) % {"n": len(digits)}
        return None if MOBILE_RE.match(digits) else str(MOBILE_SECOND)
    if not digits.startswith("0"):
        return str(PHONE_START)
    if not extension and len(digits) > 12:
        # "0356-2021234-8001": the last dash run may part off an extension.
        parts = [p for p in re.split(_DASH_CLASS, number) if p.strip()]
        if len(parts) >= 3:
            extension = parts[-1].strip()
            digits = _SEPARATORS.sub("", "".join(parts[:-1]))
    if extension and not re.fullmatch(r"\d{1,6}", _SEPARATORS.sub("", extension)):
        return str(EXTENSION_INVALID)
    if not LANDLINE_RE.match(digits):
        return str(LANDLINE_LENGTH) % {"n": len(digits)}
    return None


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem is not None:
        raise ValidationError(f"{problem}{PHONE_INVALID}", code="invalid_phone")
