from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import AuditEvent, UserSession
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/proposals/"


def real_login(username: str, **extra) -> Client:
    client = Client(**extra)
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def is_logged_in(client: Client) -> bool:
    response = client.get(PAGE)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return False
    assert response.status_code == 200
    return True


def test_idle_timeout_is_thirty_minutes_by_default_and_slides(world, clock):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = real_login("staff1")
    clock.advance(minutes=29)
    assert is_logged_in(client)  # activity renews the session...
    clock.advance(minutes=29)
    assert is_logged_in(client)  # ...so 58 minutes after login it still holds
    clock.advance(minutes=31)
    assert not is_logged_in(client)  # 31 idle minutes end it


def test_idle_minutes_come_from_the_environment():
    env = {**os.environ, "SESSION_IDLE_MINUTES": "7"}
    out = subprocess.run(
        [sys.executable, "-c", "import django;from django.conf import settings;print(settings.SESSION_COOKIE_AGE)"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "420"


def test_session_key_is_rotated_at_login(world):
    client = Client()
    session = client.session
    session["before_login"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    old_key = session.session_key
    response = client.post("/accounts/login/", {"username": "staff1", "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.filter(session_key=new_key, user=world.staff).exists()


def test_logout_ends_the_users_other_sessions(world):
    laptop, phone = real_login("handler_a"), real_login("handler_a")
    other_user = real_login("staff1")
    assert is_logged_in(phone)
    response = laptop.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert is_logged_in(other_user)  # someone else's session is untouched
    assert not UserSession.objects.filter(user=world.handler_a).exists()
    logout = AuditEvent.objects.get(event="logout")
    assert logout.username == "handler_a" and "other_sessions_ended=1" in logout.detail


def test_password_change_keeps_this_session_and_ends_the_others(world):
    laptop, phone = real_login("handler_a"), real_login("handler_a")
    new_password = "New-Strong-Passw0rd"
    response = laptop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    # the rotated key of the session that stayed is indexed, so a later logout still finds it
    assert UserSession.objects.filter(user=world.handler_a).count() == 1
    event = AuditEvent.objects.get(event="password_change")
    assert event.username == "handler_a" and event.object_pk == str(world.handler_a.pk)
    assert "other_sessions_ended=1" in event.detail


def test_weak_new_password_is_refused_with_a_chinese_message(world):
    client = real_login("staff1")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Short-1a", "new_password2": "Short-1a"},
    )
    assert response.status_code == 200
    assert "至少需要 12 个字符" in response.content.decode()
    world.staff.refresh_from_db()
    assert world.staff.check_password(PASSWORD)


def test_password_page_needs_login(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
