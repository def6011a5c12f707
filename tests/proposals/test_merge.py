"""并案 (issue 21, item 3): merge three proposals, register and assign the lead, one reply to every
proposer, three ratings; undo before assignment, refused after; statistics counted by hand."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consultations import services as consultation_services
from consultations.models import ConsultationStatus
from consultations.selectors import can_close
from oversight.stats import meeting_stats
from proposals import permissions
from proposals.choices import CosignStatus
from proposals.models import (
    Assignment,
    AssignmentRole,
    Attachment,
    DeclineReason,
    Member,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
)
from proposals.proposers import answered_by, assignment_proposers
from proposals.roles import NOT_ALLOWED
from proposals.selectors import get_proposal_for_user, proposals_visible_to, timeline_visible_to
from proposals.services import AssignmentSpec, assignment_accept, proposal_assign, proposal_decline, proposal_register
from proposals.services.merging import (
    LEAD_NOT_DECLINED,
    MERGE_ALREADY_IN_GROUP,
    MERGE_OTHER_IS_LEAD,
    MERGE_OTHER_MEETING,
    MERGE_SELF,
    MERGE_WRONG_STATE,
    MERGED_WITH_LEAD,
    UNMERGE_AFTER_ASSIGN,
    proposal_unmerge,
    proposals_merge,
)
from replies.models import LetterProfile, MergedReplyStyle
from replies.selectors import get_reply_for_user, replies_visible_to
from replies.services import default_addressee, default_title
from replies.services.defaults import reply_copies
from tests.factories import draft_reply, issue, make_meeting, make_proposal, make_user, record, refused, schedule, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(world):
    """Three proposals of the world's meeting waiting for review: 张三's (the lead), 王五's, and a
    joint one by 赵六 with 钱七 (confirmed) and 孙八 (asked, not confirmed yet)."""
    zhao = Member.objects.create(name="赵六", phone="13800000004")
    qian = Member.objects.create(name="钱七", phone="13800000005")
    sun = Member.objects.create(name="孙八", phone="13800000006")
    make_user("zhaoliu", Role.MEMBER, member=zhao)
    make_user("qianqi", Role.MEMBER, member=qian)
    make_user("sunba", Role.MEMBER, member=sun)
    lead = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="关于发展冷链物流的建议"
    )
    second = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="关于建设冷链仓储的建议"
    )
    third = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=zhao,
        title="关于冷链物流园区的建议",
        kind=ProposerKind.JOINT,
        cosigners=(qian, sun),
    )
    ProposalCosigner.objects.filter(proposal=third, member=sun).update(status=CosignStatus.PENDING)
    return lead, second, third


def events(proposal, action):
    return list(TimelineEvent.objects.filter(proposal=proposal, action=action).order_by("id"))


def refresh(*proposals):
    for p in proposals:
        p.refresh_from_db()


def merged_and_assigned(world, group):
    lead, second, third = group
    proposals_merge(lead=lead, others=[second, third], actor=world.staff)
    proposal_register(proposal=lead, actor=world.staff)
    (assignment,) = proposal_assign(
        proposal=lead, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_a, role=AssignmentRole.LEAD)]
    )
    assignment = assignment_accept(assignment=assignment, actor=world.handler_a)
    refresh(lead, second, third)
    return assignment


def answered(world, assignment):
    """One round for the group: a draft, the record held and signed by every proposer who has to
    sign it (the record lists the group's proposers), the reply issued."""
    reply = draft_reply(world, assignment)
    consultation = record(world, schedule(world, assignment))
    for username in ("zhangsan", "wangwu", "zhaoliu", "qianqi"):
        consultation.refresh_from_db()
        if consultation.status == ConsultationStatus.SIGNED:
            break
        consultation = sign(world, consultation, actor=User.objects.get(username=username))
    return consultation, issue(world, reply)


# --- Merging and registration --------------------------------------------------------------------


def test_merge_then_register_the_lead_numbers_each_proposal(world, group):
    lead, second, third = group
    merged = proposals_merge(lead=lead, others=[third, second], actor=world.staff)
    assert [p.pk for p in merged] == [second.pk, third.pk]
    refresh(lead, second, third)
    assert (second.merged_into, third.merged_into, lead.merged_into) == (lead, lead, None)
    assert second.merged_at is not None
    # A timeline event on every proposal touched, naming the others by id (no number yet).
    assert f"“{lead.title}”" in events(second, ProposalAction.MERGE)[0].note
    lead_note = events(lead, ProposalAction.MERGE)[0].note
    assert f"“{second.title}”" in lead_note and f"“{third.title}”" in lead_note

    # A merged proposal is not registered alone…
    with refused(MERGED_WITH_LEAD % {"lead": f"“{lead.title}”"}):
        proposal_register(proposal=second, actor=world.staff)
    # …but with its lead, each with its own number (TA0001 is the world's proposal).
    proposal_register(proposal=lead, actor=world.staff)
    refresh(lead, second, third)
    assert [(p.status, p.number) for p in (lead, second, third)] == [
        (ProposalStatus.REGISTERED, "TA0002"),
        (ProposalStatus.REGISTERED, "TA0003"),
        (ProposalStatus.REGISTERED, "TA0004"),
    ]
    register = events(third, ProposalAction.REGISTER)[0]
    assert register.note == "编号 TA0004；随主提案第 TA0002 号提案立案"
    # The audit trail carries each step (timeline_record writes it).
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(event="transition", detail__startswith=ProposalAction.MERGE + ":").count() == 3


def test_a_submitted_proposal_joining_a_registered_lead_is_registered_with_it(world, group):
    lead, second, _third = group
    proposal_register(proposal=lead, actor=world.staff)
    proposals_merge(lead=lead, others=[second], actor=world.staff)
    refresh(lead, second)
    assert (second.status, second.number, second.merged_into) == (ProposalStatus.REGISTERED, "TA0003", lead)


def test_merge_refusals_change_nothing(world, group):
    lead, second, third = group
    other_meeting = make_meeting(term=8, session=4, prefix="TB")
    elsewhere = make_proposal(meeting=other_meeting, created_by=world.staff, first_proposer=world.unrelated)
    draft = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, status=ProposalStatus.DRAFT
    )
    with refused(MERGE_SELF):
        proposals_merge(lead=lead, others=[lead], actor=world.staff)
    with refused(MERGE_OTHER_MEETING % {"name": f"“{elsewhere.title}”"}):
        proposals_merge(lead=lead, others=[elsewhere], actor=world.staff)
    with refused(MERGE_WRONG_STATE % {"name": f"“{draft.title}”"}):
        proposals_merge(lead=lead, others=[draft], actor=world.staff)
    # The world's proposal is assigned already: it neither leads nor joins a group.
    with refused(MERGE_WRONG_STATE % {"name": "第 TA0001 号提案"}):
        proposals_merge(lead=world.proposal, others=[second], actor=world.staff)
    with refused(NOT_ALLOWED):
        proposals_merge(lead=lead, others=[second], actor=world.handler_a)
    assert not Proposal.objects.filter(merged_into__isnull=False).exists()
    assert not TimelineEvent.objects.filter(action=ProposalAction.MERGE).exists()

    proposals_merge(lead=lead, others=[second], actor=world.staff)
    in_group = {"name": f"“{second.title}”", "lead": f"“{lead.title}”"}
    with refused(MERGE_ALREADY_IN_GROUP % in_group):
        proposals_merge(lead=third, others=[second], actor=world.staff)
    with refused(MERGE_OTHER_IS_LEAD % {"name": f"“{lead.title}”"}):
        proposals_merge(lead=third, others=[lead], actor=world.staff)
    with refused(MERGED_WITH_LEAD % {"lead": f"“{lead.title}”"}):
        proposals_merge(lead=second, others=[third], actor=world.staff)
    assert list(Proposal.objects.filter(merged_into__isnull=False)) == [second]


def test_decline_refused_for_a_merged_proposal_and_for_a_lead_with_its_group(world, group):
    lead, second, _third = group
    reason = DeclineReason.objects.create(text="不属于提案范围", committee_id=lead.committee_id)
    proposals_merge(lead=lead, others=[second], actor=world.staff)
    with refused(MERGED_WITH_LEAD % {"lead": f"“{lead.title}”"}):
        proposal_decline(proposal=second, actor=world.staff, reason=reason)
    with refused(LEAD_NOT_DECLINED):
        proposal_decline(proposal=lead, actor=world.staff, reason=reason)
    refresh(lead, second)
    assert (lead.status, second.status) == (ProposalStatus.SUBMITTED, ProposalStatus.SUBMITTED)


# --- Assignment, reply, ratings, closing follow the lead ---------------------------------------


def test_only_the_lead_is_assigned_and_the_group_follows_it(world, group):
    lead, second, third = group
    merged_and_assigned(world, group)
    assert [p.status for p in (lead, second, third)] == [ProposalStatus.ASSIGNED] * 3
    with refused(MERGED_WITH_LEAD % {"lead": "第 TA0002 号提案"}):
        proposal_assign(
            proposal=second, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_b, role=AssignmentRole.LEAD)]
        )
    assert not second.assignments.exists()
    for member in (second, third):
        (follow,) = events(member, ProposalAction.MERGE_FOLLOW)
        assert (follow.from_state, follow.to_state) == (ProposalStatus.REGISTERED, ProposalStatus.ASSIGNED)
        assert follow.note == "随主提案第 TA0002 号提案：办理中"
    assert not events(lead, ProposalAction.MERGE_FOLLOW)
    # The buttons say the same as the services.
    assert not permissions.can_assign(world.staff, second)
    assert not can_close(world.staff, second)


def test_one_reply_addresses_every_proposer_and_lists_every_number(world, group):
    assignment = merged_and_assigned(world, group)
    # 孙八 has not confirmed: not a proposer (yet), so not addressed.
    assert default_addressee(assignment) == "张三、王五、赵六、钱七委员："
    assert default_title(assignment) == "关于市政协八届三次会议第 TA0002、TA0003、TA0004 号提案的答复"
    assert reply_copies(assignment, "t", "a") == []  # one letter, not a copy each


def test_reply_issued_answers_the_group_and_each_proposer_rates(world, group):
    lead, second, third = group
    assignment = merged_and_assigned(world, group)
    _consultation, reply = answered(world, assignment)
    assert reply.addressee == "张三、王五、赵六、钱七委员："
    refresh(lead, second, third)
    assert [p.status for p in (lead, second, third)] == [ProposalStatus.REPLIED] * 3
    assert [e.to_state for e in events(third, ProposalAction.MERGE_FOLLOW)] == [
        ProposalStatus.ASSIGNED,
        ProposalStatus.REPLIED,
    ]

    # Visibility: the merged proposals' proposers read the lead's reply as their own.
    wangwu = world.unrelated_user
    zhao = User.objects.get(username="zhaoliu")
    for user in (world.member_user, wangwu, zhao):
        assert get_reply_for_user(user, reply.pk) == reply
        assert get_proposal_for_user(user, lead.pk) == lead
    outsider = make_user("zhouji", Role.MEMBER, member=Member.objects.create(name="周九"))
    assert not replies_visible_to(outsider).exists()
    # Members read the merge and follow events on their own proposal's timeline.
    seen = {e.action for e in timeline_visible_to(wangwu, second)}
    assert {ProposalAction.MERGE, ProposalAction.MERGE_FOLLOW} <= seen

    # Three ratings: each proposer rates the lead's assignment.
    for user in (world.member_user, wangwu, zhao):
        consultation_services.rating_submit(
            assignment=assignment, actor=user, member_id=user.member_id, value="satisfied"
        )
    assert sorted(assignment.ratings.values_list("member__name", flat=True)) == sorted(["张三", "王五", "赵六"])

    # Closing the lead closes the group; a merged proposal is not closed alone.
    with refused(MERGED_WITH_LEAD % {"lead": "第 TA0002 号提案"}):
        consultation_services.proposal_close(proposal=second, actor=world.staff)
    consultation_services.proposal_close(proposal=lead, actor=world.staff)
    refresh(lead, second, third)
    assert [p.status for p in (lead, second, third)] == [ProposalStatus.CLOSED] * 3
    assert second.closed_at == lead.closed_at


def test_statistics_count_a_group_as_one_handling_and_its_proposals_as_answered(world, group):
    before = meeting_stats(world.meeting)
    # By hand, before: TA0001 (assigned) and three proposals waiting for review; nothing merged.
    assert (before.registered, before.replied_proposals, before.handling_units) == (1, 0, 1)
    assert (before.merges.groups, before.merges.merged) == (0, 0)

    assignment = merged_and_assigned(world, group)
    answered(world, assignment)
    stats = meeting_stats(world.meeting)
    # Registered: TA0001..TA0004 = 4; merged into TA0002: TA0003, TA0004 = 2; one group.
    # Handling units: 4 − 2 = 2 (TA0001 and the group). Replied: the group's three proposals.
    assert (stats.registered, stats.merges.groups, stats.merges.merged, stats.handling_units) == (4, 1, 2, 2)
    assert (stats.replied_proposals, str(stats.reply_rate.numerator), stats.reply_rate.denominator) == (3, "3", 4)
    # One answering assignment for the group (the lead's), as before plus one.
    assert stats.totals.answering == before.totals.answering + 1


def test_statistics_page_shows_the_merge_figures(world, group, login):
    lead, second, third = group
    proposals_merge(lead=lead, others=[second, third], actor=world.staff)
    response = login(world.staff).get(reverse("oversight:statistics", args=[world.meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="merge_groups">1<' in html
    assert 'data-figure="merged_proposals">2<' in html


# --- Undo ----------------------------------------------------------------------------------------


def test_undo_before_assignment_one_member_then_the_group(world, group):
    lead, second, third = group
    proposals_merge(lead=lead, others=[second, third], actor=world.staff)
    proposal_register(proposal=lead, actor=world.staff)
    proposal_unmerge(proposal=third, actor=world.staff)
    refresh(lead, second, third)
    assert (third.merged_into, third.merged_at, second.merged_into) == (None, None, lead)
    assert third.number == "TA0004"  # registered with the lead: it keeps its number
    assert events(third, ProposalAction.MERGE_UNDO)[0].note == "移出第 TA0002 号提案的并案，单独办理"
    assert events(lead, ProposalAction.MERGE_UNDO)[0].note == "移出并案：第 TA0004 号提案"
    # Called on the lead, the group is dissolved.
    proposal_unmerge(proposal=lead, actor=world.staff)
    refresh(second)
    assert second.merged_into is None
    assert events(lead, ProposalAction.MERGE_UNDO)[1].note == "撤销并案：第 TA0003 号提案"
    # Each is handled alone again: 王五's proposal can be assigned by itself.
    proposal_assign(
        proposal=second, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_b, role=AssignmentRole.LEAD)]
    )


def test_undo_refused_after_the_lead_is_assigned(world, group):
    lead, second, _third = group
    merged_and_assigned(world, group)
    for target in (second, lead):
        with refused(UNMERGE_AFTER_ASSIGN):
            proposal_unmerge(proposal=target, actor=world.staff)
    refresh(second)
    assert second.merged_into == lead
    assert not TimelineEvent.objects.filter(action=ProposalAction.MERGE_UNDO).exists()


# --- Pages -----------------------------------------------------------------------------------------


def test_staff_merge_by_number_from_the_merge_page(world, group, login):
    lead, second, _third = group
    proposal_register(proposal=second, actor=world.staff)  # TA0002
    client = login(world.staff)
    url = reverse("proposals:merge", args=[lead.pk])
    page = client.get(url)
    assert page.status_code == 200
    detail = client.get(reverse("proposals:detail", args=[lead.pk])).content.decode()
    assert 'id="merge-link"' in detail

    bad = client.post(url, {"numbers": "TA0002、TA9999"})
    assert bad.status_code == 200
    assert "本次会议没有编号为 TA9999 的提案。" in bad.content.decode()
    second.refresh_from_db()
    assert second.merged_into is None

    response = client.post(url, {"numbers": "TA0002"})
    assert response.status_code == 302
    refresh(second)
    assert second.merged_into == lead
    detail = client.get(reverse("proposals:detail", args=[lead.pk])).content.decode()
    assert f'data-merge-member="{second.pk}"' in detail
    assert "撤销并案" in detail
    # The list marks the merged proposal.
    listing = client.get(reverse("proposals:list")).content.decode()
    assert "已并入其他提案，随主提案办理" in listing


def test_merge_page_is_refused_to_agencies_and_on_an_assigned_proposal(world, group, login):
    lead, _second, _third = group
    assert login(world.staff).get(reverse("proposals:merge", args=[world.proposal.pk])).status_code == 403
    assert login(world.handler_a).get(reverse("proposals:merge", args=[world.proposal.pk])).status_code == 403
    assert login(world.handler_a).get(reverse("proposals:merge", args=[lead.pk])).status_code == 404


def test_unmerge_asks_first_then_undoes(world, group, login):
    lead, second, _third = group
    proposals_merge(lead=lead, others=[second], actor=world.staff)
    client = login(world.staff)
    url = reverse("proposals:unmerge", args=[lead.pk])
    assert client.get(url).status_code == 405
    asked = client.post(url)
    assert asked.status_code == 200 and "确认撤销并案" in asked.content.decode()
    refresh(second)
    assert second.merged_into == lead
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    refresh(second)
    assert second.merged_into is None


def test_copy_each_offers_one_copy_per_proposal(world, group, login):
    LetterProfile.objects.create(committee_id=world.meeting.committee_id, merged_reply=MergedReplyStyle.COPY_EACH)
    assignment = merged_and_assigned(world, group)
    lead, second, third = group
    # The letter itself answers the lead's proposers, with the lead's number.
    assert default_addressee(assignment) == "张三委员："
    assert default_title(assignment) == "关于市政协八届三次会议第 TA0002 号提案的答复"
    _consultation, reply = answered(world, assignment)
    copies = reply_copies(assignment, reply.title, reply.addressee)
    assert [(c.proposal.pk, c.addressee) for c in copies] == [
        (lead.pk, "张三委员："),
        (second.pk, "王五委员："),
        (third.pk, "赵六等委员："),  # as the profile names a joint proposal's proposers
    ]
    assert copies[2].title == "关于市政协八届三次会议第 TA0004 号提案的答复"
    client = login(world.unrelated_user)
    assert f"/pdf/copy/?proposal={second.pk}" in client.get(reverse("replies:detail", args=[reply.pk])).content.decode()
    response = client.get(reverse("replies:copy_pdf", args=[reply.pk]), {"proposal": third.pk})
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = subprocess.run(["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "赵六等委员：" in text.replace(" ", "")
    assert "TA0004" in text
    # Not a proposal of the group: no copy.
    url = reverse("replies:copy_pdf", args=[reply.pk])
    assert client.get(url, {"proposal": world.proposal.pk}).status_code == 404
    assert client.get(url, {"proposal": "x"}).status_code == 404
    # Someone outside the group does not reach the reply at all.
    outsider = make_user("zhouji", Role.MEMBER, member=Member.objects.create(name="周九"))
    assert login(outsider).get(url, {"proposal": third.pk}).status_code == 404


def test_members_see_the_group_and_no_more(world, group):
    lead, second, third = group
    proposals_merge(lead=lead, others=[second], actor=world.staff)
    zhao_user = User.objects.get(username="zhaoliu")
    assert set(proposals_visible_to(world.unrelated_user).values_list("pk", flat=True)) >= {lead.pk, second.pk}
    assert set(proposals_visible_to(world.member_user).values_list("pk", flat=True)) == {
        world.proposal.pk,
        lead.pk,
        second.pk,
    }
    assert set(proposals_visible_to(zhao_user).values_list("pk", flat=True)) == {third.pk}


def test_a_merged_proposers_page_points_to_the_lead(world, group, login):
    lead, second, _third = group
    proposals_merge(lead=lead, others=[second], actor=world.staff)
    client = login(world.unrelated_user)  # 王五, whose proposal is merged into 张三's
    page = client.get(reverse("proposals:detail", args=[second.pk])).content.decode()
    assert 'id="merge-note"' in page
    assert reverse("proposals:detail", args=[lead.pk]) in page
    assert "撤销并案" not in page and 'id="merge-link"' not in page  # staff's buttons only
    assert client.get(reverse("proposals:detail", args=[lead.pk])).status_code == 200
    # Agencies see neither proposal until the lead is assigned to them.
    assert login(world.handler_a).get(reverse("proposals:detail", args=[second.pk])).status_code == 404


def test_the_sql_form_of_the_proposers_rule_agrees_with_the_python_form(world, group):
    """``answered_by`` (the members' rating queue, one query) and ``assignment_proposers`` (the
    record, the ratings, the addressee) are one rule: every member of the world and the group is
    answered by the group's assignment in both or in neither (孙八 has not confirmed: neither)."""
    assignment = merged_and_assigned(world, group)
    proposers = {m.pk for m in assignment_proposers(assignment)}
    assert {m.name for m in assignment_proposers(assignment)} == {"张三", "王五", "赵六", "钱七"}
    for member in Member.objects.all():
        in_sql = Assignment.objects.filter(answered_by(member.pk), pk=assignment.pk).exists()
        assert in_sql == (member.pk in proposers), member.name


def test_the_agency_answering_a_group_reads_every_proposal_of_it(world, group, login, settings, tmp_path):
    """The merged proposals follow the lead and have no assignment: the agency holding the lead opens
    each of them and its papers (it answers them all); its lists show the group as its lead, one
    handling; another agency reads none of them."""
    settings.MEDIA_ROOT = tmp_path
    lead, second, third = group
    attachment = Attachment(
        proposal=second,
        original_name="调研材料.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=world.staff,
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    merged_and_assigned(world, group)
    client = login(world.handler_a)
    page = client.get(reverse("proposals:detail", args=[second.pk]))
    assert page.status_code == 200 and second.main_content in page.content.decode()
    lead_page = client.get(reverse("proposals:detail", args=[lead.pk])).content.decode()
    assert reverse("proposals:detail", args=[third.pk]) in lead_page  # the group box links each one
    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 200
    listed = set(proposals_visible_to(world.handler_a).values_list("pk", flat=True))
    assert lead.pk in listed and second.pk not in listed and third.pk not in listed
    other = login(world.handler_b)
    assert other.get(reverse("proposals:detail", args=[second.pk])).status_code == 404
    assert other.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404
