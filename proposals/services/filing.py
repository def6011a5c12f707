"""Filing: staff enter a paper proposal, a member drafts, edits and submits; attachments."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import DomainError
from ..models import (
    Agency,
    Attachment,
    Category,
    Meeting,
    Member,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    User,
)
from ..roles import NOT_ALLOWED, is_member, is_staff_of
from ..timeline import timeline_record
from ..uploads import check_upload
from .common import full_clean, require, require_same_committee
from .cosign import cosign_invite
from .numbering import DUPLICATE_NUMBER, NUMBER_INVALID, is_valid_number, sequence_of
from .similarity import similarity_index_on_commit

PROPOSER_REQUIRED = _("请选择第一提案人。")
COSIGNERS_REQUIRED = _("联名提案至少需要一位联名提案人。")
COSIGNERS_NOT_ALLOWED = _("个人提案不能有联名提案人。")
FIRST_PROPOSER_IN_COSIGNERS = _("第一提案人不能同时是联名提案人。")
BODY_REQUIRED = _("集体提案请填写提案单位和联系人。")
NOT_DRAFT = _("只有草稿可以修改或提交。")
PROPOSAL_CLOSED = _("该提案已办结，不能再添加附件。")
REFUSAL_REASON_REQUIRED = _("不同意公开的，请填写理由。")


def _check_proposers(
    *,
    kind: str,
    first_proposer: Member | None,
    cosigners: Sequence[Member],
    body_name: str,
    body_contact: str,
) -> None:
    if kind == ProposerKind.BODY:
        require(bool(body_name.strip() and body_contact.strip()), BODY_REQUIRED)
        return
    require(first_proposer is not None, PROPOSER_REQUIRED)
    if kind == ProposerKind.INDIVIDUAL:
        require(not cosigners, COSIGNERS_NOT_ALLOWED)
    else:
        require(bool(cosigners), COSIGNERS_REQUIRED)
        require(first_proposer not in cosigners, FIRST_PROPOSER_IN_COSIGNERS)


def _check_committee(
    committee_id: int, *, first_proposer: Member | None, cosigners: Sequence[Member], category: Category | None
) -> None:
    require_same_committee(committee_id, [first_proposer, *cosigners], _("提案人"))
    require_same_committee(committee_id, [category], _("类别"))


def _check_choices(
    committee_id: int, *, suggested_agencies: Sequence[Agency], publication_consent: bool, refusal_reason: str
) -> str:
    """The proposer's choices (issue 21, item 6): suggested agencies of the proposal's own committee,
    and a reason when publication is refused. Returns the reason to store ("" when they agree)."""
    require_same_committee(committee_id, suggested_agencies, _("建议承办单位"))
    reason = (refusal_reason or "").strip()
    if publication_consent:
        return ""
    require(bool(reason), REFUSAL_REASON_REQUIRED)
    return reason


def _set_cosigners(proposal: Proposal, cosigners: Sequence[Member]) -> None:
    ProposalCosigner.objects.filter(proposal=proposal).delete()
    ProposalCosigner.objects.bulk_create(
        ProposalCosigner(proposal=proposal, member=m, order=i) for i, m in enumerate(cosigners)
    )


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    main_content: str,
    proposer_kind: str = ProposerKind.INDIVIDUAL,
    first_proposer: Member | None = None,
    cosigners: Sequence[Member] = (),
    body_name: str = "",
    body_contact: str = "",
    body_contact_phone: str = "",
    category: Category | None = None,
    reason: str = "",
    suggestions: str = "",
    between_meetings: bool = False,
    number: str = "",
    suggested_agencies: Sequence[Agency] = (),
    publication_consent: bool = True,
    publication_refusal_reason: str = "",
    attachments: Iterable[UploadedFile] = (),
) -> Proposal:
    """Staff file a proposal typed in from paper (it is then awaiting review); a member starts a draft.

    A member is always the first proposer of their own draft and cannot give a number.
    """
    if is_staff_of(actor, meeting.committee_id):
        status = ProposalStatus.SUBMITTED
    elif is_member(actor) and actor.member is not None and actor.member.committee_id == meeting.committee_id:
        status = ProposalStatus.DRAFT
        first_proposer = actor.member
        require(proposer_kind != ProposerKind.BODY)
        require(not number)
    else:
        raise DomainError(NOT_ALLOWED)
    cosigners = list(cosigners)
    _check_proposers(
        kind=proposer_kind,
        first_proposer=first_proposer,
        cosigners=cosigners,
        body_name=body_name,
        body_contact=body_contact,
    )
    _check_committee(meeting.committee_id, first_proposer=first_proposer, cosigners=cosigners, category=category)
    suggested_agencies = list(dict.fromkeys(suggested_agencies))
    refusal_reason = _check_choices(
        meeting.committee_id,
        suggested_agencies=suggested_agencies,
        publication_consent=publication_consent,
        refusal_reason=publication_refusal_reason,
    )
    number = (number or "").strip()
    sequence = None
    if number:
        require(is_valid_number(number), NUMBER_INVALID)
        # The meeting row lock serialises numbering with registrations of the same meeting.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        require(not Proposal.objects.filter(meeting=meeting, number=number).exists(), DUPLICATE_NUMBER)
        sequence = sequence_of(meeting, number)
        if sequence is not None and sequence > meeting.last_sequence:
            meeting.last_sequence = sequence
            meeting.save(update_fields=["last_sequence"])
    now = timezone.now()
    is_body = proposer_kind == ProposerKind.BODY
    proposal = Proposal(
        meeting=meeting,
        between_meetings=between_meetings,
        number=number,
        sequence=sequence,
        title=title.strip(),
        proposer_kind=proposer_kind,
        first_proposer=None if is_body else first_proposer,
        body_name=body_name.strip() if is_body else "",
        body_contact=body_contact.strip() if is_body else "",
        body_contact_phone=body_contact_phone.strip() if is_body else "",
        category=category,
        main_content=main_content,
        reason=reason,
        suggestions=suggestions,
        publication_consent=publication_consent,
        publication_refusal_reason=refusal_reason,
        status=status,
        created_by=actor,
        created_at=now,
        submitted_at=now if status == ProposalStatus.SUBMITTED else None,
    )
    full_clean(proposal)
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise DomainError(DUPLICATE_NUMBER) from exc
    _set_cosigners(proposal, [] if is_body else cosigners)
    proposal.suggested_agencies.set(suggested_agencies)
    for upload in attachments:
        _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.FILE if status == ProposalStatus.SUBMITTED else ProposalAction.DRAFT,
        to_state=status,
        note=number and str(_("沿用原编号 %(number)s") % {"number": number}),
    )
    if status == ProposalStatus.SUBMITTED:
        cosign_invite(proposal=proposal, actor=actor)
        similarity_index_on_commit(proposal=proposal)
    return proposal


@transaction.atomic
def proposal_update_draft(
    *,
    proposal: Proposal,
    actor: User,
    title: str,
    main_content: str,
    proposer_kind: str = ProposerKind.INDIVIDUAL,
    cosigners: Sequence[Member] = (),
    category: Category | None = None,
    reason: str = "",
    suggestions: str = "",
    between_meetings: bool = False,
    suggested_agencies: Sequence[Agency] = (),
    publication_consent: bool = True,
    publication_refusal_reason: str = "",
    attachments: Iterable[UploadedFile] = (),
) -> Proposal:
    """The author edits their draft."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(proposal.created_by_id == actor.pk and is_member(actor))
    require(proposal.status == ProposalStatus.DRAFT, NOT_DRAFT)
    require(proposer_kind != ProposerKind.BODY)
    cosigners = list(cosigners)
    _check_proposers(
        kind=proposer_kind, first_proposer=actor.member, cosigners=cosigners, body_name="", body_contact=""
    )
    _check_committee(proposal.committee_id, first_proposer=None, cosigners=cosigners, category=category)
    suggested_agencies = list(dict.fromkeys(suggested_agencies))
    refusal_reason = _check_choices(
        proposal.committee_id,
        suggested_agencies=suggested_agencies,
        publication_consent=publication_consent,
        refusal_reason=publication_refusal_reason,
    )
    proposal.title = title.strip()
    proposal.main_content = main_content
    proposal.proposer_kind = proposer_kind
    proposal.category = category
    proposal.reason = reason
    proposal.suggestions = suggestions
    proposal.between_meetings = between_meetings
    proposal.publication_consent = publication_consent
    proposal.publication_refusal_reason = refusal_reason
    full_clean(proposal)
    proposal.save(
        update_fields=[
            "title",
            "main_content",
            "proposer_kind",
            "category",
            "reason",
            "suggestions",
            "between_meetings",
            "publication_consent",
            "publication_refusal_reason",
        ]
    )
    _set_cosigners(proposal, cosigners)
    proposal.suggested_agencies.set(suggested_agencies)
    for upload in attachments:
        _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(proposal=proposal, actor=actor, action=ProposalAction.EDIT)
    return proposal


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor: User) -> Proposal:
    """The member sends their draft to the committee."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(proposal.created_by_id == actor.pk)
    require(proposal.status == ProposalStatus.DRAFT, NOT_DRAFT)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.save(update_fields=["status", "submitted_at"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.SUBMIT,
        from_state=ProposalStatus.DRAFT,
        to_state=ProposalStatus.SUBMITTED,
    )
    cosign_invite(proposal=proposal, actor=actor)
    similarity_index_on_commit(proposal=proposal)
    return proposal


def _store_attachment(*, proposal: Proposal, actor: User, upload: UploadedFile) -> Attachment:
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_upload") from exc
    attachment = Attachment(
        proposal=proposal,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    # A random stored name: the original name is data, not a path. The file is written before the
    # row commits; a rollback after this point leaves an unreferenced file, never a dangling row.
    stored_name = uuid.uuid4().hex + PurePath(checked.original_name).suffix.lower()
    attachment.file.save(stored_name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, proposal: Proposal, actor: User, upload: UploadedFile) -> Attachment:
    """Staff attach a file to a proposal; a member to their own draft."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == ProposalStatus.DRAFT:
        require(proposal.created_by_id == actor.pk)
    else:
        require(is_staff_of(actor, proposal.committee_id))
        require(proposal.status != ProposalStatus.CLOSED, PROPOSAL_CLOSED)
    attachment = _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(proposal=proposal, actor=actor, action=ProposalAction.ATTACH, note=attachment.original_name)
    return attachment
