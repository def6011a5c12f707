from __future__ import annotations

import pytest

from replies import services
from replies.models import Reply
from tests.factories import World, complete_data


@pytest.fixture(autouse=True)
def _no_foreign_issue_checks(settings):
    """Other apps register issue checks (consultations: a signed record first); they test those.

    Here the reply's own rules are under test, so the list starts empty; tests that need a check
    append one to it. The list is emptied in place (the services package and its issuing module
    hold the same list) and given back its checks afterwards.
    """
    registered = list(services.ISSUE_CHECKS)
    services.ISSUE_CHECKS.clear()
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    yield
    services.ISSUE_CHECKS[:] = registered


@pytest.fixture
def draft(world: World) -> Reply:
    return services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data())


@pytest.fixture
def submitted(world: World, draft: Reply) -> Reply:
    return services.reply_submit(reply=draft, actor=world.handler_a)


@pytest.fixture
def issued(world: World, submitted: Reply) -> Reply:
    return services.reply_issue(reply=submitted, actor=world.leader_a)
