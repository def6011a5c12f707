"""The co-signer's side of issue 21's follow-ups: co-signers are stored in the order they were picked
(the record, the letter and the ratings follow it), not in the order of their names; and 确认联名,
after which a co-signer can no longer withdraw, asks first, on the page or without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals import services
from proposals.choices import CosignRule, CosignStatus, ProposalAction
from proposals.forms import MemberDraftForm, MemberProposalForm
from proposals.models import Member, Proposal, ProposalCosigner, ProposerKind, TimelineEvent
from proposals.services import cosign
from proposals.view_actions import PREVIEW_HEADER

pytestmark = pytest.mark.django_db

PICKED = ("李四", "赵六", "钱七", "孙八")  # by name they sort 孙八, 李四, 赵六, 钱七


@pytest.fixture
def members(world) -> dict[str, Member]:
    for i, name in enumerate(("赵六", "钱七", "孙八"), start=1):
        Member.objects.create(name=name, phone=f"1380000011{i}")
    return {m.name: m for m in Member.objects.all()}


def stored(proposal: Proposal) -> list[str]:
    rows = ProposalCosigner.objects.filter(proposal=proposal).order_by("order", "pk")
    return list(rows.values_list("member__name", flat=True))


def ids(members: dict[str, Member], names) -> list[int]:
    return [members[n].pk for n in names]


def file_joint(client, world, members) -> Proposal:
    """The member files a joint proposal through the form, co-signers picked in ``PICKED`` order."""
    response = client.post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "关于推进老旧小区加装电梯的建议",
            "proposer_kind": "joint",
            "cosigners": ids(members, PICKED),
            "main_content": "建议加快推进。",
        },
    )
    assert response.status_code == 302
    return Proposal.objects.get(title="关于推进老旧小区加装电梯的建议")


def test_the_field_keeps_the_order_the_values_were_sent_in(world, members):
    assert sorted(PICKED) != list(PICKED)  # the names' order differs: the test can tell them apart
    data = {
        "meeting": world.meeting.pk,
        "title": "t",
        "proposer_kind": "joint",
        "main_content": "x",
        # 李四 sent twice: once, in his first place.
        "cosigners": [*ids(members, PICKED), members["李四"].pk],
    }
    form = MemberProposalForm(data, author=world.proposer, user=world.member_user)
    assert form.is_valid(), form.errors
    assert [m.name for m in form.cleaned_data["cosigners"]] == list(PICKED)
    assert [m.name for m in form.service_kwargs()["cosigners"]] == list(PICKED)


def test_a_member_files_and_edits_a_joint_proposal_in_the_picked_order(world, members, login):
    client = login(world.member_user)
    proposal = file_joint(client, world, members)
    assert stored(proposal) == list(PICKED)
    reordered = ("孙八", "钱七", "李四")
    client.post(
        reverse("proposals:edit", args=[proposal.pk]),
        {
            "title": proposal.title,
            "proposer_kind": "joint",
            "cosigners": ids(members, reordered),
            "main_content": "建议加快推进。",
        },
    )
    assert stored(proposal) == list(reordered)


def test_staff_type_in_the_cosigners_in_the_order_of_the_paper(world, members, login):
    response = login(world.staff).post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "关于发展冷链物流产业的建议",
            "proposer_kind": "joint",
            "first_proposer": world.proposer.pk,
            "cosigners": ids(members, PICKED),
            "main_content": "主要内容",
        },
    )
    assert response.status_code == 302
    assert stored(Proposal.objects.get(title="关于发展冷链物流产业的建议")) == list(PICKED)


# --- 确认联名 asks first ---------------------------------------------------------------------------


@pytest.fixture
def invited(world) -> Proposal:
    """张三's joint proposal, submitted under the rule 全部确认: 李四 is asked to confirm."""
    committee = world.meeting.committee
    committee.cosign_rule = CosignRule.ALL
    committee.save(update_fields=["cosign_rule"])
    world.meeting.cosign_window_days = 5
    world.meeting.save(update_fields=["cosign_window_days"])
    draft = services.proposal_create(
        actor=world.member_user,
        meeting=world.meeting,
        title="关于推进城区老旧小区加装电梯的建议",
        main_content="建议加快推进。",
        proposer_kind=ProposerKind.JOINT,
        cosigners=[world.cosigner],
    )
    return services.proposal_submit(proposal=draft, actor=world.member_user)


def row_status(proposal: Proposal, member: Member) -> str:
    return ProposalCosigner.objects.get(proposal=proposal, member=member).status


def confirmed_events(proposal: Proposal) -> int:
    return TimelineEvent.objects.filter(proposal=proposal, action=ProposalAction.COSIGN_CONFIRM).count()


def test_the_confirm_button_asks_on_the_page(world, invited, login):
    html = login(world.cosigner_user).get(reverse("proposals:cosign", args=[invited.pk])).content.decode()
    url = reverse("proposals:cosign_confirm", args=[invited.pk])
    form = html[html.index(f'action="{url}"') :]
    assert form[: form.index(">")].rstrip().endswith("data-confirm-dialog")


def test_confirming_without_javascript_asks_first_then_confirms(world, invited, login):
    client = login(world.cosigner_user)
    url = reverse("proposals:cosign_confirm", args=[invited.pk])
    asked = client.post(url)
    page = asked.content.decode()
    assert asked.status_code == 200 and "不能再退出联名" in page and 'name="confirm" value="1"' in page
    assert row_status(invited, world.cosigner) == CosignStatus.PENDING and confirmed_events(invited) == 0
    # The page's dialog asks the same question and nothing is done either.
    preview = client.post(url, {"confirm": "1"}, headers={PREVIEW_HEADER: "1"})
    assert preview.status_code == 200 and "不能再退出联名" in preview.content.decode()
    assert row_status(invited, world.cosigner) == CosignStatus.PENDING
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("proposals:detail", args=[invited.pk])
    assert row_status(invited, world.cosigner) == CosignStatus.CONFIRMED and confirmed_events(invited) == 1
    # Confirmed: nothing to ask any more, and the refusal says why.
    again = client.post(url, follow=True).content.decode()
    assert str(cosign.NOT_INVITED) in again and confirmed_events(invited) == 1


def test_someone_not_asked_is_not_shown_the_question(world, invited, login):
    response = login(world.member_user).post(reverse("proposals:cosign_confirm", args=[invited.pk]), follow=True)
    assert "不能再退出联名" not in response.content.decode()
    assert row_status(invited, world.cosigner) == CosignStatus.PENDING


def test_the_edit_form_offers_the_cosigners_in_the_proposals_order(world, members, login):
    """Opening a draft again keeps the order of the paper: the form's initial co-signers come in
    the stored order, not sorted by name, so saving it unchanged changes nothing."""
    client = login(world.member_user)
    proposal = file_joint(client, world, members)
    initial = MemberDraftForm.initial_for(proposal)["cosigners"]
    assert [m.name for m in initial] == list(PICKED)
    page = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    positions = [page.find(f'value="{members[name].pk}" selected') for name in PICKED]
    assert -1 not in positions and positions == sorted(positions), positions
    # Saved unchanged, as a browser sends it: the chosen options in the page's order.
    in_page_order = [
        pk for _at, pk in sorted((page.find(f'value="{members[n].pk}" selected'), members[n].pk) for n in PICKED)
    ]
    response = client.post(
        reverse("proposals:edit", args=[proposal.pk]),
        {"title": proposal.title, "proposer_kind": "joint", "cosigners": in_page_order, "main_content": "另一稿。"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.main_content == "另一稿。"  # the save went through
    assert stored(proposal) == list(PICKED)
