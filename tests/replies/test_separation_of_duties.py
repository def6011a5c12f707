"""Separation of duties (issue 18, finding 14): whoever submits a reply for sign-off cannot issue it.

One leader could draft, submit and issue a reply alone, under a made-up 承办人. The reply now
records who submitted it (shown to staff and the agency, never to the member), a new draft's
承办人 is its author, and the one who submitted it may not issue it while
``REPLY_SEPARATE_SUBMIT_AND_ISSUE`` is on (the default; read only in ``replies.rules``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from proposals.models import Role, TimelineEvent
from replies import rules, services
from replies.models import ReplyStatus
from tests.factories import complete_data, make_user, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_leader(world):
    return make_user("leader_a2", Role.LEADER, agency=world.agency_a, display_name="甲副负责人")


@pytest.fixture
def alone(world):
    """A reply the leader drafted and submitted alone."""
    reply = services.reply_create(assignment=world.assignment, actor=world.leader_a, data=complete_data())
    return services.reply_submit(reply=reply, actor=world.leader_a)


def test_the_leader_who_submitted_cannot_issue_and_nothing_is_written(world, alone):
    events = TimelineEvent.objects.count()
    with refused(rules.SUBMITTER_CANNOT_ISSUE):
        services.reply_issue(reply=alone, actor=world.leader_a)
    alone.refresh_from_db()
    assert alone.status == ReplyStatus.SUBMITTED and alone.signed_by is None and not alone.pdf
    assert TimelineEvent.objects.count() == events
    assert not services.can_issue(world.leader_a, alone)


def test_another_leader_of_the_agency_issues_it(world, alone, second_leader):
    assert services.can_issue(second_leader, alone)
    reply = services.reply_issue(reply=alone, actor=second_leader)
    assert reply.status == ReplyStatus.ISSUED
    assert (reply.submitted_by, reply.signed_by) == (world.leader_a, second_leader)


def test_the_leader_who_submitted_may_still_return_it(world, alone):
    assert services.can_return(world.leader_a, alone)
    reply = services.reply_return(reply=alone, actor=world.leader_a, comment="撤回修改")
    assert reply.status == ReplyStatus.DRAFT


def test_handler_submits_and_leader_issues_as_before(world, submitted):
    assert submitted.submitted_by == world.handler_a
    reply = services.reply_issue(reply=submitted, actor=world.leader_a)
    assert reply.status == ReplyStatus.ISSUED and reply.signed_by == world.leader_a


def test_every_submit_records_its_submitter(world, submitted):
    services.reply_return(reply=submitted, actor=world.leader_a, comment="请修改")
    again = services.reply_submit(reply=submitted, actor=world.leader_a)
    assert again.submitted_by == world.leader_a
    with refused(rules.SUBMITTER_CANNOT_ISSUE):
        services.reply_issue(reply=again, actor=world.leader_a)


def test_the_rule_can_be_switched_off(world, alone, settings):
    settings.REPLY_SEPARATE_SUBMIT_AND_ISSUE = False
    assert services.reply_issue(reply=alone, actor=world.leader_a).status == ReplyStatus.ISSUED


def test_a_new_drafts_handler_is_its_author(world):
    reply = services.reply_create(assignment=world.assignment, actor=world.leader_a)
    assert reply.handler_name == "甲负责人" and reply.created_by == world.leader_a


def test_the_page_tells_the_submitter_and_offers_no_issue(world, alone, login):
    body = login(world.leader_a).get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert str(rules.SUBMITTER_CANNOT_ISSUE) in body
    assert reverse("replies:issue", args=[alone.pk]) not in body
    assert reverse("replies:return", args=[alone.pk]) in body


def test_the_issue_post_of_the_submitter_is_refused(world, alone, login):
    response = login(world.leader_a).post(reverse("replies:issue", args=[alone.pk]), follow=True)
    assert str(rules.SUBMITTER_CANNOT_ISSUE) in response.content.decode()
    alone.refresh_from_db()
    assert alone.status == ReplyStatus.SUBMITTED


def test_staff_and_agency_see_who_submitted_the_member_does_not(world, login, second_leader, alone):
    reply = services.reply_issue(reply=alone, actor=second_leader)
    for user in (world.staff, world.handler_a):
        client = login(user)
        for url in (
            reverse("replies:assignment", args=[world.assignment.pk]),
            reverse("replies:detail", args=[reply.pk]),
        ):
            body = client.get(url).content.decode()
            assert "提交人" in body and world.leader_a.display_name in body, (user, url)
    member = login(world.member_user)
    for url in (reverse("replies:assignment", args=[world.assignment.pk]), reverse("replies:detail", args=[reply.pk])):
        assert "提交人" not in member.get(url).content.decode(), url


def test_the_setting_is_read_in_one_place():
    root = Path(__file__).resolve().parents[2]
    sources = [
        p
        for top in ("proposals", "replies", "consultations", "oversight", "templates")
        for p in (root / top).rglob("*")
        if p.suffix in {".py", ".html"}
    ]
    readers = sorted(
        str(p.relative_to(root)) for p in sources if "REPLY_SEPARATE_SUBMIT_AND_ISSUE" in p.read_text("utf-8")
    )
    assert readers == ["replies/rules.py"]  # and config/settings.py, which sets it


def test_a_leader_who_rewrites_a_submitted_reply_becomes_its_submitter(world, submitted, second_leader):
    """Editing the handler's submitted text and issuing it is one person's letter again."""
    services.reply_save_draft(
        reply=submitted, actor=world.leader_a, data={"body": "负责人改写的正文。"}, expected_version=submitted.version
    )
    submitted.refresh_from_db()
    assert submitted.submitted_by == world.leader_a
    with refused(rules.SUBMITTER_CANNOT_ISSUE):
        services.reply_issue(reply=submitted, actor=world.leader_a)
    assert services.reply_issue(reply=submitted, actor=second_leader).signed_by == second_leader


def test_a_leader_who_only_reads_a_submitted_reply_may_issue_it(world, submitted):
    services.reply_save_draft(reply=submitted, actor=world.leader_a, data={}, expected_version=submitted.version)
    submitted.refresh_from_db()
    assert submitted.submitted_by == world.handler_a  # nothing changed: still the handler's letter
    assert services.reply_issue(reply=submitted, actor=world.leader_a).status == ReplyStatus.ISSUED
