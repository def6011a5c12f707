"""The password-change form, with the wrong-password limit of audit.attempts."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import attempts
from .log import record_event

PASSWORD_CHANGE_TOO_MANY_ATTEMPTS = _("密码错误次数过多，请 %(minutes)d 分钟后再修改密码。")
LOCKED_OUT_DETAIL = "password_change: locked out"


class LimitedPasswordChangeForm(PasswordChangeForm):
    """Django's form, whose old password is checked at most ``attempts.MAX_FAILURES`` times wrong
    per window: an open session must not be a way to guess the password without limit."""

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        refusal: ValidationError | None = None
        with transaction.atomic():
            attempts.lock_attempts(self.user)
            if attempts.attempts_exhausted(self.user):
                self._audit(LOCKED_OUT_DETAIL)
                refusal = ValidationError(
                    PASSWORD_CHANGE_TOO_MANY_ATTEMPTS,
                    code="too_many_attempts",
                    params={"minutes": attempts.WINDOW // 60},
                )
            elif not self.user.check_password(old_password):
                self._audit(attempts.PASSWORD_CHANGE_WRONG_PASSWORD)
                refusal = ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        # Raised after the commit, so the refused attempt stays in the audit trail.
        if refusal is not None:
            raise refusal
        return old_password

    def _audit(self, detail: str) -> None:
        record_event(event="password_change", user=self.user, obj=self.user, outcome="denied", detail=detail)
