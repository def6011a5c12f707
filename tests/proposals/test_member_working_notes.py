"""Members never read the working notes of the handling (issue 18, finding 10).

A return reason (退回理由), an extension's reason and its decision (审批意见), a leader's return
comment on a reply (退回意见) and the supervision note (督办说明) are the committee's and the
agencies' working papers. Each is written with a marker below, then every page a member of the
proposal opens — and every message a member is sent — is read for the markers. Staff and the agency
still see them where they did.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from oversight.models import SentNotification
from oversight.reminders import send_reminders
from proposals import services
from proposals.models import AssignmentRole, AssignmentStatus
from replies import services as reply_services
from tests.factories import draft_reply, make_assignment, record, schedule, sign

pytestmark = pytest.mark.django_db

RETURN_REASON = "退回理由：职责不在本单位ZX1"
EXTENSION_REASON = "延期理由：需要调研ZX2"
DECISION_NOTE = "审批意见：同意延期ZX3"
LEADER_COMMENT = "负责人退回意见：数据有误ZX4"
KEY_NOTE = "督办说明：主席督办ZX5"
NOTES = (RETURN_REASON, EXTENSION_REASON, DECISION_NOTE, LEADER_COMMENT, KEY_NOTE)


@pytest.fixture
def handled(world):
    returned = make_assignment(
        proposal=world.proposal,
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.CO,
        status=AssignmentStatus.PENDING,
    )
    services.assignment_return(assignment=returned, actor=world.handler_b, reason=RETURN_REASON)
    extension = services.assignment_request_extension(
        assignment=world.assignment,
        actor=world.handler_a,
        reason=EXTENSION_REASON,
        requested_due_date=world.assignment.due_date + dt.timedelta(days=10),
    )
    services.extension_approve(extension=extension, actor=world.staff, note=DECISION_NOTE)
    services.proposal_set_key(proposal=world.proposal, actor=world.staff, is_key=True, note=KEY_NOTE)
    reply = draft_reply(world)
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    reply_services.reply_return(reply=reply, actor=world.leader_a, comment=LEADER_COMMENT)
    consultation = sign(world, record(world, schedule(world)))
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    reply = reply_services.reply_issue(reply=reply, actor=world.leader_a)
    world.returned, world.reply, world.consultation = returned, reply, consultation
    return world


def _member_pages(w) -> list[str]:
    return [
        reverse("proposals:detail", args=[w.proposal.pk]),
        reverse("proposals:mine"),
        reverse("proposals:list"),
        reverse("replies:assignment", args=[w.assignment.pk]),
        reverse("replies:detail", args=[w.reply.pk]),
        reverse("consultations:assignment", args=[w.assignment.pk]),
        reverse("consultations:rate", args=[w.assignment.pk]),
        reverse("consultations:sign", args=[w.consultation.pk]),
        reverse("consultations:mine"),
    ]


@pytest.mark.parametrize("persona", ["proposer", "cosigner"])
def test_no_member_page_shows_a_working_note(handled, login, persona):
    client = login(handled.personas()[persona])
    for url in _member_pages(handled):
        response = client.get(url)
        if response.status_code == 404:  # the co-signer's record is not theirs
            continue
        assert response.status_code == 200, url
        body = response.content.decode()
        for note in NOTES:
            assert note not in body, (url, note)


def test_the_returned_assignment_is_still_listed_for_the_member_without_its_reason(handled, login):
    body = login(handled.member_user).get(reverse("proposals:detail", args=[handled.proposal.pk])).content.decode()
    assert f'id="assignment-{handled.returned.pk}"' in body and handled.agency_b.name in body
    assert "退回理由" not in body


def test_no_message_to_a_member_carries_a_working_note(handled, settings):
    handled.proposer.email = "zhangsan@example.org"
    handled.proposer.save(update_fields=["email"])
    send_reminders()
    to_member = SentNotification.objects.filter(recipient="zhangsan@example.org")
    assert to_member.exists()
    for message in to_member:
        for note in NOTES:
            assert note not in message.subject + message.body


def test_staff_still_read_the_return_reason_extension_and_key_note(handled, login):
    body = login(handled.staff).get(reverse("proposals:detail", args=[handled.proposal.pk])).content.decode()
    for note in (RETURN_REASON, EXTENSION_REASON, DECISION_NOTE, KEY_NOTE):
        assert note in body, note


def test_the_agency_still_reads_its_extension(handled, login):
    body = login(handled.handler_a).get(reverse("proposals:detail", args=[handled.proposal.pk])).content.decode()
    assert EXTENSION_REASON in body and DECISION_NOTE in body
