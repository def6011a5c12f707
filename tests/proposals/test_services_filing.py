from __future__ import annotations

import pytest

from proposals import services
from proposals.choices import ProposalAction
from proposals.errors import DomainError
from proposals.models import Attachment, Proposal, ProposalStatus, ProposerKind, TimelineEvent
from proposals.validators import PHONE_INVALID
from tests.factories import fake_pdf_upload, last_event, make_proposal, pdf_upload, refused

pytestmark = pytest.mark.django_db


def test_staff_files_joint_proposal_from_paper_awaiting_review(world):
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="关于<b>加强</b>养老服务的建议",
        main_content="内容",
        proposer_kind=ProposerKind.JOINT,
        first_proposer=world.proposer,
        cosigners=[world.cosigner, world.unrelated],
        reason="案由",
        suggestions="建议一；建议二",
        between_meetings=True,
    )
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED and p.submitted_at is not None
    assert p.number == "" and p.between_meetings
    assert p.title == "关于<b>加强</b>养老服务的建议"  # stored as typed, escaped on display
    assert [m.name for m in p.cosigners.order_by("proposalcosigner__order")] == ["李四", "王五"]
    event = last_event(p)
    assert (event.action, event.to_state, event.actor) == (ProposalAction.FILE, "submitted", world.staff)


def test_staff_files_body_proposal_with_contact(world):
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="集体提案",
        main_content="内容",
        proposer_kind=ProposerKind.BODY,
        body_name="民革晋城市委",
        body_contact="赵六",
        body_contact_phone="0356-2021234",
    )
    assert p.proposer_display == "民革晋城市委" and p.first_proposer is None


def test_body_contact_phone_must_be_valid_and_nothing_is_written(world):
    before = Proposal.objects.count()
    with pytest.raises(DomainError) as exc:
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="集体提案",
            main_content="内容",
            proposer_kind=ProposerKind.BODY,
            body_name="民革",
            body_contact="赵六",
            body_contact_phone="12345",
        )
    assert str(PHONE_INVALID) in exc.value.message
    assert Proposal.objects.count() == before


def test_existing_number_is_kept_and_raises_the_counter(world):
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="旧提案",
        main_content="x",
        first_proposer=world.proposer,
        number="TA0150",
    )
    world.meeting.refresh_from_db()
    assert (p.number, p.sequence, world.meeting.last_sequence) == ("TA0150", 150, 150)
    assert "TA0150" in last_event(p).note


def test_duplicate_number_in_meeting_is_refused(world):
    before = Proposal.objects.count()
    with refused(services.DUPLICATE_NUMBER):
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="重复",
            main_content="x",
            first_proposer=world.proposer,
            number="TA0001",
        )
    assert Proposal.objects.count() == before


def test_same_number_in_another_meeting_is_fine(world):
    from tests.factories import make_meeting

    other = make_meeting(term=8, session=4, prefix="TB")
    p = services.proposal_create(
        actor=world.staff, meeting=other, title="x", main_content="x", first_proposer=world.proposer, number="TA0001"
    )
    assert p.number == "TA0001"


@pytest.mark.parametrize(
    ("kind", "first", "cosigners", "message"),
    [
        (ProposerKind.INDIVIDUAL, None, [], services.PROPOSER_REQUIRED),
        (ProposerKind.INDIVIDUAL, "proposer", ["cosigner"], services.COSIGNERS_NOT_ALLOWED),
        (ProposerKind.JOINT, "proposer", [], services.COSIGNERS_REQUIRED),
        (ProposerKind.JOINT, "proposer", ["proposer"], services.FIRST_PROPOSER_IN_COSIGNERS),
        (ProposerKind.BODY, None, [], services.BODY_REQUIRED),
    ],
)
def test_proposer_shape_is_checked(world, kind, first, cosigners, message):
    with refused(message):
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="x",
            main_content="x",
            proposer_kind=kind,
            first_proposer=getattr(world, first) if first else None,
            cosigners=[getattr(world, c) for c in cosigners],
        )


def test_member_drafts_as_first_proposer_then_submits(world):
    p = services.proposal_create(
        actor=world.member_user,
        meeting=world.meeting,
        title="委员草稿",
        main_content="x",
        first_proposer=world.unrelated,  # ignored: a member files their own proposal
    )
    assert (p.status, p.first_proposer, p.submitted_at) == (ProposalStatus.DRAFT, world.proposer, None)
    services.proposal_submit(proposal=p, actor=world.member_user)
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED and p.submitted_at is not None
    event = last_event(p)
    assert (event.action, event.from_state, event.to_state) == (ProposalAction.SUBMIT, "draft", "submitted")


def test_member_cannot_give_a_number_or_file_for_a_body(world):
    with refused(services.NOT_ALLOWED):
        services.proposal_create(
            actor=world.member_user, meeting=world.meeting, title="x", main_content="x", number="TA0999"
        )
    with refused(services.NOT_ALLOWED):
        services.proposal_create(
            actor=world.member_user,
            meeting=world.meeting,
            title="x",
            main_content="x",
            proposer_kind=ProposerKind.BODY,
            body_name="b",
            body_contact="c",
        )


def test_handler_cannot_file(world):
    with refused(services.NOT_ALLOWED):
        services.proposal_create(actor=world.handler_a, meeting=world.meeting, title="x", main_content="x")


def test_only_the_author_submits_a_draft_and_only_once(world):
    p = make_proposal(
        meeting=world.meeting, created_by=world.member_user, first_proposer=world.proposer, status=ProposalStatus.DRAFT
    )
    with refused(services.NOT_ALLOWED):
        services.proposal_submit(proposal=p, actor=world.cosigner_user)
    with refused(services.NOT_ALLOWED):
        services.proposal_submit(proposal=p, actor=world.staff)
    services.proposal_submit(proposal=p, actor=world.member_user)
    with refused(services.NOT_DRAFT):
        services.proposal_submit(proposal=p, actor=world.member_user)


def test_author_edits_draft_but_not_after_submit(world):
    p = services.proposal_create(actor=world.member_user, meeting=world.meeting, title="初稿", main_content="x")
    services.proposal_update_draft(
        proposal=p,
        actor=world.member_user,
        title="二稿",
        main_content="y",
        proposer_kind=ProposerKind.JOINT,
        cosigners=[world.cosigner],
    )
    p.refresh_from_db()
    assert (p.title, list(p.cosigners.all())) == ("二稿", [world.cosigner])
    assert last_event(p).action == ProposalAction.EDIT
    services.proposal_submit(proposal=p, actor=world.member_user)
    with refused(services.NOT_DRAFT):
        services.proposal_update_draft(proposal=p, actor=world.member_user, title="三稿", main_content="z")


def test_attachments_are_checked_by_content_and_stored(world):
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="带附件",
        main_content="x",
        first_proposer=world.proposer,
        attachments=[pdf_upload()],
    )
    att = p.attachments.get()
    assert (att.original_name, att.content_type, att.uploaded_by) == ("附件.pdf", "application/pdf", world.staff)
    assert att.file.name.startswith("attachments/") and not att.file.name.endswith("附件.pdf")
    with att.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert len(att.sha256) == 64


def test_fake_attachment_refuses_the_whole_filing(world):
    before = (Proposal.objects.count(), Attachment.objects.count(), TimelineEvent.objects.count())
    with pytest.raises(DomainError):
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="x",
            main_content="x",
            first_proposer=world.proposer,
            attachments=[fake_pdf_upload()],
        )
    assert (Proposal.objects.count(), Attachment.objects.count(), TimelineEvent.objects.count()) == before


def test_attachment_add_by_staff_and_refused_to_members_after_submission(world, submitted):
    att = services.attachment_add(proposal=submitted, actor=world.staff, upload=pdf_upload("补充.pdf"))
    assert att.proposal == submitted and last_event(submitted).note == "补充.pdf"
    with refused(services.NOT_ALLOWED):
        services.attachment_add(proposal=submitted, actor=world.member_user, upload=pdf_upload())
