"""Proposal.next_due (the list's 办理时限 sort column) follows the live assignments through every service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.models import Agency, AssignmentRole, Proposal, ProposalStatus, Role, refresh_next_due
from tests.factories import make_proposal, make_user

pytestmark = pytest.mark.django_db


def _next_due(proposal) -> dt.date | None:
    return Proposal.objects.values_list("next_due", flat=True).get(pk=proposal.pk)


def test_next_due_follows_assign_return_reassign_and_extension(world):
    today = timezone.localdate()
    p = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, status=ProposalStatus.REGISTERED
    )
    assert _next_due(p) is None  # not assigned yet

    _lead, co = services.proposal_assign(
        proposal=p,
        actor=world.staff,
        specs=[
            services.AssignmentSpec(agency=world.agency_a, role=AssignmentRole.LEAD, due_date=today + dt.timedelta(90)),
            services.AssignmentSpec(agency=world.agency_b, role=AssignmentRole.CO, due_date=today + dt.timedelta(30)),
        ],
    )
    assert _next_due(p) == today + dt.timedelta(30)  # the earlier of the two

    services.assignment_return(assignment=co, actor=world.handler_b, reason="不属于本单位职责")
    assert _next_due(p) == today + dt.timedelta(90)  # a returned assignment no longer counts

    other = Agency.objects.create(name="丙市财政局")
    new = services.assignment_reassign(
        assignment=co, actor=world.staff, agency=other, due_date=today + dt.timedelta(60)
    )
    assert _next_due(p) == today + dt.timedelta(60)

    handler = make_user("handler_c", Role.HANDLER, agency=other)
    services.assignment_accept(assignment=new, actor=handler)
    extension = services.assignment_request_extension(
        assignment=new, actor=handler, reason="需要调研", requested_due_date=today + dt.timedelta(120)
    )
    assert _next_due(p) == today + dt.timedelta(60)  # a request alone moves nothing
    services.extension_approve(extension=extension, actor=world.staff)
    assert _next_due(p) == today + dt.timedelta(90)  # now the lead's date is the earliest


def test_full_save_of_a_stale_proposal_keeps_the_current_next_due(world):
    stale = Proposal.objects.get(pk=world.proposal.pk)
    world.assignment.due_date = timezone.localdate() + dt.timedelta(days=7)
    world.assignment.save(update_fields=["due_date"])
    stale.title = "改过的标题"
    stale.save()  # its next_due was read before the due date moved
    assert _next_due(world.proposal) == world.assignment.due_date


def test_refresh_next_due_repairs_rows_written_around_save(world):
    Proposal.objects.filter(pk=world.proposal.pk).update(next_due=None)
    assert refresh_next_due() >= 1
    assert _next_due(world.proposal) == world.assignment.due_date


def test_list_sorts_by_the_stored_next_due_with_unassigned_last(world, login):
    today = timezone.localdate()
    soon = make_proposal(
        meeting=world.meeting, created_by=world.staff, title="快到期", status=ProposalStatus.REGISTERED
    )
    services.proposal_assign(
        proposal=soon,
        actor=world.staff,
        specs=[services.AssignmentSpec(agency=world.agency_b, role=AssignmentRole.LEAD, due_date=today)],
    )
    make_proposal(meeting=world.meeting, created_by=world.staff, title="未交办")
    client = login(world.staff)
    url = reverse("proposals:list")

    def titles(order):
        return [p.title for p in client.get(url, {"o": order}).context["page"].object_list]

    assert titles("due") == ["快到期", world.proposal.title, "未交办"]
    assert titles("-due") == [world.proposal.title, "快到期", "未交办"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignment_changes_leave_the_right_next_due():
    """T2's refresh waits for T1's lock on the proposal and then sees T1's committed due date."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite runs one writer at a time")
    from proposals.models import Assignment, AssignmentStatus
    from tests.factories import make_assignment, make_world

    world = make_world()
    today = timezone.localdate()
    a1 = world.assignment  # due in 90 days
    a2 = make_assignment(
        proposal=world.proposal,
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.CO,
        status=AssignmentStatus.PENDING,
        due=today + dt.timedelta(days=50),
    )
    assert _next_due(world.proposal) == today + dt.timedelta(days=50)
    t1_locked, errors = threading.Event(), []

    def t1() -> None:
        try:
            with transaction.atomic():
                row = Assignment.objects.select_for_update().get(pk=a1.pk)
                row.due_date = today + dt.timedelta(days=10)
                row.save(update_fields=["due_date"])  # locks the proposal row until commit
                t1_locked.set()
                time.sleep(0.5)  # T2 is now waiting for the proposal row
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def t2() -> None:
        try:
            t1_locked.wait(5)
            with transaction.atomic():
                row = Assignment.objects.select_for_update().get(pk=a2.pk)
                row.status = AssignmentStatus.RETURNED
                row.save(update_fields=["status"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=t1), threading.Thread(target=t2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _next_due(world.proposal) == today + dt.timedelta(days=10)
