"""Co-signer confirmation (联名确认, issue 21 item 1): invitation on submission with a deadline on the
working-day calendar, online confirmation and declining by the co-signer, paper confirmation and
removal by staff, and the committee's rule at registration (single and batch)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import Notification
from proposals import services
from proposals.batch import BatchAction, BatchSpec, run_batch
from proposals.choices import CosignMethod, CosignRule, CosignStatus, ProposalAction
from proposals.errors import DomainError
from proposals.models import Attachment, Proposal, ProposalCosigner, ProposalStatus, ProposerKind, TimelineEvent
from proposals.proposers import proposal_proposers
from proposals.roles import NOT_ALLOWED
from proposals.selectors import get_proposal_for_user, proposals_visible_to
from proposals.services import cosign
from tests.factories import fake_pdf_upload, last_event, make_proposal, make_user, pdf_upload, refused

pytestmark = pytest.mark.django_db

# A Friday before the 2024 National Day holiday: Sunday 29 September was a make-up working day
# (调休), 1–7 October were holidays.
FRIDAY = dt.date(2024, 9, 27)


def set_rule(world, rule: str, window: int = 5) -> None:
    committee = world.meeting.committee
    committee.cosign_rule = rule
    committee.save(update_fields=["cosign_rule"])
    world.meeting.cosign_window_days = window
    world.meeting.save(update_fields=["cosign_window_days"])


def submitted_joint(world, *cosigners) -> Proposal:
    """张三 drafts a joint proposal with these co-signers and submits it."""
    draft = services.proposal_create(
        actor=world.member_user,
        meeting=world.meeting,
        title="关于推进老旧小区加装电梯的建议",
        main_content="建议加快推进。",
        proposer_kind=ProposerKind.JOINT,
        cosigners=list(cosigners or (world.cosigner,)),
    )
    return services.proposal_submit(proposal=draft, actor=world.member_user)


def rows(proposal) -> dict[str, ProposalCosigner]:
    return {r.member.name: r for r in ProposalCosigner.objects.filter(proposal=proposal).select_related("member")}


def past_deadline(proposal, *names: str) -> None:
    """Move these co-signers' windows into the past (yesterday was their last day)."""
    qs = ProposalCosigner.objects.filter(proposal=proposal)
    if names:
        qs = qs.filter(member__name__in=names)
    qs.update(due_date=timezone.localdate() - dt.timedelta(days=1))


@pytest.fixture
def wang_user(world):
    return world.unrelated_user  # 王五, asked as a second co-signer in some tests


# --- Invitation ---------------------------------------------------------------------------------


def test_rule_none_changes_nothing(world):
    p = submitted_joint(world)
    row = rows(p)["李四"]
    assert row.status == CosignStatus.CONFIRMED and row.invited_at is None and row.due_date is None
    assert not TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_INVITE).exists()
    assert cosign.cosign_rule_met(p) == []
    services.proposal_register(proposal=p, actor=world.staff)
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.REGISTERED


def test_submission_asks_each_cosigner_by_a_working_day_deadline(world, wang_user, monkeypatch):
    set_rule(world, CosignRule.ALL, window=5)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: FRIDAY)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    by_name = rows(p)
    for row in by_name.values():
        assert row.status == CosignStatus.PENDING and row.invited_at is not None
        # 29 Sep (make-up day), 30 Sep, then 8, 9, 10 October after the holiday week.
        assert row.due_date == dt.date(2024, 10, 10)
    event = last_event(p)
    assert event.action == ProposalAction.COSIGN_INVITE
    assert "李四" in event.note and "王五" in event.note and "2024年10月10日" in event.note
    # Each co-signer hears of it, with the page where they confirm; the proposer does not.
    url = reverse("proposals:cosign", args=[p.pk])
    for user in (world.cosigner_user, wang_user):
        assert Notification.objects.filter(user=user, kind=ProposalAction.COSIGN_INVITE, url=url).exists()
    assert not Notification.objects.filter(user=world.member_user, kind=ProposalAction.COSIGN_INVITE).exists()


def test_staff_filing_a_joint_proposal_from_paper_asks_too(world):
    set_rule(world, CosignRule.ANY)
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="关于城区停车的建议",
        main_content="内容",
        proposer_kind=ProposerKind.JOINT,
        first_proposer=world.proposer,
        cosigners=[world.cosigner],
    )
    assert rows(p)["李四"].status == CosignStatus.PENDING
    assert last_event(p).action == ProposalAction.COSIGN_INVITE


def test_an_individual_proposal_asks_nobody(world):
    set_rule(world, CosignRule.ALL)
    draft = services.proposal_create(
        actor=world.member_user, meeting=world.meeting, title="个人提案", main_content="内容"
    )
    p = services.proposal_submit(proposal=draft, actor=world.member_user)
    assert last_event(p).action == ProposalAction.SUBMIT


def test_a_pending_cosigner_sees_the_proposal_but_is_not_yet_a_proposer(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    assert get_proposal_for_user(world.cosigner_user, p.pk) == p
    assert [m.name for m in proposal_proposers(p)] == ["张三"]
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    assert [m.name for m in proposal_proposers(p)] == ["张三", "李四"]


# --- Confirming online --------------------------------------------------------------------------


def test_cosigner_confirms_online(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    row = rows(p)["李四"]
    assert row.status == CosignStatus.CONFIRMED and row.confirm_method == CosignMethod.ONLINE
    assert row.confirmed_by == world.cosigner_user and row.confirmed_at is not None
    event = last_event(p)
    assert (event.action, event.actor, event.note) == (
        ProposalAction.COSIGN_CONFIRM,
        world.cosigner_user,
        "李四网上确认联名",
    )


@pytest.mark.parametrize("who", ["member_user", "unrelated_user", "handler_a"])
def test_only_the_cosigner_confirms(world, who):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    with refused(cosign.NOT_INVITED):
        cosign.cosign_confirm(proposal=p, actor=getattr(world, who))
    assert rows(p)["李四"].status == CosignStatus.PENDING


def test_staff_cannot_confirm_online_for_a_member(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    with refused(cosign.NOT_INVITED):
        cosign.cosign_confirm(proposal=p, actor=world.staff)


def test_confirming_twice_is_refused(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    with refused(cosign.NOT_INVITED):
        cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    assert TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_CONFIRM).count() == 1


def test_no_online_confirmation_after_the_deadline(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    past_deadline(p)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    message = cosign.CONFIRM_DEADLINE_PASSED % {"due": f"{yesterday.year}年{yesterday.month}月{yesterday.day}日"}
    with refused(message):
        cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    assert rows(p)["李四"].status == CosignStatus.PENDING


def test_no_confirmation_once_the_proposal_was_not_registered(world, db):
    from proposals.models import DeclineReason

    set_rule(world, CosignRule.ANY)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    cosign.cosign_confirm(proposal=p, actor=world.unrelated_user)
    services.proposal_decline(proposal=p, actor=world.staff, reason=DeclineReason.objects.create(text="重复提案"))
    with refused(cosign.COSIGN_CLOSED):
        cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)


# --- Declining ----------------------------------------------------------------------------------


def test_declining_removes_the_cosigner_and_the_last_one_makes_it_individual(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    became_individual = cosign.cosign_decline(proposal=p, actor=world.cosigner_user, reason="未参与起草")
    assert became_individual
    assert not ProposalCosigner.objects.filter(proposal=p).exists()
    p.refresh_from_db()
    assert p.proposer_kind == ProposerKind.INDIVIDUAL
    notes = list(
        TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_DECLINE)
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == ["李四退出联名：未参与起草", "已无联名人，本提案改为个人提案"]
    # Out of it: the member no longer sees the proposal; the first proposer is told.
    assert not proposals_visible_to(world.cosigner_user).filter(pk=p.pk).exists()
    assert Notification.objects.filter(user=world.member_user, kind=ProposalAction.COSIGN_DECLINE).exists()
    # An individual proposal now: registration is not held up.
    services.proposal_register(proposal=p, actor=world.staff)


def test_declining_one_of_two_keeps_it_joint(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    assert not cosign.cosign_decline(proposal=p, actor=world.unrelated_user)
    p.refresh_from_db()
    assert p.proposer_kind == ProposerKind.JOINT and list(rows(p)) == ["李四"]
    assert last_event(p).note == "王五退出联名"


def test_only_the_cosigner_declines(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    for actor in (world.member_user, world.staff, world.unrelated_user):
        with refused(cosign.NOT_INVITED):
            cosign.cosign_decline(proposal=p, actor=actor)
    assert list(rows(p)) == ["李四"]


def test_a_confirmed_cosigner_cannot_decline_afterwards(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    with refused(cosign.NOT_INVITED):
        cosign.cosign_decline(proposal=p, actor=world.cosigner_user)


def test_a_too_long_reason_is_refused(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    with refused(cosign.DECLINE_REASON_TOO_LONG % {"max": cosign.DECLINE_REASON_MAX_CHARS}):
        cosign.cosign_decline(proposal=p, actor=world.cosigner_user, reason="长" * 501)
    assert list(rows(p)) == ["李四"]


# --- Paper confirmation by staff ----------------------------------------------------------------


def test_staff_record_a_paper_confirmation_with_its_scan(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    past_deadline(p)  # the paper may come in after the online window
    cosign.cosign_record_paper(proposal=p, actor=world.staff, member=world.cosigner, scan=pdf_upload("联名确认书.pdf"))
    row = rows(p)["李四"]
    assert (row.status, row.confirm_method, row.confirmed_by) == (
        CosignStatus.CONFIRMED,
        CosignMethod.PAPER,
        world.staff,
    )
    scan = Attachment.objects.get(proposal=p)
    assert scan.original_name == "联名确认书.pdf" and len(scan.sha256) == 64
    assert last_event(p).note == "李四纸质确认联名（扫描件：联名确认书.pdf）"


def test_paper_confirmation_needs_a_real_scan(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    with refused(cosign.SCAN_REQUIRED):
        cosign.cosign_record_paper(proposal=p, actor=world.staff, member=world.cosigner, scan=None)
    with pytest.raises(DomainError):
        cosign.cosign_record_paper(proposal=p, actor=world.staff, member=world.cosigner, scan=fake_pdf_upload())
    assert rows(p)["李四"].status == CosignStatus.PENDING
    assert not Attachment.objects.filter(proposal=p).exists()


def test_paper_confirmation_only_by_the_committees_staff_for_a_pending_cosigner(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    for actor in (world.handler_a, world.cosigner_user, world.member_user):
        with refused(NOT_ALLOWED):
            cosign.cosign_record_paper(proposal=p, actor=actor, member=world.cosigner, scan=pdf_upload())
    with refused(cosign.MEMBER_NOT_PENDING):
        cosign.cosign_record_paper(proposal=p, actor=world.staff, member=world.unrelated, scan=pdf_upload())
    assert rows(p)["李四"].status == CosignStatus.PENDING


# --- Removal of those who did not confirm -------------------------------------------------------


def test_staff_remove_the_unconfirmed_only_after_the_deadline(world):
    set_rule(world, CosignRule.ANY)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    with refused(cosign.NOTHING_TO_REMOVE):
        cosign.cosign_remove_unconfirmed(proposal=p, actor=world.staff)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    past_deadline(p)
    with refused(NOT_ALLOWED):
        cosign.cosign_remove_unconfirmed(proposal=p, actor=world.handler_a)
    assert cosign.cosign_remove_unconfirmed(proposal=p, actor=world.staff) == ["王五"]
    p.refresh_from_db()
    assert p.proposer_kind == ProposerKind.JOINT and list(rows(p)) == ["李四"]
    removed = TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_REMOVE)
    assert [e.note.split("未在")[0] for e in removed] == ["王五"]


def test_removing_every_cosigner_makes_it_individual_with_one_event_each(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    past_deadline(p)
    assert cosign.cosign_remove_unconfirmed(proposal=p, actor=world.staff) == ["李四", "王五"]
    p.refresh_from_db()
    assert p.proposer_kind == ProposerKind.INDIVIDUAL
    notes = list(
        TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_REMOVE).values_list("note", flat=True)
    )
    assert len(notes) == 3 and notes[-1] == "已无联名人，本提案改为个人提案"
    assert notes[0].startswith("李四未在确认期限") and notes[1].startswith("王五未在确认期限")


# --- Registration under the committee's rule ----------------------------------------------------


def test_rule_all_holds_registration_until_nobody_is_pending(world):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    message = cosign.RULE_ALL_UNMET % {"names": "王五"}
    with refused(message):
        services.proposal_register(proposal=p, actor=world.staff)
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.SUBMITTED
    cosign.cosign_record_paper(proposal=p, actor=world.staff, member=world.unrelated, scan=pdf_upload())
    services.proposal_register(proposal=p, actor=world.staff)
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.REGISTERED


def test_rule_any_needs_one_confirmation(world):
    set_rule(world, CosignRule.ANY)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    with refused(cosign.RULE_ANY_UNMET % {"names": "李四、王五"}):
        services.proposal_register(proposal=p, actor=world.staff)
    cosign.cosign_confirm(proposal=p, actor=world.unrelated_user)
    services.proposal_register(proposal=p, actor=world.staff)
    # 李四 may still confirm within the window; until then only 王五 co-signs.
    assert [m.name for m in proposal_proposers(p)] == ["张三", "王五"]
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    assert [m.name for m in proposal_proposers(p)] == ["张三", "李四", "王五"]


def test_batch_registration_respects_the_rule(world):
    set_rule(world, CosignRule.ALL)
    waiting = submitted_joint(world)
    ready = submitted_joint(world)
    cosign.cosign_confirm(proposal=ready, actor=world.cosigner_user)
    outcomes = run_batch(spec=BatchSpec(action=BatchAction.REGISTER), proposals=[waiting, ready], actor=world.staff)
    by_pk = {o.proposal.pk: o for o in outcomes}
    assert by_pk[waiting.pk].error == str(cosign.RULE_ALL_UNMET % {"names": "李四"})
    assert by_pk[waiting.pk].proposal.status == ProposalStatus.SUBMITTED
    assert by_pk[ready.pk].ok and by_pk[ready.pk].proposal.status == ProposalStatus.REGISTERED


# --- Pages --------------------------------------------------------------------------------------


def test_cosigner_page_offers_confirm_and_decline_with_a_dialog(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    html = login(world.cosigner_user).get(reverse("proposals:cosign", args=[p.pk])).content.decode()
    assert "确认联名" in html and reverse("proposals:cosign_confirm", args=[p.pk]) in html
    decline = html.split(reverse("proposals:cosign_decline", args=[p.pk]))[1].split(">")[0]
    assert "data-confirm-dialog" in decline
    # Staff's buttons are not the member's.
    assert reverse("proposals:cosign_paper", args=[p.pk]) not in html
    assert reverse("proposals:cosign_remove", args=[p.pk]) not in html


def test_the_first_proposer_reads_the_states_without_buttons(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    html = login(world.member_user).get(reverse("proposals:cosign", args=[p.pk])).content.decode()
    assert "李四" in html and "待确认" in html
    assert reverse("proposals:cosign_confirm", args=[p.pk]) not in html
    assert reverse("proposals:cosign_decline", args=[p.pk]) not in html


def test_an_agency_user_is_refused_the_page(world, login):
    response = login(world.handler_a).get(reverse("proposals:cosign", args=[world.proposal.pk]))
    assert response.status_code == 403


def test_confirm_through_the_page(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    client = login(world.cosigner_user)
    response = client.post(reverse("proposals:cosign_confirm", args=[p.pk]), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[p.pk])
    assert rows(p)["李四"].status == CosignStatus.CONFIRMED
    # Again: the Chinese refusal on the page, nothing more written.
    page = client.post(reverse("proposals:cosign_confirm", args=[p.pk]), follow=True).content.decode()
    assert str(cosign.NOT_INVITED) in page
    assert TimelineEvent.objects.filter(proposal=p, action=ProposalAction.COSIGN_CONFIRM).count() == 1


def test_decline_asks_first_then_removes(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    client = login(world.cosigner_user)
    url = reverse("proposals:cosign_decline", args=[p.pk])
    asked = client.post(url, {"reason": "不同意"})
    assert asked.status_code == 200 and "此操作不能撤销" in asked.content.decode()
    assert "李四" in rows(p)
    done = client.post(url, {"reason": "不同意", "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("oversight:home")
    assert list(rows(p)) == ["王五"]
    assert client.get(reverse("proposals:detail", args=[p.pk])).status_code == 404


def test_staff_detail_shows_states_and_holds_the_register_button(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world, world.cosigner, world.unrelated)
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    client = login(world.staff)
    html = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    due = rows(p)["王五"].due_date
    assert "待确认" in html and f"确认期限 {due.year}年{due.month}月{due.day}日" in html
    assert "网上确认" in html
    assert str(cosign.RULE_ALL_UNMET % {"names": "王五"}) in html
    assert reverse("proposals:register", args=[p.pk]) not in html
    assert reverse("proposals:cosign_paper", args=[p.pk]) in html
    assert reverse("proposals:cosign_remove", args=[p.pk]) not in html  # the window is open
    # Forced through anyway: the service refuses with the same Chinese message.
    page = client.post(reverse("proposals:register", args=[p.pk]), {"confirm": "1"}, follow=True).content.decode()
    assert str(cosign.RULE_ALL_UNMET % {"names": "王五"}) in page
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.SUBMITTED


def test_staff_see_remove_after_the_deadline_and_it_asks_first(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    past_deadline(p)
    client = login(world.staff)
    html = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    form = html.split(reverse("proposals:cosign_remove", args=[p.pk]))[1].split(">")[0]
    assert "data-confirm-dialog" in form and "已过确认期限" in html
    url = reverse("proposals:cosign_remove", args=[p.pk])
    assert client.post(url).status_code == 200  # the confirmation step
    assert "李四" in rows(p)
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not rows(p)
    assert Proposal.objects.get(pk=p.pk).proposer_kind == ProposerKind.INDIVIDUAL


def test_paper_form_without_a_scan_shows_the_chinese_error(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    client = login(world.staff)
    page = client.post(
        reverse("proposals:cosign_paper", args=[p.pk]), {"member": world.cosigner.pk}, follow=True
    ).content.decode()
    assert str(cosign.SCAN_REQUIRED) in page
    assert rows(p)["李四"].status == CosignStatus.PENDING
    ok = client.post(
        reverse("proposals:cosign_paper", args=[p.pk]), {"member": world.cosigner.pk, "scan": pdf_upload("签字页.pdf")}
    )
    assert ok.status_code == 302
    row = rows(p)["李四"]
    assert row.confirm_method == CosignMethod.PAPER and row.confirmed_by == world.staff
    html = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "纸质确认" in html and f"{world.staff}录入" in html


def test_paper_form_is_refused_to_a_member(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    response = login(world.member_user).post(
        reverse("proposals:cosign_paper", args=[p.pk]), {"member": world.cosigner.pk, "scan": pdf_upload()}
    )
    assert response.status_code == 403
    assert rows(p)["李四"].status == CosignStatus.PENDING


def test_cosigner_detail_page_has_no_staff_buttons(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    past_deadline(p)
    html = login(world.cosigner_user).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'id="cosign"' in html
    assert reverse("proposals:cosign_paper", args=[p.pk]) not in html
    assert reverse("proposals:cosign_remove", args=[p.pk]) not in html
    assert reverse("proposals:cosign_confirm", args=[p.pk]) not in html  # past the window


def test_no_panel_on_a_committee_without_the_rule(world, login):
    p = submitted_joint(world)
    html = login(world.staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'id="cosign"' not in html and reverse("proposals:register", args=[p.pk]) in html


def test_the_cosigner_home_page_lists_the_invitation(world, login):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    html = login(world.cosigner_user).get(reverse("oversight:home")).content.decode()
    assert "待确认的联名提案" in html and reverse("proposals:cosign", args=[p.pk]) in html
    cosign.cosign_confirm(proposal=p, actor=world.cosigner_user)
    html = login(world.cosigner_user).get(reverse("oversight:home")).content.decode()
    assert reverse("proposals:cosign", args=[p.pk]) not in html


def test_staff_list_filters_pending_cosigners(world, login):
    set_rule(world, CosignRule.ALL)
    waiting = submitted_joint(world)
    waiting.title = "等待联名确认的提案"
    Proposal.objects.filter(pk=waiting.pk).update(title=waiting.title)
    make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="普通提案甲")
    html = login(world.staff).get(reverse("proposals:list"), {"cosign_pending": "true", "meeting": ""}).content.decode()
    assert "等待联名确认的提案" in html and "普通提案甲" not in html


def test_another_committees_staff_cannot_act(world):
    from proposals.models import Committee, Role

    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    other = Committee.objects.create(name="乙县政协", display_name="乙县政协", short_name="乙县政协")
    outsider = make_user("other_staff", Role.STAFF, committee=other)
    past_deadline(p)
    with refused(NOT_ALLOWED):
        cosign.cosign_remove_unconfirmed(proposal=p, actor=outsider)
    with refused(NOT_ALLOWED):
        cosign.cosign_record_paper(proposal=p, actor=outsider, member=world.cosigner, scan=pdf_upload())


@pytest.mark.parametrize("name", ["cosign_confirm", "cosign_decline", "cosign_paper", "cosign_remove"])
def test_post_only_urls_answer_get_with_405_and_outsiders_with_404(world, login, name):
    set_rule(world, CosignRule.ALL)
    p = submitted_joint(world)
    url = reverse(f"proposals:{name}", args=[p.pk])
    assert login(world.cosigner_user).get(url).status_code == 405
    assert login(world.unrelated_user).post(url, {"confirm": "1"}).status_code == 404
    assert login(world.handler_a).post(url, {"confirm": "1"}).status_code == 404  # not assigned to them
    assert rows(p)["李四"].status == CosignStatus.PENDING
    assert login(world.unrelated_user).get(reverse("proposals:cosign", args=[p.pk])).status_code == 404
