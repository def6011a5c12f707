"""The password-change page limits wrong old passwords (issue 18, the gap left by finding 7).

An open session could guess the password there without limit: django-axes watches only the
login forms. Now the same limit as signing applies (audit/attempts.py), counted under a lock
on the user's row: five wrong old passwords in 15 minutes, then the page refuses every attempt,
the right password too, until the window has passed. The parallel case is on PostgreSQL below.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audit import attempts
from audit.forms import LOCKED_OUT_DETAIL, LimitedPasswordChangeForm
from audit.models import AuditEvent
from proposals.models import Role
from tests.factories import PASSWORD, make_user

URL = "/accounts/password/"
NEW = "New-Strong-Passw0rd"


def change(client: Client, old: str):
    return client.post(URL, {"old_password": old, "new_password1": NEW, "new_password2": NEW})


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wrong_rows(user):
    return AuditEvent.objects.filter(
        user_id=user.pk, event="password_change", outcome="denied", detail=attempts.PASSWORD_CHANGE_WRONG_PASSWORD
    )


@pytest.mark.django_db
def test_after_five_wrong_old_passwords_even_the_right_one_is_refused(world):
    client = logged_in(world.handler_a)
    for _ in range(attempts.MAX_FAILURES):
        response = change(client, "wrong-guess")
        assert response.status_code == 200
        assert "旧密码不正确" in response.content.decode() or "old password" in response.content.decode().lower()
    assert wrong_rows(world.handler_a).count() == attempts.MAX_FAILURES
    response = change(client, PASSWORD)
    assert response.status_code == 429
    assert "密码错误次数过多" in response.content.decode()
    world.handler_a.refresh_from_db()
    assert world.handler_a.check_password(PASSWORD) and not world.handler_a.check_password(NEW)
    # the refused attempt is audited too, and its password was not checked (not counted as wrong)
    assert AuditEvent.objects.filter(
        user_id=world.handler_a.pk, event="password_change", outcome="denied", detail=LOCKED_OUT_DETAIL
    ).exists()
    assert wrong_rows(world.handler_a).count() == attempts.MAX_FAILURES


@pytest.mark.django_db
def test_the_page_waits_only_for_the_window(world, clock):
    client = logged_in(world.handler_a)
    for _ in range(attempts.MAX_FAILURES):
        change(client, "wrong-guess")
    assert change(client, PASSWORD).status_code == 429
    clock.advance(seconds=attempts.WINDOW + 60)
    client.force_login(world.handler_a)  # the session's idle timeout passed on the frozen clock too
    response = change(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    world.handler_a.refresh_from_db()
    assert world.handler_a.check_password(NEW)


@pytest.mark.django_db
def test_a_few_wrong_old_passwords_do_not_stop_the_right_one(world):
    client = logged_in(world.handler_a)
    for _ in range(attempts.MAX_FAILURES - 1):
        change(client, "wrong-guess")
    assert change(client, PASSWORD).status_code == 302
    world.handler_a.refresh_from_db()
    assert world.handler_a.check_password(NEW)


@pytest.mark.django_db
def test_the_limit_is_per_user(world):
    client = logged_in(world.handler_a)
    for _ in range(attempts.MAX_FAILURES):
        change(client, "wrong-guess")
    assert change(logged_in(world.handler_b), PASSWORD).status_code == 302


@pytest.mark.django_db
def test_wrong_passwords_at_signing_count_against_the_password_page_too(world):
    from consultations import services
    from proposals.errors import DomainError
    from tests.factories import record, schedule, sign

    c = record(world, schedule(world))
    for _ in range(attempts.MAX_FAILURES):
        with pytest.raises(DomainError):
            sign(world, c, password="wrong-guess")
    assert change(logged_in(world.member_user), PASSWORD).status_code == 429
    assert services.SIGN_MAX_FAILURES == attempts.MAX_FAILURES


@pytest.mark.django_db
def test_the_admin_password_change_goes_through_the_limited_page(world):
    """Django admin's own password form checks the old password without a limit: it must not be
    a way around the site's page."""
    client = logged_in(world.admin)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == URL
    for _ in range(attempts.MAX_FAILURES):
        change(client, "wrong-guess")
    response = client.post(
        "/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == URL
    world.admin.refresh_from_db()
    assert world.admin.check_password(PASSWORD) and not world.admin.check_password(NEW)


FUZZ_USERS = itertools.count()


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(guesses=st.lists(st.text(max_size=40), min_size=1, max_size=9))
def test_fuzzed_old_passwords_check_at_most_the_limit_and_change_nothing(world, guesses):
    assume(PASSWORD not in guesses)
    user = make_user(f"fuzz{next(FUZZ_USERS)}", Role.STAFF)
    for guess in guesses:
        form = LimitedPasswordChangeForm(user, {"old_password": guess, "new_password1": NEW, "new_password2": NEW})
        assert not form.is_valid()
    # an empty field, or one with a NUL character, is a form error before any check
    typed = sum(1 for guess in guesses if guess and "\x00" not in guess)
    rows = AuditEvent.objects.filter(user_id=user.pk, event="password_change", outcome="denied")
    assert rows.filter(detail=attempts.PASSWORD_CHANGE_WRONG_PASSWORD).count() == min(typed, attempts.MAX_FAILURES)
    assert rows.filter(detail=LOCKED_OUT_DETAIL).count() == max(typed - attempts.MAX_FAILURES, 0)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


PARALLEL = 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_old_passwords_are_checked_at_most_the_limit(world):
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    guard = threading.Lock()

    def attempt():
        try:
            client = logged_in(world.handler_a)
            barrier.wait(timeout=20)
            status = change(client, "wrong-guess").status_code
        finally:
            connections.close_all()
        with guard:
            statuses.append(status)

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(statuses) == PARALLEL
    # exactly the limit's worth of old passwords were checked; every other attempt was turned away
    assert statuses.count(200) == attempts.MAX_FAILURES
    assert statuses.count(429) == PARALLEL - attempts.MAX_FAILURES
    assert wrong_rows(world.handler_a).count() == attempts.MAX_FAILURES
