"""Shape checks shared by forms and models. Messages are constants so tests can import them.

Masking phone-like numbers in free text is in ``common.phones``."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _(
    "请输入有效的电话号码：手机号为 1 开头的 11 位数字（第二位 3–9），固定电话为 0 开头的区号加号码，如 0356-2021234。"
)

# Mainland mobile: 1[3-9] + 9 digits. Landline: 0 + 2–3 digit area code (10, 2x, 3xx–9xx) + a
# 7–8 digit number, with an optional hyphen or space and an optional extension.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}[- ]?\d{7,8}(?:[-转]\d{1,6})?$")


def normalise_phone(value: str) -> str:
    return (value or "").strip().replace("（", "(").replace("）", ")")


def validate_phone(value: str) -> None:
    value = normalise_phone(value)
    if not value:
        return
    if MOBILE_RE.match(value) or LANDLINE_RE.match(value):
        return
    raise ValidationError(PHONE_INVALID, code="invalid_phone")
