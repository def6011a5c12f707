"""Every transition of a reply and every refused move, with the rows written (or not) afterwards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.utils import timezone
from pypdf import PdfReader

from audit.details import digest_field
from audit.models import AuditEvent
from documents.render import sha256_hex
from proposals.errors import ConflictError, DomainError
from proposals.models import (
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalStatus,
    ProposerKind,
    TimelineEvent,
)
from replies import rules, services
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus, ReplyVersion
from tests.factories import complete_data, make_assignment, make_proposal

pytestmark = pytest.mark.django_db


def timeline_actions(proposal) -> list[str]:
    return list(TimelineEvent.objects.filter(proposal=proposal).order_by("id").values_list("action", flat=True))


# --- create ---------------------------------------------------------------------------------


def test_create_fills_the_defaults_for_a_joint_proposal(world):
    reply = services.reply_create(assignment=world.assignment, actor=world.handler_a)
    assert reply.title == "关于市政协八届三次会议第 TA0001 号提案的答复"
    assert reply.addressee == "张三等委员："
    assert reply.round == world.assignment.round == 1
    assert reply.status == ReplyStatus.DRAFT
    assert reply.handler_name == "甲经办"
    assert reply.version == 1
    assert list(reply.versions.values_list("version", flat=True)) == [1]
    assert timeline_actions(world.proposal) == [ReplyAction.CREATE]
    assert AuditEvent.objects.filter(event="transition", object_label="replies.Reply", object_pk=str(reply.pk)).exists()


def test_create_addresses_an_individual_member_and_a_body(world):
    single = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, number="TA0002", sequence=2
    )
    body = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        number="TA0003",
        sequence=3,
        kind=ProposerKind.BODY,
        body_name="民盟晋城市委员会",
        body_contact="赵六",
    )
    for proposal, addressee in [(single, "张三委员："), (body, "民盟晋城市委员会：")]:
        assignment = make_assignment(proposal=proposal, agency=world.agency_a, assigned_by=world.staff)
        reply = services.reply_create(assignment=assignment, actor=world.handler_a)
        assert reply.addressee == addressee


def test_cohandler_view_is_titled_and_addressed_to_the_lead(world):
    co = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO
    )
    view = services.reply_create(assignment=co, actor=world.handler_b)
    assert view.title == "关于市政协八届三次会议第 TA0001 号提案的会办意见"
    assert view.addressee == "甲市发展和改革委员会："


def test_create_refused_for_another_agency_a_member_and_a_pending_assignment(world):
    for actor in (world.handler_b, world.member_user, world.staff):
        with pytest.raises(DomainError):
            services.reply_create(assignment=world.assignment, actor=actor)
    pending = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, status=AssignmentStatus.PENDING
    )
    with pytest.raises(DomainError) as exc:
        services.reply_create(assignment=pending, actor=world.handler_b)
    assert exc.value.message == str(services.ASSIGNMENT_NOT_OPEN)
    assert not Reply.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_second_reply_for_the_same_round_is_refused(world, draft):
    with pytest.raises(DomainError) as exc:
        services.reply_create(assignment=world.assignment, actor=world.handler_a)
    assert exc.value.message == str(services.REPLY_EXISTS)
    assert Reply.objects.count() == 1


# --- save -----------------------------------------------------------------------------------


def test_save_keeps_every_version(world, draft):
    reply = services.reply_save_draft(reply=draft, actor=world.handler_a, data={"body": "第二稿"}, expected_version=1)
    reply = services.reply_save_draft(reply=reply, actor=world.leader_a, data={"body": "第三稿"}, expected_version=2)
    assert reply.version == 3
    versions = list(ReplyVersion.objects.filter(reply=reply).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.data["body"] for v in versions][1:] == ["第二稿", "第三稿"]
    assert versions[2].saved_by == world.leader_a
    assert Reply.objects.get(pk=reply.pk).body == "第三稿"


def test_saving_unchanged_text_adds_no_version(world, draft):
    reply = services.reply_save_draft(reply=draft, actor=world.handler_a, data={}, expected_version=1)
    assert reply.version == 1
    assert ReplyVersion.objects.filter(reply=draft).count() == 1


def test_second_concurrent_save_is_refused_and_nothing_is_overwritten(world, draft):
    # Both opened version 1; the first save wins, the second is refused.
    services.reply_save_draft(reply=draft, actor=world.handler_a, data={"body": "甲的修改"}, expected_version=1)
    with pytest.raises(ConflictError) as exc:
        services.reply_save_draft(reply=draft, actor=world.leader_a, data={"body": "乙的修改"}, expected_version=1)
    assert "第 2 版" in exc.value.message
    saved = Reply.objects.get(pk=draft.pk)
    assert saved.body == "甲的修改"
    assert saved.version == 2
    assert ReplyVersion.objects.filter(reply=draft).count() == 2


def test_save_refuses_a_date_before_the_assignment(world, draft):
    assigned_on = timezone.localdate(world.assignment.assigned_at)
    with pytest.raises(ValidationError) as exc:
        services.reply_save_draft(
            reply=draft,
            actor=world.handler_a,
            data={"reply_date": assigned_on - dt.timedelta(days=1), "body": "改了"},
            expected_version=1,
        )
    assert "reply_date" in exc.value.message_dict
    saved = Reply.objects.get(pk=draft.pk)
    assert saved.version == 1
    assert saved.body == draft.body


def test_not_public_needs_a_reason(world, draft):
    with pytest.raises(ValidationError) as exc:
        services.reply_save_draft(
            reply=draft, actor=world.handler_a, data={"is_public": False, "not_public_reason": ""}, expected_version=1
        )
    assert exc.value.message_dict["not_public_reason"] == [str(rules.NOT_PUBLIC_REASON_REQUIRED)]
    reply = services.reply_save_draft(
        reply=draft,
        actor=world.handler_a,
        data={"is_public": False, "not_public_reason": "涉及在办案件"},
        expected_version=1,
    )
    assert (reply.is_public, reply.not_public_reason) == (False, "涉及在办案件")


def test_class_d_is_refused_unless_switched_on(world, draft, settings):
    settings.REPLY_CLASS_D_ENABLED = False
    with pytest.raises(ValidationError):
        services.reply_save_draft(reply=draft, actor=world.handler_a, data={"reply_class": "D"}, expected_version=1)
    settings.REPLY_CLASS_D_ENABLED = True
    reply = services.reply_save_draft(reply=draft, actor=world.handler_a, data={"reply_class": "D"}, expected_version=1)
    assert reply.reply_class == "D"


def test_handler_of_other_agency_cannot_save(world, draft):
    with pytest.raises(DomainError):
        services.reply_save_draft(reply=draft, actor=world.handler_b, data={"body": "x"}, expected_version=1)
    assert Reply.objects.get(pk=draft.pk).body == draft.body


def test_only_the_leader_edits_a_submitted_draft(world, submitted):
    with pytest.raises(DomainError) as exc:
        services.reply_save_draft(reply=submitted, actor=world.handler_a, data={"body": "x"}, expected_version=1)
    assert exc.value.message == str(services.EDIT_WHILE_SUBMITTED)
    reply = services.reply_save_draft(reply=submitted, actor=world.leader_a, data={"body": "定稿"}, expected_version=1)
    assert (reply.body, reply.status) == ("定稿", ReplyStatus.SUBMITTED)


# --- submit and return ----------------------------------------------------------------------


def test_submit_and_return_with_a_comment(world, draft):
    reply = services.reply_submit(reply=draft, actor=world.handler_a)
    assert reply.status == ReplyStatus.SUBMITTED
    assert reply.submitted_at is not None
    with pytest.raises(DomainError):
        services.reply_submit(reply=reply, actor=world.handler_a)  # already submitted
    with pytest.raises(DomainError):
        services.reply_return(reply=reply, actor=world.handler_a, comment="自己退回")  # not the leader
    with pytest.raises(DomainError) as exc:
        services.reply_return(reply=reply, actor=world.leader_a, comment="  ")
    assert exc.value.message == str(services.RETURN_COMMENT_REQUIRED)
    reply = services.reply_return(reply=reply, actor=world.leader_a, comment="第二段请补充数据。")
    assert reply.status == ReplyStatus.DRAFT
    assert reply.leader_comment == "第二段请补充数据。"
    events = TimelineEvent.objects.filter(proposal=world.proposal).order_by("id")
    assert [(e.action, e.from_state, e.to_state) for e in events][1:] == [
        (ReplyAction.SUBMIT, "draft", "submitted"),
        (ReplyAction.RETURN, "submitted", "draft"),
    ]
    assert events.last().note == "第二段请补充数据。"
    assert events.last().actor == world.leader_a


def test_issue_needs_a_submitted_draft(world, draft):
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=draft, actor=world.leader_a)
    assert exc.value.message == str(services.NOT_SUBMITTED)


# --- issue ----------------------------------------------------------------------------------


def test_issue_freezes_the_letter_stores_the_pdf_and_moves_assignment_and_proposal(world, submitted):
    reply = services.reply_issue(reply=submitted, actor=world.leader_a)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.ISSUED
    assert reply.signed_by == world.leader_a
    assert reply.issued_at is not None
    assert reply.pdf.name and default_storage.exists(reply.pdf.name)
    with default_storage.open(reply.pdf.name, "rb") as fh:
        stored = fh.read()
    assert sha256_hex(stored) == reply.pdf_sha256
    assert len(PdfReader(io.BytesIO(stored)).pages) >= 1
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REPLIED
    assert world.assignment.replied_at == reply.issued_at
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.REPLIED
    assert timeline_actions(world.proposal)[-3:] == [
        ReplyAction.ISSUE,
        ReplyAction.ASSIGNMENT_REPLIED,
        ReplyAction.PROPOSAL_REPLIED,
    ]
    assert AuditEvent.objects.filter(
        event="transition",
        object_label="replies.Reply",
        object_pk=str(reply.pk),
        detail=f"reply_issue {digest_field('pdf_sha256', reply.pdf_sha256)}",
    ).exists()


def _recording_render(monkeypatch, on_render=None) -> list[dict]:
    """Wrap the PDF renderer: each call's context is recorded, then ``on_render`` runs, then the real render."""
    import replies.pdf

    real = replies.pdf.render_pdf
    calls: list[dict] = []

    def render(template, context):
        calls.append({"context": context, "in_transaction": connection.in_atomic_block})
        if on_render is not None:
            on_render(len(calls))
        return real(template, context)

    monkeypatch.setattr(replies.pdf, "render_pdf", render)
    return calls


@pytest.mark.django_db(transaction=True)
def test_issue_renders_the_letter_before_taking_any_lock(world, submitted, monkeypatch):
    calls = _recording_render(monkeypatch)
    reply = services.reply_issue(reply=submitted, actor=world.leader_a)
    assert [c["in_transaction"] for c in calls] == [False]  # one render, outside the transaction
    assert reply.status == ReplyStatus.ISSUED
    with default_storage.open(reply.pdf.name, "rb") as fh:
        assert sha256_hex(fh.read()) == reply.pdf_sha256


@pytest.mark.django_db(transaction=True)
def test_issue_renders_again_when_the_letter_changed_while_it_was_rendered(world, submitted, monkeypatch):
    def edit_meanwhile(call_number):
        if call_number == 1:  # someone changes the submitted letter during the first render
            Reply.objects.filter(pk=submitted.pk).update(body="改过的正文。", version=F("version") + 1)

    calls = _recording_render(monkeypatch, edit_meanwhile)
    reply = services.reply_issue(reply=submitted, actor=world.leader_a)
    assert [c["in_transaction"] for c in calls] == [False, True]
    assert calls[0]["context"]["paragraphs"] != calls[1]["context"]["paragraphs"]
    assert [p["text"] for p in calls[1]["context"]["paragraphs"]] == ["改过的正文。"]
    with default_storage.open(reply.pdf.name, "rb") as fh:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)
    assert "改过的正文" in text


def test_issue_renders_nothing_for_someone_who_may_not_issue(world, submitted, monkeypatch):
    calls = _recording_render(monkeypatch)
    with pytest.raises(DomainError):
        services.reply_issue(reply=submitted, actor=world.handler_a)
    assert calls == []


def test_issue_without_date_takes_today(world, draft):
    reply = services.reply_save_draft(reply=draft, actor=world.handler_a, data={"reply_date": None}, expected_version=1)
    services.reply_submit(reply=reply, actor=world.handler_a)
    reply = services.reply_issue(reply=reply, actor=world.leader_a)
    assert reply.reply_date == timezone.localdate()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reply_class": ""}, "请选择答复类别（A 类、B 类或 C 类）后再签发。"),
        ({"leader_name": ""}, rules.LEADER_REQUIRED),
        ({"body": ""}, rules.BODY_REQUIRED),
    ],
)
def test_issue_refused_when_something_is_missing(world, change, message):
    draft = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data(**change))
    services.reply_submit(reply=draft, actor=world.handler_a)
    before = TimelineEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=draft, actor=world.leader_a)
    assert exc.value.message == str(message)
    reply = Reply.objects.get(pk=draft.pk)
    assert reply.status == ReplyStatus.SUBMITTED
    assert not reply.pdf and not reply.pdf_sha256
    assert TimelineEvent.objects.count() == before
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.ACCEPTED


def test_issue_refused_when_the_date_is_before_the_assignment(world, submitted):
    # Written past the form and the save service, as a stale row would be.
    Reply.objects.filter(pk=submitted.pk).update(reply_date=dt.date(2000, 1, 1))
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=submitted, actor=world.leader_a)
    assert "成文日期不能早于交办日期" in exc.value.message
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_only_the_agency_leader_issues(world, submitted):
    for actor in (world.handler_a, world.handler_b, world.staff, world.member_user):
        with pytest.raises(DomainError):
            services.reply_issue(reply=submitted, actor=actor)
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_issued_reply_cannot_be_edited_submitted_returned_or_issued_again(world, issued):
    sha = issued.pdf_sha256
    with pytest.raises(DomainError) as exc:
        services.reply_save_draft(reply=issued, actor=world.leader_a, data={"body": "改"}, expected_version=1)
    assert exc.value.message == str(services.REPLY_FROZEN)
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=issued, actor=world.leader_a)
    assert exc.value.message == str(services.ALREADY_ISSUED)
    for action in (services.reply_submit,):
        with pytest.raises(DomainError):
            action(reply=issued, actor=world.handler_a)
    with pytest.raises(DomainError):
        services.reply_return(reply=issued, actor=world.leader_a, comment="收回")
    reply = Reply.objects.get(pk=issued.pk)
    assert (reply.status, reply.pdf_sha256, reply.body) == (ReplyStatus.ISSUED, sha, issued.body)


def test_registered_issue_check_can_refuse(world, submitted):
    def needs_signed_record(reply):
        raise DomainError("请先完成面商并由委员签字。")

    services.ISSUE_CHECKS.append(needs_signed_record)
    assert services.issue_problems(submitted) == ["请先完成面商并由委员签字。"]
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=submitted, actor=world.leader_a)
    assert exc.value.message == "请先完成面商并由委员签字。"
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_proposal_waits_for_every_answering_assignment(world, submitted):
    other = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.SPLIT
    )
    services.reply_issue(reply=submitted, actor=world.leader_a)
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.ASSIGNED
    # A returned assignment does not hold the proposal back.
    other.status = AssignmentStatus.RETURNED
    other.save(update_fields=["status"])
    from tests.factories import make_user

    leader_b = make_user("leader_b", "leader", agency=world.agency_b)
    split = make_assignment(
        proposal=make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            number="TA0009",
            sequence=9,
            first_proposer=world.proposer,
            status=ProposalStatus.ASSIGNED,
        ),
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.SPLIT,
    )
    reply = services.reply_create(assignment=split, actor=world.handler_b, data=complete_data())
    services.reply_submit(reply=reply, actor=world.handler_b)
    services.reply_issue(reply=reply, actor=leader_b)
    assert Proposal.objects.get(pk=split.proposal_id).status == ProposalStatus.REPLIED


def test_cohandler_view_issue_does_not_reply_the_proposal(world):
    from tests.factories import make_user

    leader_b = make_user("leader_b", "leader", agency=world.agency_b)
    co = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO
    )
    view = services.reply_create(assignment=co, actor=world.handler_b, data=complete_data())
    services.reply_submit(reply=view, actor=world.handler_b)
    services.reply_issue(reply=view, actor=leader_b)
    co.refresh_from_db()
    assert co.status == AssignmentStatus.REPLIED
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.ASSIGNED
    assert ReplyAction.COHANDLER_ISSUE in timeline_actions(world.proposal)


def test_rehandling_round_gets_a_new_reply_and_the_first_stays(world, issued):
    from proposals.models import Assignment

    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REHANDLING, round=2)
    Proposal.objects.filter(pk=world.proposal.pk).update(status=ProposalStatus.ASSIGNED)
    world.assignment.refresh_from_db()
    second = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data())
    assert second.round == 2
    services.reply_submit(reply=second, actor=world.handler_a)
    services.reply_issue(reply=second, actor=world.leader_a)
    assert list(Reply.objects.filter(assignment=world.assignment).values_list("round", "status")) == [
        (1, "issued"),
        (2, "issued"),
    ]
    assert Reply.objects.get(pk=issued.pk).pdf_sha256 == issued.pdf_sha256
