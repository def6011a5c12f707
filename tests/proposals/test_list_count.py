"""The list's count under assignment filters is written as IN (SELECT …) and counts the same rows as the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.filters import ProposalFilter
from proposals.models import AssignmentRole, AssignmentStatus, ProposalStatus
from proposals.selectors import proposals_visible_to
from tests.factories import make_assignment, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(world):
    """Proposals with assignments in every shape the filters tell apart, plus a draft of another user."""
    today = timezone.localdate()
    s = world.staff

    def proposal(title, **kw):
        return make_proposal(meeting=world.meeting, created_by=s, first_proposer=world.unrelated, title=title, **kw)

    both = proposal("两家承办")
    make_assignment(proposal=both, agency=world.agency_a, assigned_by=s, due=today - dt.timedelta(days=3))
    make_assignment(
        proposal=both, agency=world.agency_b, assigned_by=s, role=AssignmentRole.CO, due=today + dt.timedelta(days=40)
    )
    returned = proposal("甲退回的")
    make_assignment(proposal=returned, agency=world.agency_a, assigned_by=s, status=AssignmentStatus.RETURNED)
    only_b = proposal("乙承办")
    make_assignment(proposal=only_b, agency=world.agency_b, assigned_by=s, due=today + dt.timedelta(days=200))
    proposal("未交办")
    hidden = make_proposal(
        meeting=world.meeting, created_by=world.admin, title="别人的草稿", status=ProposalStatus.DRAFT
    )
    make_assignment(proposal=hidden, agency=world.agency_a, assigned_by=s)
    return world


@pytest.mark.parametrize(
    "params",
    [
        {"agency": "a"},
        {"agency": "b"},
        {"overdue": "true"},
        {"overdue": "false"},
        {"due_after": "+30"},
        {"due_before": "+100"},
        {"agency": "b", "due_after": "+30", "q": "承办"},
        {"meeting": "m", "agency": "a", "overdue": "false"},
        {"agency": "不是编号"},  # invalid: the valid fields still filter, as in ``qs``
    ],
)
def test_count_form_counts_exactly_the_rows_the_page_lists(spread, params):
    today = timezone.localdate()
    ids = {"a": spread.agency_a.pk, "b": spread.agency_b.pk, "m": spread.meeting.pk}
    data = {}
    for key, value in params.items():
        if key.startswith("due_"):
            value = (today + dt.timedelta(days=int(value))).isoformat()
        data[key] = ids.get(value, value)
    flt = ProposalFilter(data, queryset=proposals_visible_to(spread.staff))
    listed = set(flt.qs.values_list("pk", flat=True))
    assert listed, f"the data set should give every case rows: {params}"
    assert set(flt.count_qs.values_list("pk", flat=True)) == listed
    assert flt.count_qs.count() == len(listed)


def test_assignment_filters_count_with_in_and_page_with_exists(spread, login):
    client = login(spread.staff)
    with CaptureQueriesContext(connection) as ctx:
        # With a second filter: a list of one agency alone is counted from the assignment index.
        response = client.get(reverse("proposals:list"), {"agency": spread.agency_a.pk, "meeting": spread.meeting.pk})
    titles = {p.title for p in response.context["page"].object_list}
    assert titles == {spread.proposal.title, "两家承办"}  # not the returned one, not another's draft
    assert response.context["page"].paginator.count == 2
    count_sql = next(q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"])
    ids_query = 'SELECT "proposals_proposal"."id" AS'
    page_sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith(ids_query))
    assert "EXISTS" not in count_sql and '"id" IN (SELECT' in count_sql
    assert "EXISTS" in page_sql


def test_unfiltered_list_counts_the_list_itself(spread, login):
    page = login(spread.staff).get(reverse("proposals:list")).context["page"]
    assert page.paginator.count == proposals_visible_to(spread.staff).count() == 5


def test_visibility_written_for_counting_holds_the_same_rows_for_every_persona(spread):
    for name, user in spread.personas().items():
        visible = set(proposals_visible_to(user).values_list("pk", flat=True))
        counted = proposals_visible_to(user, for_count=True)
        assert set(counted.values_list("pk", flat=True)) == visible, name
        assert counted.count() == len(visible), name


def test_handler_list_counts_its_agency_with_in(spread, login):
    client = login(spread.handler_a)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("proposals:list"), {"meeting": spread.meeting.pk})
    page = response.context["page"]
    # Its agency's live assignments (the fixture's odd draft-with-assignment included), not the returned one.
    assert {p.title for p in page.object_list} == {spread.proposal.title, "两家承办", "别人的草稿"}
    assert page.paginator.count == 3
    count_sql = next(q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"])
    assert "EXISTS" not in count_sql and '"id" IN (SELECT' in count_sql


@pytest.mark.parametrize(
    "params",
    [{}, {"agency": "a"}, {"agency": "b"}, {"agency": "a", "o": "-due"}, {"page": "2"}, {"agency": "a", "q": "承办"}],
)
def test_count_equals_the_listed_rows_for_every_persona(spread, params):
    ids = {"a": spread.agency_a.pk, "b": spread.agency_b.pk}
    data = {k: ids.get(v, v) for k, v in params.items()} or None
    for name, user in spread.personas().items():
        flt = ProposalFilter(data, queryset=proposals_visible_to(user))
        assert flt.count(user) == len(flt.qs), (name, params)


def test_one_agency_lists_are_counted_from_the_assignment_index(spread, login):
    # staff + one agency: other people's drafts holding an assignment are not counted
    for user, params, expected, other_counts in [
        # Every meeting (``meeting=``): the staff list of one agency; by default it is the current meeting's.
        (spread.staff, {"agency": spread.agency_a.pk, "meeting": ""}, 2, 1),  # + the drafts subtracted
        (spread.handler_a, {}, 3, 0),  # the handler sees the draft that holds its assignment
        (spread.handler_a, {"o": "title"}, 3, 0),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            page = login(user).get(reverse("proposals:list"), params).context["page"]
        assert page.paginator.count == expected == len(page.object_list)
        counts = [q["sql"].split("WHERE")[0] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]
        counts = [sql for sql in counts if "oversight_notification" not in sql]  # the navbar's bell
        from_assignments = [sql for sql in counts if 'FROM "proposals_assignment"' in sql]
        assert len(from_assignments) == 1 and len(counts) == 1 + other_counts
