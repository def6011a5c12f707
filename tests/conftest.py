from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import pdf_cache
from tests.factories import PASSWORD, World, make_world

DOCUMENT_TESTS = Path(__file__).resolve().parent / "documents"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # A cheap hasher keeps the many logins of the suite fast; media goes to a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit-anchor.log"  # the anchors of this test's database only
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _remembered_pdfs(request, monkeypatch):
    """A document already rendered in this session is not rendered again (see tests/pdf_cache.py);
    the renderer's own tests render every time, and PDF_RENDER_CACHE=0 turns this off."""
    if os.environ.get("PDF_RENDER_CACHE") == "0" or DOCUMENT_TESTS in Path(request.node.path).parents:
        return
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", pdf_cache.remembering(weasyprint.HTML))


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def login(client):
    """login(user) logs the Django test client in as that user (None stays anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
