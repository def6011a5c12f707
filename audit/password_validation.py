"""Password rules that depend on who the password is for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PRIVILEGED_ROLES = ("staff", "admin", "auditor")


class RoleMinimumLengthValidator:
    """At least ``min_length`` characters; ``privileged_min_length`` for committee staff,
    administrators and auditors (and any account with admin-site or superuser rights), who can
    see or change everything."""

    def __init__(self, min_length: int = 8, privileged_min_length: int = 12) -> None:
        self.min_length = min_length
        self.privileged_min_length = privileged_min_length

    def required_length(self, user=None) -> int:
        if user is not None and (
            getattr(user, "role", None) in PRIVILEGED_ROLES
            or getattr(user, "is_staff", False)
            or getattr(user, "is_superuser", False)
        ):
            return self.privileged_min_length
        return self.min_length

    def validate(self, password: str, user=None) -> None:
        length = self.required_length(user)
        if len(password) < length:
            raise ValidationError(
                _("密码太短：至少需要 %(min_length)d 个字符。"),
                code="password_too_short",
                params={"min_length": length},
            )

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符；工作人员、系统管理员和审计员至少 %(privileged)d 个字符。") % {
            "min_length": self.min_length,
            "privileged": self.privileged_min_length,
        }


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = (
            any(c.islower() for c in password)
            + any(c.isupper() for c in password)
            + any(c.isdigit() for c in password)
            + any(not c.isalnum() for c in password)
        )
        if classes < self.min_classes:
            raise ValidationError(
                _("密码须至少包含以下 %(n)d 类字符：小写字母、大写字母、数字、其他符号。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含以下 %(n)d 类字符：小写字母、大写字母、数字、其他符号。") % {"n": self.min_classes}
