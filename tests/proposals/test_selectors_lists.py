"""proposals.selectors: the list, export, inbox and 我的提案 queries that the views call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, AssignmentRole, AssignmentStatus, ProposalStatus
from proposals.selectors import (
    LIST_DEFERRED,
    inbox_assignments,
    proposal_export_rows,
    proposal_list,
    recent_proposals,
)
from tests.factories import make_assignment, make_proposal

pytestmark = pytest.mark.django_db


def _assigned(world, title, agency=None, **assignment):
    p = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title=title,
        status=ProposalStatus.ASSIGNED,
    )
    return make_assignment(proposal=p, agency=agency or world.agency_a, assigned_by=world.staff, **assignment)


def test_list_page_holds_the_ordered_rows_with_their_assignments_read_ahead(world):
    for i in range(3):
        _assigned(world, f"列表{i}")
    proposals = proposal_list(world.staff, {"o": "title"})
    ordered = [p.pk for p in proposals.ordered]
    page = proposals.page(1, 2)
    assert page.paginator.count == len(ordered) == 4
    assert [p.pk for p in page.object_list] == ordered[:2]
    with CaptureQueriesContext(connection) as ctx:
        agencies = [a.agency.name for p in page.object_list for a in p.live_assignments]
        meetings = [p.meeting.pk for p in page.object_list]
    assert len(ctx.captured_queries) == 0 and agencies and meetings
    assert set(LIST_DEFERRED) <= page.object_list[0].get_deferred_fields()


def test_list_applies_the_query_string_within_what_the_user_may_see(world):
    b = _assigned(world, "乙单位的", agency=world.agency_b)
    staff_b = proposal_list(world.staff, {"agency": str(world.agency_b.pk)})
    assert staff_b.filter.is_bound and [p.pk for p in staff_b.ordered] == [b.proposal_id]
    assert staff_b.page(1, 50).paginator.count == 1
    # Another agency's handler asking for agency B gets nothing of it.
    assert list(proposal_list(world.handler_a, {"agency": str(world.agency_b.pk)}).ordered) == []
    assert [p.pk for p in proposal_list(world.handler_a, {}).ordered] == [world.proposal.pk]
    # No query string: the unbound filter and the default order.
    assert not proposal_list(world.staff, {}).filter.is_bound


def test_export_rows_read_only_the_written_columns(world):
    from proposals.selectors import EXPORT_FIELDS

    _assigned(world, "导出", scope="第一条", role=AssignmentRole.SPLIT)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(proposal_export_rows(world.staff, {}))
    assert len(rows) == 2 and rows[0]._fields == EXPORT_FIELDS
    [sql] = [q["sql"] for q in ctx.captured_queries if '"proposals_proposal"."title"' in q["sql"]]
    # Never the long texts, never a member's phone or work unit.
    for column in ("main_content", "search_text", "phone", "work_unit"):
        assert f'."{column}"' not in sql


def test_export_of_a_member_reads_their_proposal_ids_once(world, login):
    client = login(world.member_user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("proposals:export")).status_code == 200
    unions = [q["sql"] for q in ctx.captured_queries if " UNION " in q["sql"]]
    assert len(unions) == 1, unions


def test_recent_proposals_are_the_visible_ones_newest_first(world):
    newer = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="新的")
    make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="别人的")
    assert [p.pk for p in recent_proposals(world.member_user)] == [newer.pk, world.proposal.pk]


def test_handler_inbox_holds_open_then_replied_work_never_returned_or_done(world):
    today = timezone.localdate()
    soon = _assigned(world, "快到期", due=today + dt.timedelta(days=5))
    pending = _assigned(world, "待签收", status=AssignmentStatus.PENDING, due=today + dt.timedelta(days=10))
    replied = _assigned(world, "已答复", status=AssignmentStatus.REPLIED, due=today + dt.timedelta(days=1))
    _assigned(world, "已退回", status=AssignmentStatus.RETURNED, due=today)
    _assigned(world, "已办结", status=AssignmentStatus.DONE, due=today)
    _assigned(world, "乙单位的", agency=world.agency_b, due=today)
    expected = [soon.pk, pending.pk, world.assignment.pk, replied.pk]
    assert [a.pk for a in inbox_assignments(world.handler_a)] == expected
    assert [a.pk for a in inbox_assignments(world.leader_a)] == expected


def test_staff_queue_is_returned_not_yet_reassigned_and_pending_extensions(world):
    today = timezone.localdate()
    waiting = _assigned(world, "待重新交办", status=AssignmentStatus.RETURNED, due=today + dt.timedelta(days=3))
    done = _assigned(world, "已改交", status=AssignmentStatus.RETURNED, due=today + dt.timedelta(days=1))
    replacement = make_assignment(proposal=done.proposal, agency=world.agency_b, assigned_by=world.staff)
    Assignment.objects.filter(pk=done.pk).update(replaced_by=replacement)
    refused = _assigned(world, "延期未批准")
    extension = services.assignment_request_extension(
        assignment=refused,
        actor=world.handler_a,
        reason="r",
        requested_due_date=refused.due_date + dt.timedelta(days=9),
    )
    services.extension_refuse(extension=extension, actor=world.staff, note="不必")
    services.assignment_request_extension(
        assignment=world.assignment,
        actor=world.handler_a,
        reason="r",
        requested_due_date=world.assignment.due_date + dt.timedelta(days=9),
    )
    queue = list(inbox_assignments(world.staff))
    assert [(a.pk, a.has_pending_extension) for a in queue] == [(waiting.pk, False), (world.assignment.pk, True)]
    returned = {a.pk for a in queue if a.status == AssignmentStatus.RETURNED}
    assert returned == set(Assignment.objects.returned_waiting().values_list("pk", flat=True))


def test_staff_queue_queries_do_not_grow_with_rows(world, login):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("proposals:staff_queue"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client = login(world.staff)
    for i in range(2):
        _assigned(world, f"退回{i}", status=AssignmentStatus.RETURNED)
    small = count()
    for i in range(2, 20):
        _assigned(world, f"退回{i}", status=AssignmentStatus.RETURNED)
    assert count() == small
    assert client.get(reverse("proposals:staff_queue")).context["page"].paginator.count == 20
