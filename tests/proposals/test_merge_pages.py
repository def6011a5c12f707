"""并案 pages (issue 21 follow-ups): taking a proposal out lands back on the page the button was
pressed on, and the messages and timeline name an unnumbered proposal by its title."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from proposals.models import Proposal, ProposalAction, TimelineEvent
from proposals.services import proposal_register
from proposals.services.merging import proposal_name, proposals_merge
from proposals.views import merge as merge_views
from tests.factories import make_proposal

pytestmark = pytest.mark.django_db

LEAD_TITLE = "关于发展冷链物流的建议"
SECOND_TITLE = "关于建设冷链仓储的建议"
THIRD_TITLE = "关于冷链物流园区的建议"


@pytest.fixture
def group(world):
    """张三's proposal leads 王五's and 李四's, all three waiting for review (no number yet)."""
    lead, second, third = (
        make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=member, title=title)
        for member, title in (
            (world.proposer, LEAD_TITLE),
            (world.unrelated, SECOND_TITLE),
            (world.cosigner, THIRD_TITLE),
        )
    )
    proposals_merge(lead=lead, others=[second, third], actor=world.staff)
    return lead, second, third


def detail(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.pk])


def notes(proposal: Proposal, action: str) -> list[str]:
    return list(
        TimelineEvent.objects.filter(proposal=proposal, action=action).order_by("id").values_list("note", flat=True)
    )


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def take_out(client, proposal: Proposal, **fields):
    return client.post(reverse("proposals:unmerge", args=[proposal.pk]), {"confirm": "1", **fields})


def test_taking_one_out_on_the_leads_page_lands_back_on_it(world, group, login):
    lead, second, third = group
    client = login(world.staff)
    page = client.get(detail(lead)).content.decode()
    # Each of the group box's forms names the page it is on.
    assert page.count(f'<input type="hidden" name="back" value="{lead.pk}">') == 3  # two members, the whole group

    response = take_out(client, third, back=lead.pk)

    assert response.status_code == 302 and response.url == detail(lead)
    assert flashes(response) == [f"已移出并案：“{THIRD_TITLE}”恢复单独办理。"]
    third.refresh_from_db()
    second.refresh_from_db()
    assert (third.merged_into_id, second.merged_into_id) == (None, lead.pk)
    # The timeline names the unnumbered proposals by title, not by id.
    assert notes(lead, ProposalAction.MERGE_UNDO) == [f"移出并案：“{THIRD_TITLE}”"]
    assert notes(third, ProposalAction.MERGE_UNDO) == [f"移出“{LEAD_TITLE}”的并案，单独办理"]
    assert notes(lead, ProposalAction.MERGE) == [f"作为主提案，并入：“{SECOND_TITLE}”、“{THIRD_TITLE}”"]
    assert notes(third, ProposalAction.MERGE) == [f"并入“{LEAD_TITLE}”（主提案），随主提案办理"]
    # The lead's page, where staff land, shows the message and the group without the one taken out.
    landed = client.get(response.url).content.decode()
    assert f"已移出并案：“{THIRD_TITLE}”恢复单独办理。" in landed
    assert f'data-merge-member="{second.pk}"' in landed and f'data-merge-member="{third.pk}"' not in landed


def test_taking_one_out_on_its_own_page_lands_on_it(world, group, login):
    _lead, _second, third = group
    response = take_out(login(world.staff), third, back=third.pk)
    assert response.url == detail(third)
    third.refresh_from_db()
    assert third.merged_into_id is None


def test_taking_one_out_on_another_members_page_lands_on_that_page(world, group, login):
    _lead, second, third = group
    response = take_out(login(world.staff), third, back=second.pk)
    assert response.url == detail(second)


@pytest.mark.parametrize("back", ["", "abc", "outside"])
def test_a_back_page_outside_the_group_lands_on_the_lead(world, group, login, back):
    lead, _second, third = group
    if back == "outside":
        back = world.proposal.pk  # TA0001, in no group
    response = take_out(login(world.staff), third, back=back)
    assert response.url == detail(lead)
    third.refresh_from_db()
    assert third.merged_into_id is None


def test_dissolving_on_the_leads_page_lands_on_it(world, group, login):
    lead, _second, _third = group
    response = take_out(login(world.staff), lead, back=lead.pk)
    assert response.url == detail(lead)
    assert flashes(response) == ["已撤销并案。"]
    assert not Proposal.objects.filter(merged_into=lead).exists()
    assert notes(lead, ProposalAction.MERGE_UNDO) == [f"撤销并案：“{SECOND_TITLE}”、“{THIRD_TITLE}”"]


def test_the_confirmation_step_keeps_the_page_and_changes_nothing(world, group, login):
    lead, _second, third = group
    response = login(world.staff).post(reverse("proposals:unmerge", args=[third.pk]), {"back": lead.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"本提案不再随“{LEAD_TITLE}”办理" in page
    assert 'name="back"' in page and f'value="{lead.pk}"' in page  # posted again with confirm=1
    assert f'href="{detail(lead)}"' in page  # the way back: the page it came from
    third.refresh_from_db()
    assert third.merged_into_id == lead.pk


def test_a_numbered_proposal_keeps_its_number_in_the_messages(world, group, login):
    lead, _second, third = group
    proposal_register(proposal=lead, actor=world.staff)  # the group is numbered with its lead
    third.refresh_from_db()
    assert third.number == "TA0004"
    response = take_out(login(world.staff), third, back=lead.pk)
    assert flashes(response) == ["已移出并案：第 TA0004 号提案恢复单独办理。"]
    assert notes(lead, ProposalAction.MERGE_UNDO) == ["移出并案：第 TA0004 号提案"]


def test_the_merge_page_names_the_merged_by_title(world, login, monkeypatch):
    lead = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title=LEAD_TITLE)
    other = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title=SECOND_TITLE
    )
    # Offered as similar (the similarity index is built after commit, which a test does not reach).
    monkeypatch.setattr(merge_views, "_offered", lambda proposal: [(other, 90)])
    response = login(world.staff).post(reverse("proposals:merge", args=[lead.pk]), {"others": [other.pk]})
    assert response.status_code == 302 and response.url == detail(lead)
    assert flashes(response) == [f"已并案：“{SECOND_TITLE}”并入本提案，随本提案办理。"]
    other.refresh_from_db()
    assert other.merged_into_id == lead.pk


def test_name_falls_back_to_the_id_without_a_title(world):
    untitled = make_proposal(meeting=world.meeting, created_by=world.staff, title="")
    assert proposal_name(untitled) == f"未编号的提案（ID {untitled.pk}）"


def test_get_on_unmerge_is_405_and_an_outsider_gets_404(world, group, login):
    _lead, _second, third = group
    url = reverse("proposals:unmerge", args=[third.pk])
    assert login(world.staff).get(url).status_code == 405
    assert login(world.handler_b).post(url, {"confirm": "1"}).status_code == 404
    third.refresh_from_db()
    assert third.merged_into_id is not None
