from __future__ import annotations

import pytest

from tests.factories import PASSWORD, World, make_world


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # A cheap hasher keeps the many logins of the suite fast; media goes to a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"


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
