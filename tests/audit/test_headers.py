from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSP_PARTS = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style[\s>]", re.IGNORECASE)


def assert_csp_clean(response, *, allow_style_attributes: bool = False):
    policy = response["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    # anything inline would be blocked by the policy above, i.e. a broken page
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    if not allow_style_attributes:
        assert not STYLE_ATTR.search(html), html[STYLE_ATTR.search(html).start() - 200 :][:300]
    assert not STYLE_TAG.search(html)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "staff", "handler_a", "proposer", "auditor"])
def test_site_pages_carry_the_policy_and_need_nothing_inline(world, login, persona):
    user = world.auditor if persona == "auditor" else world.personas()[persona]
    client = login(user)
    urls = {
        "anonymous": ["/accounts/login/"],
        "staff": ["/proposals/", f"/proposals/{world.proposal.pk}/", "/accounts/password/"],
        "handler_a": ["/proposals/inbox/", f"/proposals/{world.proposal.pk}/"],
        "proposer": ["/proposals/mine/"],
        "auditor": ["/audit/"],
    }[persona]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_admin_works_under_the_policy(world, login):
    client = login(world.admin)
    urls = [
        "/admin/",
        "/admin/proposals/proposal/",
        f"/admin/proposals/proposal/{world.proposal.pk}/change/",
        "/admin/proposals/user/add/",
        "/admin/audit/auditevent/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)


def run_production(args: list[str], **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "x.example",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    environment.pop("DEBUG", None)
    # Set for the browser tests of the same pytest session (tests/e2e/conftest.py); a deployment
    # never has it, and `check --deploy` rightly refuses it (async.E001).
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(args, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter and fixed arguments


def test_check_deploy_is_clean_in_production_mode():
    result = run_production([sys.executable, "manage.py", "check", "--deploy"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_settings_harden_cookies_and_transport():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_CONTENT_TYPE_NOSNIFF,"
        "s.SECURE_REFERRER_POLICY, bool(s.CONTENT_SECURITY_POLICY))"
    )
    result = run_production([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "Lax", "True", "True", "True", "same-origin", "True"]


STYLE_ATTRIBUTE_DEBT: set[str] = set()  # pages allowed style="" attributes: none


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff", "handler_a", "leader_a", "proposer", "anonymous"])
def test_every_page_works_under_the_policy(world, login, persona):
    """Walk every URL: each HTML page a persona can open must need nothing inline."""
    from django.urls import reverse

    from tests.audit.urlwalk import walk
    from tests.factories import build_objects
    from tests.test_permission_matrix import OBJECT_OF_KIND, ROWS

    objects = build_objects(world)
    client = login(world.personas()[persona])
    checked = 0
    for route in walk():
        row = ROWS[route.name]
        kwargs = {}
        if route.params:
            kwargs = {route.params[0]: objects.a[OBJECT_OF_KIND.get(row.kind, row.kind)].pk}
        if route.name == "logout":
            continue
        response = client.get(reverse(route.name, kwargs=kwargs))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        try:
            assert_csp_clean(response, allow_style_attributes=route.name in STYLE_ATTRIBUTE_DEBT)
        except AssertionError as exc:
            raise AssertionError(f"{route.name} as {persona}: {exc}") from exc
        checked += 1
    assert checked >= (1 if persona == "anonymous" else 5)
