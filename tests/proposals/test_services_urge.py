"""催办: staff urge an open assignment due within a week or past due; the timeline records it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from proposals import services
from proposals.choices import ProposalAction
from proposals.models import AssignmentStatus, TimelineEvent
from proposals.permissions import can_urge
from proposals.selectors import timeline_visible_to
from tests.factories import last_event, refused

pytestmark = pytest.mark.django_db


def due_in(world, days: int, status: str = AssignmentStatus.ACCEPTED):
    a = world.assignment
    a.due_date = timezone.localdate() + dt.timedelta(days=days)
    a.status = status
    a.save(update_fields=["due_date", "status"])
    return a


@pytest.mark.parametrize("days", [7, 0, -30])
def test_staff_urge_an_assignment_due_within_a_week_or_past_due(world, days):
    a = due_in(world, days)
    event = services.assignment_urge(assignment=a, actor=world.staff, note="  请本周内答复  ")
    assert event == last_event(world.proposal)
    assert event.action == ProposalAction.URGE and event.assignment == a and event.actor == world.staff
    assert event.note == f"{world.agency_a.name}：请本周内答复"
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED  # an urge moves nothing


def test_an_assignment_due_in_eight_days_cannot_be_urged(world):
    a = due_in(world, 8)
    assert not can_urge(world.staff, a)
    with refused(services.NOT_URGEABLE):
        services.assignment_urge(assignment=a, actor=world.staff, note="请答复")
    assert not TimelineEvent.objects.filter(action=ProposalAction.URGE).exists()


@pytest.mark.parametrize("status", [AssignmentStatus.REPLIED, AssignmentStatus.RETURNED, AssignmentStatus.DONE])
def test_an_assignment_no_longer_open_cannot_be_urged(world, status):
    a = due_in(world, -3, status)
    assert not can_urge(world.staff, a)
    with refused(services.NOT_URGEABLE):
        services.assignment_urge(assignment=a, actor=world.staff, note="请答复")


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "handler_b", "proposer", "admin"])
def test_only_staff_urge(world, persona):
    a = due_in(world, -1)
    user = world.personas()[persona]
    assert not can_urge(user, a)
    with refused(services.NOT_ALLOWED):
        services.assignment_urge(assignment=a, actor=user, note="请答复")
    assert can_urge(world.staff, a)


def test_an_urge_needs_a_note(world):
    a = due_in(world, -1)
    with refused(services.URGE_NOTE_REQUIRED):
        services.assignment_urge(assignment=a, actor=world.staff, note="   ")
    assert not TimelineEvent.objects.filter(action=ProposalAction.URGE).exists()


def test_the_member_does_not_see_the_urge_the_agency_does(world):
    a = due_in(world, -1)
    event = services.assignment_urge(assignment=a, actor=world.staff, note="请答复")
    assert event not in list(timeline_visible_to(world.member_user, world.proposal))
    assert event in list(timeline_visible_to(world.handler_a, world.proposal))
    assert event in list(timeline_visible_to(world.staff, world.proposal))
