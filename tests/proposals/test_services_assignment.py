from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from proposals import deadlines, services
from proposals.choices import ProposalAction
from proposals.deadlines import add_months, add_working_days
from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Proposal,
    ProposalStatus,
)
from proposals.services import AssignmentSpec
from tests.factories import last_event, make_assignment, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, submitted):
    return services.proposal_register(proposal=submitted, actor=world.staff)


@pytest.fixture
def agency_c(db):
    return Agency.objects.create(name="丙市文化和旅游局")


@pytest.fixture
def pending(world, registered):
    [a] = services.proposal_assign(
        proposal=registered, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_a, role="lead")]
    )
    return a


def test_lead_with_cohandler_gets_default_due_dates(world, registered, agency_c):
    today = timezone.localdate()
    lead, co = services.proposal_assign(
        proposal=registered,
        actor=world.staff,
        specs=[
            AssignmentSpec(agency=world.agency_b, role=AssignmentRole.CO),
            AssignmentSpec(agency=world.agency_a, role=AssignmentRole.LEAD),
        ],
    )
    assert (lead.agency, lead.role, lead.status) == (world.agency_a, "lead", AssignmentStatus.PENDING)
    assert lead.due_date == lead.original_due_date == add_months(today, 3)
    assert (co.agency, co.role, co.due_date) == (world.agency_b, "co", add_months(today, 1))
    registered.refresh_from_db()
    assert registered.status == ProposalStatus.ASSIGNED
    event = last_event(registered)
    assert (event.action, event.from_state, event.to_state) == (ProposalAction.ASSIGN, "registered", "assigned")
    assert world.agency_a.name in event.note and world.agency_b.name in event.note


def test_meeting_settings_change_the_default_due_dates(world, registered):
    world.meeting.due_months = 2
    world.meeting.save()
    [a] = services.proposal_assign(
        proposal=registered, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_a, role="lead")]
    )
    assert a.due_date == add_months(timezone.localdate(), 2)


def test_split_between_agencies_with_scopes(world, registered):
    due = timezone.localdate() + dt.timedelta(days=60)
    created = services.proposal_assign(
        proposal=registered,
        actor=world.staff,
        specs=[
            AssignmentSpec(agency=world.agency_a, role=AssignmentRole.SPLIT, scope="第一条", due_date=due),
            AssignmentSpec(agency=world.agency_b, role=AssignmentRole.SPLIT, scope="第二条", due_date=due),
        ],
    )
    assert [(a.agency, a.scope, a.due_date) for a in created] == [
        (world.agency_a, "第一条", due),
        (world.agency_b, "第二条", due),
    ]


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (["co"], services.ASSIGN_NEEDS_ANSWERER),
        (["lead", "lead"], services.ASSIGN_ONE_LEAD),
        (["lead", "split"], services.ASSIGN_LEAD_OR_SPLIT),
        (["split", "co"], services.ASSIGN_CO_NEEDS_LEAD),
        ([], services.ASSIGN_NEEDS_ANSWERER),
    ],
)
def test_assignment_shape_is_checked(world, registered, agency_c, roles, message):
    agencies = [world.agency_a, world.agency_b, agency_c]
    specs = [AssignmentSpec(agency=agencies[i], role=r, scope="x") for i, r in enumerate(roles)]
    with refused(message):
        services.proposal_assign(proposal=registered, actor=world.staff, specs=specs)
    assert not Assignment.objects.filter(proposal=registered).exists()


def test_same_agency_twice_is_refused_and_nothing_written(world, registered):
    specs = [
        AssignmentSpec(agency=world.agency_a, role="split", scope="一"),
        AssignmentSpec(agency=world.agency_a, role="split", scope="二"),
    ]
    with refused(services.AGENCY_TWICE):
        services.proposal_assign(proposal=registered, actor=world.staff, specs=specs)
    registered.refresh_from_db()
    assert registered.status == ProposalStatus.REGISTERED
    assert not Assignment.objects.filter(proposal=registered).exists()


def test_due_date_before_assignment_date_is_refused(world, registered):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with refused(services.DUE_BEFORE_ASSIGNMENT):
        services.proposal_assign(
            proposal=registered,
            actor=world.staff,
            specs=[AssignmentSpec(agency=world.agency_a, role="lead", due_date=yesterday)],
        )
    assert not Assignment.objects.filter(proposal=registered).exists()


def test_only_a_registered_proposal_is_assigned_and_only_by_staff(world, registered, submitted):
    spec = [AssignmentSpec(agency=world.agency_b, role="lead")]
    with refused(services.NOT_ALLOWED):
        services.proposal_assign(proposal=registered, actor=world.handler_a, specs=spec)
    with refused(services.NOT_REGISTERED):
        services.proposal_assign(proposal=world.proposal, actor=world.staff, specs=spec)


def test_handler_accepts_and_timeline_says_so(world, pending):
    services.assignment_accept(assignment=pending, actor=world.handler_a)
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.ACCEPTED and pending.accepted_at is not None
    event = last_event(pending.proposal)
    assert (event.action, event.assignment, event.actor, event.to_state) == (
        ProposalAction.ACCEPT,
        pending,
        world.handler_a,
        "accepted",
    )
    with refused(services.NOT_PENDING):
        services.assignment_accept(assignment=pending, actor=world.leader_a)


@pytest.mark.parametrize("who", ["handler_b", "staff", "member_user"])
def test_others_cannot_accept_or_return(world, pending, who):
    actor = getattr(world, who)
    with refused(services.NOT_ALLOWED):
        services.assignment_accept(assignment=pending, actor=actor)
    with refused(services.NOT_ALLOWED):
        services.assignment_return(assignment=pending, actor=actor, reason="x")
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING


def test_return_within_window_then_staff_reassign(world, pending):
    services.assignment_return(assignment=pending, actor=world.leader_a, reason="不属于本单位职责")
    pending.refresh_from_db()
    assert (pending.status, pending.return_reason) == (AssignmentStatus.RETURNED, "不属于本单位职责")
    assert last_event(pending.proposal).action == ProposalAction.RETURN
    new = services.assignment_reassign(assignment=pending, actor=world.staff, agency=world.agency_b)
    pending.refresh_from_db()
    assert pending.replaced_by == new
    assert (new.agency, new.role, new.status) == (world.agency_b, "lead", AssignmentStatus.PENDING)
    event = last_event(new.proposal)
    assert (event.action, event.assignment) == (ProposalAction.REASSIGN, new)
    with refused(services.ALREADY_REASSIGNED):
        services.assignment_reassign(assignment=pending, actor=world.staff, agency=world.agency_a)


def test_return_needs_a_reason(world, pending):
    with refused(services.RETURN_REASON_REQUIRED):
        services.assignment_return(assignment=pending, actor=world.handler_a, reason="  ")


def test_return_after_the_window_is_refused(world, pending):
    # Assigned on a Monday long ago: 7 working days are long gone.
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 21)
    Assignment.objects.filter(pk=pending.pk).update(
        assigned_at=timezone.make_aware(dt.datetime.combine(monday, dt.time(10)))
    )
    with refused(services.RETURN_WINDOW_PASSED % {"days": 7}):
        services.assignment_return(assignment=pending, actor=world.handler_a, reason="晚了")
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING


def test_return_window_counts_working_days(world, pending):
    # Assigned on a Friday: 7 working days end on the Tuesday 11 days later.
    friday = dt.date(2024, 7, 5)
    Assignment.objects.filter(pk=pending.pk).update(
        assigned_at=timezone.make_aware(dt.datetime.combine(friday, dt.time(10)))
    )
    pending.refresh_from_db()
    assert deadlines.return_deadline(pending) == dt.date(2024, 7, 16)
    assert deadlines.can_still_return(pending, today=dt.date(2024, 7, 16))
    assert not deadlines.can_still_return(pending, today=dt.date(2024, 7, 17))


def test_reassign_only_a_returned_assignment_to_a_free_agency(world, pending, agency_c):
    with refused(services.NOT_RETURNED):
        services.assignment_reassign(assignment=pending, actor=world.staff, agency=agency_c)
    co = Assignment.objects.create(
        proposal=pending.proposal,
        agency=world.agency_b,
        role="co",
        assigned_by=world.staff,
        due_date=pending.due_date,
        original_due_date=pending.due_date,
    )
    services.assignment_return(assignment=pending, actor=world.handler_a, reason="非本单位")
    with refused(services.AGENCY_TWICE):
        services.assignment_reassign(assignment=pending, actor=world.staff, agency=co.agency)
    with refused(services.NOT_ALLOWED):
        services.assignment_reassign(assignment=pending, actor=world.handler_b, agency=agency_c)


def test_extension_request_and_approval_move_the_due_date(world):
    a = world.assignment
    old_due = a.due_date
    wanted = old_due + dt.timedelta(days=30)
    ext = services.assignment_request_extension(
        assignment=a, actor=world.handler_a, reason="需要调研", requested_due_date=wanted
    )
    assert ext.status == ExtensionStatus.PENDING and last_event(a.proposal).action == ProposalAction.EXTENSION_REQUEST
    with refused(services.EXTENSION_ALREADY_PENDING):
        services.assignment_request_extension(
            assignment=a, actor=world.handler_a, reason="再申请", requested_due_date=wanted
        )
    services.extension_approve(extension=ext, actor=world.staff, note="同意")
    a.refresh_from_db()
    ext.refresh_from_db()
    assert (a.due_date, a.original_due_date) == (wanted, old_due)
    assert (ext.status, ext.new_due_date, ext.decided_by) == (ExtensionStatus.APPROVED, wanted, world.staff)
    assert last_event(a.proposal).action == ProposalAction.EXTENSION_APPROVE
    with refused(services.EXTENSION_NOT_PENDING):
        services.extension_refuse(extension=ext, actor=world.staff)


def test_staff_may_approve_a_different_date(world):
    a = world.assignment
    ext = services.assignment_request_extension(
        assignment=a, actor=world.handler_a, reason="r", requested_due_date=a.due_date + dt.timedelta(days=60)
    )
    services.extension_approve(extension=ext, actor=world.staff, new_due_date=a.due_date + dt.timedelta(days=20))
    old = a.due_date
    a.refresh_from_db()
    assert a.due_date == old + dt.timedelta(days=20)


def test_extension_refused_leaves_due_date(world):
    a = world.assignment
    ext = services.assignment_request_extension(
        assignment=a, actor=world.handler_a, reason="r", requested_due_date=a.due_date + dt.timedelta(days=5)
    )
    services.extension_refuse(extension=ext, actor=world.staff, note="时间充足")
    ext.refresh_from_db()
    due = a.due_date
    a.refresh_from_db()
    assert ext.status == ExtensionStatus.REFUSED and a.due_date == due
    assert last_event(a.proposal).note.endswith("时间充足")


def test_extension_rules(world):
    a = world.assignment
    with refused(services.EXTENSION_NOT_LATER):
        services.assignment_request_extension(
            assignment=a, actor=world.handler_a, reason="r", requested_due_date=a.due_date
        )
    with refused(services.EXTENSION_REASON_REQUIRED):
        services.assignment_request_extension(
            assignment=a, actor=world.handler_a, reason="", requested_due_date=a.due_date + dt.timedelta(days=1)
        )
    with refused(services.NOT_ALLOWED):
        services.assignment_request_extension(
            assignment=a, actor=world.handler_b, reason="r", requested_due_date=a.due_date + dt.timedelta(days=1)
        )
    ext = services.assignment_request_extension(
        assignment=a, actor=world.handler_a, reason="r", requested_due_date=a.due_date + dt.timedelta(days=1)
    )
    with refused(services.NOT_ALLOWED):
        services.extension_approve(extension=ext, actor=world.handler_a)
    with refused(services.DUE_BEFORE_ASSIGNMENT):
        services.extension_approve(
            extension=ext, actor=world.staff, new_due_date=timezone.localdate() - dt.timedelta(days=400)
        )
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.PENDING


def test_no_extension_for_a_returned_assignment(world):
    returned = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, status=AssignmentStatus.RETURNED
    )
    with refused(services.NOT_OPEN):
        services.assignment_request_extension(
            assignment=returned,
            actor=world.handler_b,
            reason="r",
            requested_due_date=returned.due_date + dt.timedelta(1),
        )


def test_is_overdue_flag(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    world.assignment.refresh_from_db()
    assert world.assignment.is_overdue
    assert Proposal.objects.get(pk=world.proposal.pk).status == ProposalStatus.ASSIGNED


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2024, 4, 9), 3, dt.date(2024, 7, 9)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
        (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),
    ],
)
def test_add_months_clamps_the_day(start, months, expected):
    assert add_months(start, months) == expected


def test_add_working_days_skips_weekends():
    assert add_working_days(dt.date(2024, 7, 5), 1) == dt.date(2024, 7, 8)  # Fri -> Mon
    assert add_working_days(dt.date(2024, 7, 6), 1) == dt.date(2024, 7, 8)  # Sat -> Mon
    assert add_working_days(dt.date(2024, 7, 8), 5) == dt.date(2024, 7, 15)
