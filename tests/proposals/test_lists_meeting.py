"""The staff list opens on the current meeting, with a way to every meeting (issue 20); its filters
say 全部; unnumbered proposals come after the numbered ones of their meeting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from proposals.models import ProposalStatus
from tests.factories import make_assignment, make_meeting, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def older(world):
    """七届五次 with one proposal assigned to agency A (the world's meeting, 八届三次, is the latest)."""
    meeting = make_meeting(term=7, session=5, prefix="TC")
    p = make_proposal(
        meeting=meeting, created_by=world.staff, first_proposer=world.unrelated, title="七届五次的", number="TC0001"
    )
    make_assignment(proposal=p, agency=world.agency_a, assigned_by=world.staff)
    return meeting


def _titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


def test_staff_list_defaults_to_the_current_meeting(world, older, login):
    response = login(world.staff).get(reverse("proposals:list"))
    assert _titles(response) == [world.proposal.title]
    assert response.context["page"].paginator.count == 1
    assert response.context["meeting_defaulted"]
    text = response.content.decode()
    assert "默认只显示当前会议的提案" in text and 'href="?meeting="' in text
    # The filter shows which meeting it is.
    assert f'<option value="{world.meeting.pk}" selected>' in text


def test_meeting_marked_current_wins_over_the_latest(world, older, login):
    older.is_current = True
    older.save(update_fields=["is_current"])
    assert _titles(login(world.staff).get(reverse("proposals:list"))) == ["七届五次的"]


def test_all_meetings_on_request_and_kept_by_pager_and_sort_links(world, older, login):
    response = login(world.staff).get(reverse("proposals:list"), {"meeting": ""})
    assert set(_titles(response)) == {world.proposal.title, "七届五次的"}
    assert not response.context["meeting_defaulted"]
    assert "meeting=" in response.context["query"]
    assert all("meeting=" in link for link in response.context["sort_links"].values())


def test_handler_list_is_not_narrowed_to_a_meeting(world, older, login):
    response = login(world.handler_a).get(reverse("proposals:list"))
    assert set(_titles(response)) == {world.proposal.title, "七届五次的"}


def test_export_holds_the_rows_the_list_shows(world, older, login):
    client = login(world.staff)
    client.get(reverse("proposals:export"))
    client.get(reverse("proposals:export"), {"meeting": ""})
    details = list(AuditEvent.objects.filter(event="export").order_by("id").values_list("detail", flat=True))
    assert details == ["proposals.xlsx rows=1", "proposals.xlsx rows=2"]


def test_filters_offer_all_instead_of_dashes(world, login):
    text = login(world.staff).get(reverse("proposals:list")).content.decode()
    assert "---------" not in text
    # 会议, 状态, 承办单位, 类别, 重点提案, 超期
    assert text.count('<option value="">全部</option>') + text.count('<option value="" selected>全部</option>') >= 6


def test_unnumbered_proposals_come_after_the_numbered_ones_of_their_meeting(world, login):
    make_proposal(meeting=world.meeting, created_by=world.staff, title="待立案的")  # no number, filed first
    make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        title="二号",
        number="TA0002",
        sequence=2,
        status=ProposalStatus.REGISTERED,
    )
    make_proposal(meeting=world.meeting, created_by=world.staff, title="自己的草稿", status=ProposalStatus.DRAFT)
    titles = _titles(login(world.staff).get(reverse("proposals:list")))
    assert titles[:2] == [world.proposal.title, "二号"]
    assert set(titles[2:]) == {"待立案的", "自己的草稿"}
