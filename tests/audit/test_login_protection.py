from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from proposals.models import Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def fail(client, url, username, times):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-password"})
        assert response.status_code in (200, 429)
    return response


def test_five_failures_lock_the_address_even_with_the_right_password(client, world):
    response = fail(client, LOGIN, "staff1", 4)
    assert response.status_code == 200  # four failures: still the ordinary form error
    response = fail(client, LOGIN, "staff1", 1)
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": "staff1", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert "登录失败次数过多" in text and "锁定 30 分钟" in text


def test_lockout_is_per_address_not_per_account(client, world):
    fail(client, LOGIN, "staff1", 5)
    # another account from the same address is refused too
    response = client.post(LOGIN, {"username": "handler_a", "password": PASSWORD})
    assert response.status_code == 429
    # the same account from another address can still log in
    response = client.post(LOGIN, {"username": "staff1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_admin_login_is_locked_out_too(client, world):
    fail(client, ADMIN_LOGIN, "admin1", 5)
    response = client.post(ADMIN_LOGIN, {"username": "admin1", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_failures_on_site_and_admin_login_add_up(client, world):
    fail(client, LOGIN, "admin1", 3)
    fail(client, ADMIN_LOGIN, "admin1", 2)
    response = client.post(ADMIN_LOGIN, {"username": "admin1", "password": PASSWORD})
    assert response.status_code == 429


def test_lockout_ends_after_thirty_minutes(client, world, clock):
    fail(client, LOGIN, "staff1", 5)
    clock.advance(minutes=29)
    assert client.post(LOGIN, {"username": "staff1", "password": PASSWORD}).status_code == 429
    clock.advance(minutes=31)
    response = client.post(LOGIN, {"username": "staff1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.staff.pk)


def test_lockout_is_audited(client, world):
    fail(client, LOGIN, "staff1", 5)
    failed = AuditEvent.objects.filter(event="login_failed")
    assert failed.count() == 5
    assert set(failed.values_list("username", "outcome", "ip").distinct()) == {("staff1", "failed", "127.0.0.1")}
    lockout = AuditEvent.objects.get(event="lockout")
    assert (lockout.username, lockout.outcome, lockout.ip) == ("staff1", "denied", "127.0.0.1")
    assert "failures=5" in lockout.detail and "cooloff_minutes=30" in lockout.detail


@pytest.mark.parametrize(
    ("role", "extra", "short_ok", "long_ok"),
    [
        (Role.STAFF, {}, False, True),
        (Role.ADMIN, {"is_staff": True}, False, True),
        (Role.AUDITOR, {}, False, True),
        (Role.MEMBER, {}, True, True),
    ],
)
def test_privileged_roles_need_twelve_characters(role, extra, short_ok, long_ok):
    user = User(username="someone", role=role, **extra)
    eleven, twelve = "Gz7#kq2Lp9x", "Gz7#kq2Lp9xW"

    def ok(password):
        try:
            validate_password(password, user)
        except ValidationError:
            return False
        return True

    assert ok(eleven) is short_ok
    assert ok(twelve) is long_ok
    assert ok("Gz7#kq2") is False  # 7 characters: too short for anyone


def test_weak_passwords_are_refused_in_chinese():
    user = User(username="member9", role=Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghij", user)
    messages = " ".join(exc.value.messages)
    assert "密码须至少包含" in messages
    with pytest.raises(ValidationError):
        validate_password("Password123", user)  # three classes, but a common password


def test_behind_a_trusted_proxy_each_client_is_locked_out_alone(settings, world):
    """nginx passes every request from 127.0.0.1: with TRUSTED_PROXIES its X-Real-IP is the
    address counted, so one client's failures do not lock the others out (common/proxy.py)."""
    from django.test import Client

    settings.TRUSTED_PROXIES = "127.0.0.1"
    client = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        client.post(LOGIN, {"username": "staff1", "password": "wrong-password"}, HTTP_X_REAL_IP="203.0.113.7")
    locked = client.post(LOGIN, {"username": "staff1", "password": PASSWORD}, HTTP_X_REAL_IP="203.0.113.7")
    assert locked.status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1")
    response = other.post(LOGIN, {"username": "staff1", "password": PASSWORD}, HTTP_X_REAL_IP="198.51.100.4")
    assert response.status_code == 302
