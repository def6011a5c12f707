from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from proposals import seed
from replies import services
from replies.models import Reply
from tests.factories import World


@pytest.fixture(autouse=True)
def _no_foreign_issue_checks(monkeypatch, settings):
    """Other apps register issue checks (consultations: a signed record first); they test those.

    Here the reply's own rules are under test, so the list starts empty; tests that need a check
    append one to this (patched) list.
    """
    monkeypatch.setattr(services, "ISSUE_CHECKS", [])
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False


def complete_data(**overrides) -> dict:
    """A draft that can be issued: the TA0207 text with a 负责人 (which the seed leaves blank)."""
    data = {
        "reply_class": "A",
        "body": "\n".join(seed.REPLY_PARAGRAPHS),
        "closing": seed.REPLY_CLOSING,
        "leader_name": "王主任",
        "handler_name": seed.REPLY_HANDLER,
        "phone": seed.REPLY_PHONE,
        "reply_date": timezone.localdate(),
        "is_public": True,
        "not_public_reason": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(world: World) -> Reply:
    return services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data())


@pytest.fixture
def submitted(world: World, draft: Reply) -> Reply:
    return services.reply_submit(reply=draft, actor=world.handler_a)


@pytest.fixture
def issued(world: World, submitted: Reply) -> Reply:
    return services.reply_issue(reply=submitted, actor=world.leader_a)


def yesterday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)
