"""The one limit on wrong passwords typed inside an open session (issue 18, findings 7 and its gaps).

Signing a consultation record and changing one's password both ask for the password again. A
left-open session could otherwise be used to guess it there without limit (django-axes watches
only the login forms). Every wrong password is recorded in the audit trail anyway; the limit
counts those rows, so it holds across web workers and machines. Both forms count together: it is
one password, so five wrong guesses in one form leave none for the other.

The count is read, the password checked and a failure recorded while the user's row is locked
(``lock_attempts``), so parallel attempts queue and each one counts the failures before it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds

SIGN_WRONG_PASSWORD = "consultation_sign_online: wrong_password"  # noqa: S105 - an audit detail, not a password
PASSWORD_CHANGE_WRONG_PASSWORD = "password_change: wrong_password"  # noqa: S105 - likewise
# The audit details of a wrong password, whichever form it was typed in.
WRONG_PASSWORD_DETAILS = (SIGN_WRONG_PASSWORD, PASSWORD_CHANGE_WRONG_PASSWORD)


def lock_attempts(user) -> None:
    """Hold the user's row until the transaction ends: one password attempt of theirs at a time.

    Call inside ``transaction.atomic()``, before ``attempts_exhausted``."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()


def recent_wrong_passwords(user) -> int:
    from .models import AuditEvent

    since = timezone.now() - dt.timedelta(seconds=WINDOW)
    return AuditEvent.objects.filter(
        user_id=user.pk, outcome="denied", detail__in=WRONG_PASSWORD_DETAILS, at__gte=since
    ).count()


def attempts_exhausted(user) -> bool:
    """True once the user typed ``MAX_FAILURES`` wrong passwords within the last ``WINDOW``."""
    return recent_wrong_passwords(user) >= MAX_FAILURES
