"""The lists' order (latest meeting first, then by number) rests on Proposal.meeting_order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from proposals.models import Proposal
from tests.factories import make_meeting, make_proposal

pytestmark = pytest.mark.django_db


def test_meeting_order_follows_the_meeting_on_create_move_and_correction(world):
    earlier = make_meeting(term=7, session=2, prefix="TB")
    p = make_proposal(meeting=earlier, created_by=world.staff, first_proposer=world.unrelated, title="七届的")
    assert p.meeting_order == earlier.sort_key == 70002
    assert world.proposal.meeting_order == world.meeting.sort_key == 80003

    p.meeting = world.meeting
    p.save(update_fields=["meeting"])
    assert Proposal.objects.get(pk=p.pk).meeting_order == 80003

    p.meeting = earlier
    p.save()
    earlier.session = 4  # an administrator corrects the meeting
    earlier.save()
    assert Proposal.objects.get(pk=p.pk).meeting_order == 70004
    earlier.last_sequence = 9
    earlier.save(update_fields=["last_sequence"])  # numbering does not touch the order
    assert Proposal.objects.get(pk=p.pk).meeting_order == 70004


def test_list_shows_the_latest_meeting_first_then_by_number(world, login):
    older = make_meeting(term=7, session=5, prefix="TC")
    newer = make_meeting(term=9, session=1, prefix="TD")
    make_proposal(
        meeting=older,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="七届五次",
        number="TC0001",
        sequence=1,
    )
    make_proposal(
        meeting=newer,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="九届一次二号",
        number="TD0002",
        sequence=2,
    )
    make_proposal(
        meeting=newer,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="九届一次一号",
        number="TD0001",
        sequence=1,
    )
    # Every meeting (``meeting=``): by default the staff list holds the current meeting's only.
    page = login(world.staff).get(reverse("proposals:list"), {"meeting": ""}).context["page"]
    titles = [p.title for p in page.object_list]
    assert titles[:2] == ["九届一次一号", "九届一次二号"]
    assert titles.index("七届五次") > titles.index(world.proposal.title)  # 八届三次 before 七届五次


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("title", "proposal_by_title"),
        ("-created", "proposal_by_created"),
        ("due", "proposal_next_due"),
        ("-due", "proposal_next_due_desc"),
        ("-number", "proposal_sequence_desc"),
    ],
)
def test_sorted_page_is_read_from_an_index_in_that_order(world, sort, index):
    from proposals.selectors import proposal_list

    if connection.vendor != "postgresql":
        pytest.skip("planner check on PostgreSQL; SQLite's plans were measured (docs/PERFORMANCE.md)")
    qs = proposal_list(world.staff, {"o": sort}).ordered
    ids = qs.values_list("pk", flat=True)[:50]  # the page query of IdsFirstPaginator
    with connection.cursor() as cursor:
        # On a tiny table the planner would sort in memory; forbidding the sort leaves the index that
        # already has the order, if there is one.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        compiled, params = ids.query.sql_with_params()
        cursor.execute("EXPLAIN " + compiled, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan and "Sort" not in plan, plan
