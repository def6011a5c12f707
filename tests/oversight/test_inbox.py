"""Notifications in the app (issue 19, item 2): each event notifies whoever acts next, in the same
transaction as the change; the bell counts the unread ones; a notification opens its page (which
keeps its own 404 rule) and is then read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.inbox import notify_deadline, unread_count
from oversight.models import Notification
from proposals import services
from proposals.errors import DomainError
from proposals.models import AssignmentRole, ProposalStatus
from replies import services as reply_services
from tests.factories import REPLY_DATA, make_assignment, make_proposal, record, schedule

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_an_assignment_notifies_the_agencys_people_not_the_one_who_acted(world):
    p = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, status=ProposalStatus.REGISTERED
    )
    p.number = "TA0009"
    p.save(update_fields=["number"])
    services.proposal_assign(
        proposal=p, actor=world.staff, specs=[services.AssignmentSpec(agency=world.agency_b, role=AssignmentRole.LEAD)]
    )
    assert titles(world.handler_b) == [f"收到交办：第 TA0009 号 {p.title}"]
    assert titles(world.handler_a) == [] and titles(world.staff) == []


def test_submit_notifies_the_leader_and_a_return_the_handler(world):
    reply = reply_services.reply_create(assignment=world.assignment, actor=world.handler_a, data=REPLY_DATA)
    reply = reply_services.reply_submit(reply=reply, actor=world.handler_a)
    assert [n.split("：")[0] for n in titles(world.leader_a)] == ["答复待签发"]
    note = Notification.objects.get(user=world.leader_a)
    assert note.url == reverse("replies:assignment", args=[world.assignment.pk])
    reply_services.reply_return(reply=reply, actor=world.leader_a, comment="请补充")
    assert [n.split("：")[0] for n in titles(world.handler_a)] == ["答复被退回修改"]


def test_a_record_to_sign_notifies_the_member(world):
    record(world, schedule(world))
    assert [n.split("：")[0] for n in titles(world.member_user)] == ["面商记录待您签字"]
    assert titles(world.cosigner_user) == []  # the record is the first proposer's


def test_a_refused_change_notifies_nobody(world):
    with pytest.raises(DomainError):
        services.proposal_register(proposal=world.proposal, actor=world.handler_a)
    assert Notification.objects.count() == 0


def test_deadline_reminders_once_per_due_date(world):
    world.assignment.due_date = timezone.localdate() - dt.timedelta(days=1)
    world.assignment.save(update_fields=["due_date"])
    assert notify_deadline(world.assignment, overdue=True) == 2  # handler and leader of agency A
    assert notify_deadline(world.assignment, overdue=True) == 0
    assert titles(world.handler_a)[0].startswith("已超期：")


def test_the_bell_counts_unread_and_opening_marks_read(world, login):
    make_assignment(proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff)  # no event: no note
    notify_deadline(world.assignment, overdue=False)
    client = login(world.handler_a)
    page = client.get(reverse("proposals:inbox")).content.decode()
    assert 'id="nav-unread">1<' in page
    note = Notification.objects.get(user=world.handler_a)
    response = client.get(reverse("oversight:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == note.url
    assert unread_count(world.handler_a) == 0
    # Someone else's notification is not there for another user.
    assert login(world.handler_b).get(reverse("oversight:notification_open", args=[note.pk])).status_code == 404


def test_mark_all_read(world, login):
    notify_deadline(world.assignment, overdue=False)
    notify_deadline(world.assignment, overdue=True)
    client = login(world.handler_a)
    assert client.get(reverse("oversight:notifications")).status_code == 200
    client.post(reverse("oversight:notifications_read"))
    assert unread_count(world.handler_a) == 0
