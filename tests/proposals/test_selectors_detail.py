"""proposals.selectors.proposal_detail: the proposal's page as plain, frozen data for each persona."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import deadlines, services
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Proposal, ProposalStatus
from proposals.selectors import AssignmentRow, ProposalDetail, proposal_detail
from tests.factories import make_assignment

pytestmark = pytest.mark.django_db

ROW_FLAGS = (
    "work_links",
    "member_links",
    "member_can_rate",
    "can_accept",
    "can_return",
    "can_reassign",
    "can_request_extension",
)


def _row(world, who: str, assignment: Assignment | None = None) -> AssignmentRow:
    assignment = assignment or world.assignment
    proposal = Proposal.objects.select_related("meeting").get(pk=assignment.proposal_id)
    detail = proposal_detail(world.personas()[who], proposal)
    [row] = [r for r in detail.assignments if r.assignment.pk == assignment.pk]
    return row


def _flags(row: AssignmentRow) -> set[str]:
    return {name for name in ROW_FLAGS if getattr(row, name)}


def test_detail_is_frozen_data_and_leaves_the_models_alone(world):
    detail = proposal_detail(world.staff, world.proposal)
    assert isinstance(detail, ProposalDetail) and detail.proposal == world.proposal
    assert [c.pk for c in detail.cosigners] == [world.cosigner.pk]
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.can_set_key = False  # type: ignore[misc]
    [row] = detail.assignments
    assert row.assignment == world.assignment
    for name in (*ROW_FLAGS, "return_deadline", "show_work_links", "visible_extensions"):
        assert not hasattr(row.assignment, name), name
    assert isinstance(detail.timeline, tuple) and isinstance(detail.attachments, tuple)


@pytest.mark.parametrize(
    ("who", "flags"),
    [
        ("staff", {"work_links"}),
        ("handler_a", {"work_links", "can_accept", "can_return", "can_request_extension"}),
        ("leader_a", {"work_links", "can_accept", "can_return", "can_request_extension"}),
        ("proposer", set()),
        ("cosigner", set()),
    ],
)
def test_pending_assignment_offers_accept_and_return_to_its_agency(world, who, flags):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.PENDING)
    row = _row(world, who)
    assert _flags(row) == flags
    # Everyone who sees the assignment sees until when it may be returned.
    assert row.return_deadline == deadlines.return_deadline(row.assignment)


def test_return_deadline_only_while_pending_and_return_only_within_it(world):
    assert _row(world, "handler_a").return_deadline is None  # accepted
    Assignment.objects.filter(pk=world.assignment.pk).update(
        status=AssignmentStatus.PENDING, assigned_at=world.assignment.assigned_at - dt.timedelta(days=30)
    )
    row = _row(world, "handler_a")
    assert row.can_accept and not row.can_return and row.return_deadline is not None


def test_reply_and_rating_links_for_the_proposal_members(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REPLIED)
    for who in ("proposer", "cosigner"):
        assert _flags(_row(world, who)) == {"member_links", "member_can_rate"}
    assert _flags(_row(world, "handler_a")) == {"work_links"}
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REHANDLING)
    assert _flags(_row(world, "proposer")) == {"member_links"}
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REPLIED)
    Proposal.objects.filter(pk=world.proposal.pk).update(status=ProposalStatus.CLOSED)
    assert _flags(_row(world, "proposer")) == {"member_links"}


def test_cohandler_view_is_no_reply_to_the_member(world):
    co = make_assignment(
        proposal=world.proposal,
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.CO,
        status=AssignmentStatus.REPLIED,
    )
    assert _flags(_row(world, "proposer", co)) == set()


def test_returned_assignment_is_for_staff_to_reassign_once(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.RETURNED, return_reason="错了")
    assert _flags(_row(world, "staff")) == {"can_reassign"}  # no work links on a returned assignment
    replacement = make_assignment(proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff)
    Assignment.objects.filter(pk=world.assignment.pk).update(replaced_by=replacement)
    assert _flags(_row(world, "staff")) == set()


def test_extensions_are_shown_to_staff_and_the_agency_and_decided_by_staff(world):
    services.assignment_request_extension(
        assignment=world.assignment,
        actor=world.handler_a,
        reason="需要调研",
        requested_due_date=world.assignment.due_date + dt.timedelta(days=30),
    )
    [staff_view] = _row(world, "staff").extensions
    assert staff_view.can_decide and staff_view.extension.reason == "需要调研"
    handler = _row(world, "handler_a")
    assert [e.can_decide for e in handler.extensions] == [False]
    assert not handler.can_request_extension  # one pending request at a time
    assert _row(world, "proposer").extensions == ()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"show_personal_data", "show_key_note", "can_set_key", "can_add_attachment"}),
        ("handler_a", {"show_personal_data", "show_key_note"}),
        ("proposer", set()),
    ],
)
def test_page_flags_per_persona(world, who, expected):
    detail = proposal_detail(world.personas()[who], world.proposal)
    page_flags = (
        "show_personal_data",
        "show_key_note",
        "can_edit",
        "can_review",
        "can_assign",
        "can_set_key",
        "can_add_attachment",
    )
    assert {name for name in page_flags if getattr(detail, name)} == expected


def test_detail_queries_do_not_grow_with_pending_assignments(world, login):
    from proposals.models import Agency

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("proposals:detail", args=[world.proposal.pk])).status_code == 200
        return len(ctx.captured_queries)

    client = login(world.staff)
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.PENDING)
    # The first staff view indexes a proposal saved around the services for similar proposals
    # (proposals.similarity, issue 21): a one-off write, not a query per assignment.
    count()
    one = count()
    for i in range(4):
        agency = Agency.objects.create(name=f"丙{i}局")
        make_assignment(
            proposal=world.proposal,
            agency=agency,
            assigned_by=world.staff,
            role=AssignmentRole.CO,
            status=AssignmentStatus.PENDING,
        )
    assert count() == one


def test_detail_links_are_reversed_from_the_url_names(world, login):
    url = reverse("proposals:detail", args=[world.proposal.pk])
    body = login(world.handler_a).get(url).content.decode()
    assert f'href="{reverse("replies:assignment", args=[world.assignment.pk])}"' in body
    assert f'href="{reverse("consultations:assignment", args=[world.assignment.pk])}"' in body
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REPLIED)
    body = login(world.member_user).get(url).content.decode()
    assert f'href="{reverse("consultations:rate", args=[world.assignment.pk])}"' in body
