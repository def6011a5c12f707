"""Every write and every state transition of the registry.

Each transition re-reads its row under ``select_for_update()``, checks who is acting and the
current state, raises ``DomainError`` with one of the message constants below on an illegal move,
saves with ``update_fields`` and writes a timeline event, all in one transaction: a refused move
writes nothing. ``timeline_record`` also writes the audit "transition" event (audit.log), so the
services do not call ``record_event`` a second time.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deadlines import can_still_return, default_due_date, is_open
from .errors import DomainError
from .models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Category,
    DeclineReason,
    ExtensionRequest,
    ExtensionStatus,
    Meeting,
    Member,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    User,
)
from .roles import NOT_ALLOWED, is_agency_user_of, is_member, is_staff
from .timeline import timeline_record
from .uploads import check_upload

# --- Messages users see -------------------------------------------------------------------
DUPLICATE_NUMBER = _("本次会议已有相同编号的提案，编号不能重复。")
NUMBER_INVALID = _("提案编号只能由字母和数字组成，且不超过 20 个字符。")
PROPOSER_REQUIRED = _("请选择第一提案人。")
COSIGNERS_REQUIRED = _("联名提案至少需要一位联名提案人。")
COSIGNERS_NOT_ALLOWED = _("个人提案不能有联名提案人。")
FIRST_PROPOSER_IN_COSIGNERS = _("第一提案人不能同时是联名提案人。")
BODY_REQUIRED = _("集体提案请填写提案单位和联系人。")
NOT_DRAFT = _("只有草稿可以修改或提交。")
NOT_SUBMITTED = _("只有待审查的提案可以立案或不予立案。")
ALREADY_REGISTERED = _("该提案已经立案，不能重复立案。")
ALREADY_DECLINED = _("该提案已不予立案。")
DECLINE_REASON_REQUIRED = _("请选择不予立案理由。")
NOT_REGISTERED = _("只有已立案、尚未交办的提案可以交办。")
ASSIGN_NEEDS_ANSWERER = _("请指定一个主办单位，或至少一个分办单位。")
ASSIGN_ONE_LEAD = _("一件提案只能有一个主办单位。")
ASSIGN_LEAD_OR_SPLIT = _("主办和分办不能同时使用。")
ASSIGN_CO_NEEDS_LEAD = _("会办单位只能配合主办单位。")
AGENCY_TWICE = _("同一承办单位不能重复交办同一件提案。")
AGENCY_INACTIVE = _("该承办单位已停用。")
DUE_BEFORE_ASSIGNMENT = _("办理时限不能早于交办日期。")
NOT_PENDING = _("只有待签收的交办可以签收或退回。")
RETURN_REASON_REQUIRED = _("请填写退回理由。")
RETURN_WINDOW_PASSED = _("已超过退回期限（交办后 %(days)s 个工作日内），不能退回；如确有问题请联系提案委员会。")
NOT_RETURNED = _("只有已退回的交办可以重新交办。")
ALREADY_REASSIGNED = _("该交办已经重新交办。")
NOT_OPEN = _("该交办已办结或已退回，不能申请延期。")
EXTENSION_REASON_REQUIRED = _("请填写延期理由。")
EXTENSION_NOT_LATER = _("延期后的办理时限必须晚于当前办理时限。")
EXTENSION_ALREADY_PENDING = _("已有一项延期申请正在审批。")
EXTENSION_NOT_PENDING = _("该延期申请已经审批。")
PROPOSAL_CLOSED = _("该提案已办结，不能再添加附件。")

_NUMBER_RE = re.compile(r"^[A-Za-z0-9]{1,20}$")


def _require(condition: bool, message=NOT_ALLOWED) -> None:
    if not condition:
        raise DomainError(message)


# --- Numbers and dates -----------------------------------------------------------------------
def format_number(meeting: Meeting, sequence: int) -> str:
    return f"{meeting.number_prefix}{sequence:04d}"


def sequence_of(meeting: Meeting, number: str) -> int | None:
    """The sequence inside a number of this meeting's format, or None for an old-style number."""
    match = re.fullmatch(re.escape(meeting.number_prefix) + r"(\d+)", number)
    return int(match.group(1)) if match else None


# --- Filing ----------------------------------------------------------------------------------
def _check_proposers(
    *,
    kind: str,
    first_proposer: Member | None,
    cosigners: Sequence[Member],
    body_name: str,
    body_contact: str,
) -> None:
    if kind == ProposerKind.BODY:
        _require(bool(body_name.strip() and body_contact.strip()), BODY_REQUIRED)
        return
    _require(first_proposer is not None, PROPOSER_REQUIRED)
    if kind == ProposerKind.INDIVIDUAL:
        _require(not cosigners, COSIGNERS_NOT_ALLOWED)
    else:
        _require(bool(cosigners), COSIGNERS_REQUIRED)
        _require(first_proposer not in cosigners, FIRST_PROPOSER_IN_COSIGNERS)


def _full_clean(proposal: Proposal) -> None:
    try:
        proposal.full_clean(exclude=["created_by", "search_text"], validate_constraints=False)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc


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
    attachments: Iterable[UploadedFile] = (),
) -> Proposal:
    """Staff file a proposal typed in from paper (it is then awaiting review); a member starts a draft.

    A member is always the first proposer of their own draft and cannot give a number.
    """
    if is_staff(actor):
        status = ProposalStatus.SUBMITTED
    elif is_member(actor):
        status = ProposalStatus.DRAFT
        first_proposer = actor.member
        _require(proposer_kind != ProposerKind.BODY)
        _require(not number)
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
    number = (number or "").strip()
    sequence = None
    if number:
        _require(bool(_NUMBER_RE.match(number)), NUMBER_INVALID)
        # The meeting row lock serialises numbering with registrations of the same meeting.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require(not Proposal.objects.filter(meeting=meeting, number=number).exists(), DUPLICATE_NUMBER)
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
        status=status,
        created_by=actor,
        created_at=now,
        submitted_at=now if status == ProposalStatus.SUBMITTED else None,
    )
    _full_clean(proposal)
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise DomainError(DUPLICATE_NUMBER) from exc
    _set_cosigners(proposal, [] if is_body else cosigners)
    for upload in attachments:
        _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.FILE if status == ProposalStatus.SUBMITTED else ProposalAction.DRAFT,
        to_state=status,
        note=number and str(_("沿用原编号 %(number)s") % {"number": number}),
    )
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
    attachments: Iterable[UploadedFile] = (),
) -> Proposal:
    """The author edits their draft."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(proposal.created_by_id == actor.pk and is_member(actor))
    _require(proposal.status == ProposalStatus.DRAFT, NOT_DRAFT)
    _require(proposer_kind != ProposerKind.BODY)
    cosigners = list(cosigners)
    _check_proposers(
        kind=proposer_kind, first_proposer=actor.member, cosigners=cosigners, body_name="", body_contact=""
    )
    proposal.title = title.strip()
    proposal.main_content = main_content
    proposal.proposer_kind = proposer_kind
    proposal.category = category
    proposal.reason = reason
    proposal.suggestions = suggestions
    proposal.between_meetings = between_meetings
    _full_clean(proposal)
    proposal.save(
        update_fields=[
            "title",
            "main_content",
            "proposer_kind",
            "category",
            "reason",
            "suggestions",
            "between_meetings",
        ]
    )
    _set_cosigners(proposal, cosigners)
    for upload in attachments:
        _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(proposal=proposal, actor=actor, action=ProposalAction.EDIT)
    return proposal


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor: User) -> Proposal:
    """The member sends their draft to the committee."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(proposal.created_by_id == actor.pk)
    _require(proposal.status == ProposalStatus.DRAFT, NOT_DRAFT)
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
    return proposal


# --- Review ----------------------------------------------------------------------------------
def _check_reviewable(proposal: Proposal) -> None:
    if proposal.status in (
        ProposalStatus.REGISTERED,
        ProposalStatus.ASSIGNED,
        ProposalStatus.REPLIED,
        ProposalStatus.CLOSED,
    ):
        raise DomainError(ALREADY_REGISTERED, code="already_registered")
    if proposal.status == ProposalStatus.NOT_REGISTERED:
        raise DomainError(ALREADY_DECLINED)
    _require(proposal.status == ProposalStatus.SUBMITTED, NOT_SUBMITTED)


@transaction.atomic
def proposal_register(*, proposal: Proposal, actor: User) -> Proposal:
    """立案: the proposal gets the next number of its meeting, unless it was filed with one.

    The proposal row is locked first (so of two staff registering it at once one wins and the
    other is told), then the meeting row (so two registrations never take the same sequence).
    """
    _require(is_staff(actor))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_reviewable(proposal)
    meeting = Meeting.objects.select_for_update().get(pk=proposal.meeting_id)
    if not proposal.number:
        sequence = meeting.last_sequence + 1
        # Old records filed with their own number may sit above the counter; step over them.
        while Proposal.objects.filter(meeting=meeting, number=format_number(meeting, sequence)).exists():
            sequence += 1
        meeting.last_sequence = sequence
        meeting.save(update_fields=["last_sequence"])
        proposal.sequence = sequence
        proposal.number = format_number(meeting, sequence)
    proposal.status = ProposalStatus.REGISTERED
    proposal.registered_at = timezone.now()
    proposal.save(update_fields=["status", "number", "sequence", "registered_at"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.REGISTER,
        from_state=ProposalStatus.SUBMITTED,
        to_state=ProposalStatus.REGISTERED,
        note=str(_("编号 %(number)s") % {"number": proposal.number}),
    )
    return proposal


@transaction.atomic
def proposal_decline(
    *,
    proposal: Proposal,
    actor: User,
    reason: DeclineReason | None,
    note: str = "",
    convert_to_opinion: bool = False,
) -> Proposal:
    """不予立案 with a reason from the list; optionally converted into an opinion (转为意见建议)."""
    _require(is_staff(actor))
    _require(reason is not None and reason.is_active, DECLINE_REASON_REQUIRED)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_reviewable(proposal)
    proposal.status = ProposalStatus.NOT_REGISTERED
    proposal.decline_reason = reason
    proposal.decline_note = note.strip()
    proposal.converted_to_opinion = convert_to_opinion
    proposal.save(update_fields=["status", "decline_reason", "decline_note", "converted_to_opinion"])
    parts = [reason.text]
    if convert_to_opinion:
        parts.append(str(_("转为意见建议")))
    if proposal.decline_note:
        parts.append(proposal.decline_note)
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.DECLINE,
        from_state=ProposalStatus.SUBMITTED,
        to_state=ProposalStatus.NOT_REGISTERED,
        note="；".join(parts),
    )
    return proposal


# --- Assignment ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssignmentSpec:
    """One agency of an assignment: its role, the part it answers (分办) and an optional due date."""

    agency: Agency
    role: str
    scope: str = ""
    due_date: dt.date | None = None


def _live_agency_ids(proposal: Proposal) -> set[int]:
    return set(Assignment.objects.filter(proposal=proposal).live().values_list("agency_id", flat=True))


def _new_assignment(
    *, proposal: Proposal, actor: User, spec: AssignmentSpec, today: dt.date, now: dt.datetime
) -> Assignment:
    _require(spec.agency.is_active, AGENCY_INACTIVE)
    due = spec.due_date or default_due_date(proposal.meeting, spec.role, today)
    _require(due >= today, DUE_BEFORE_ASSIGNMENT)
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                proposal=proposal,
                agency=spec.agency,
                role=spec.role,
                scope=spec.scope.strip() if spec.role == AssignmentRole.SPLIT else "",
                status=AssignmentStatus.PENDING,
                assigned_at=now,
                assigned_by=actor,
                due_date=due,
                original_due_date=due,
            )
    except IntegrityError as exc:
        raise DomainError(AGENCY_TWICE) from exc


@transaction.atomic
def proposal_assign(*, proposal: Proposal, actor: User, specs: Sequence[AssignmentSpec]) -> list[Assignment]:
    """交办: one lead (主办) with optional co-handlers (会办), or several split handlers (分办)."""
    _require(is_staff(actor))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=proposal.pk)
    _require(proposal.status == ProposalStatus.REGISTERED, NOT_REGISTERED)
    roles = [s.role for s in specs]
    _require(AssignmentRole.LEAD in roles or AssignmentRole.SPLIT in roles, ASSIGN_NEEDS_ANSWERER)
    _require(roles.count(AssignmentRole.LEAD) <= 1, ASSIGN_ONE_LEAD)
    _require(not (AssignmentRole.LEAD in roles and AssignmentRole.SPLIT in roles), ASSIGN_LEAD_OR_SPLIT)
    _require(AssignmentRole.CO not in roles or AssignmentRole.LEAD in roles, ASSIGN_CO_NEEDS_LEAD)
    agency_ids = [s.agency.pk for s in specs]
    _require(len(set(agency_ids)) == len(agency_ids), AGENCY_TWICE)
    _require(not (set(agency_ids) & _live_agency_ids(proposal)), AGENCY_TWICE)
    today = timezone.localdate()
    now = timezone.now()
    order = {AssignmentRole.LEAD: 0, AssignmentRole.SPLIT: 1, AssignmentRole.CO: 2}
    created = [
        _new_assignment(proposal=proposal, actor=actor, spec=spec, today=today, now=now)
        for spec in sorted(specs, key=lambda s: order[s.role])
    ]
    proposal.status = ProposalStatus.ASSIGNED
    proposal.save(update_fields=["status"])
    note = "；".join(
        f"{a.agency.name}（{a.get_role_display()}{'：' + a.scope if a.scope else ''}，"
        f"{_('时限')} {a.due_date:%Y-%m-%d}）"
        for a in created
    )
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.ASSIGN,
        from_state=ProposalStatus.REGISTERED,
        to_state=ProposalStatus.ASSIGNED,
        note=note,
        assignment=created[0] if len(created) == 1 else None,
    )
    return created


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "agency")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def assignment_accept(*, assignment: Assignment, actor: User) -> Assignment:
    """签收 by a handler or leader of the agency."""
    assignment = _lock_assignment(assignment)
    _require(is_agency_user_of(actor, assignment.agency_id))
    _require(assignment.status == AssignmentStatus.PENDING, NOT_PENDING)
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.accepted_at = timezone.now()
    assignment.save(update_fields=["status", "accepted_at"])
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.ACCEPT,
        from_state=AssignmentStatus.PENDING,
        to_state=AssignmentStatus.ACCEPTED,
        note=assignment.agency.name,
    )
    return assignment


@transaction.atomic
def assignment_return(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    """退回 within the meeting's window of working days; staff then re-assign."""
    assignment = _lock_assignment(assignment)
    _require(is_agency_user_of(actor, assignment.agency_id))
    _require(assignment.status == AssignmentStatus.PENDING, NOT_PENDING)
    reason = (reason or "").strip()
    _require(bool(reason), RETURN_REASON_REQUIRED)
    if not can_still_return(assignment):
        raise DomainError(RETURN_WINDOW_PASSED % {"days": assignment.proposal.meeting.return_window_days})
    assignment.status = AssignmentStatus.RETURNED
    assignment.returned_at = timezone.now()
    assignment.return_reason = reason
    assignment.save(update_fields=["status", "returned_at", "return_reason"])
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.RETURN,
        from_state=AssignmentStatus.PENDING,
        to_state=AssignmentStatus.RETURNED,
        note=f"{assignment.agency.name}：{reason}",
    )
    return assignment


@transaction.atomic
def assignment_reassign(
    *, assignment: Assignment, actor: User, agency: Agency, due_date: dt.date | None = None
) -> Assignment:
    """Staff give a returned assignment (same role and part) to another agency."""
    _require(is_staff(actor))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=assignment.proposal_id)
    assignment = _lock_assignment(assignment)
    _require(assignment.status == AssignmentStatus.RETURNED, NOT_RETURNED)
    _require(assignment.replaced_by_id is None, ALREADY_REASSIGNED)
    _require(agency.pk not in _live_agency_ids(proposal), AGENCY_TWICE)
    spec = AssignmentSpec(agency=agency, role=assignment.role, scope=assignment.scope, due_date=due_date)
    new = _new_assignment(proposal=proposal, actor=actor, spec=spec, today=timezone.localdate(), now=timezone.now())
    assignment.replaced_by = new
    assignment.save(update_fields=["replaced_by"])
    timeline_record(
        proposal=proposal,
        assignment=new,
        actor=actor,
        action=ProposalAction.REASSIGN,
        from_state=AssignmentStatus.RETURNED,
        to_state=AssignmentStatus.PENDING,
        note=str(
            _("由 %(old)s 改交 %(new)s（%(role)s），时限 %(due)s")
            % {"old": assignment.agency.name, "new": agency.name, "role": new.get_role_display(), "due": new.due_date}
        ),
    )
    return new


# --- Deadlines -------------------------------------------------------------------------------
@transaction.atomic
def assignment_request_extension(
    *, assignment: Assignment, actor: User, reason: str, requested_due_date: dt.date
) -> ExtensionRequest:
    assignment = _lock_assignment(assignment)
    _require(is_agency_user_of(actor, assignment.agency_id))
    _require(is_open(assignment.status), NOT_OPEN)
    reason = (reason or "").strip()
    _require(bool(reason), EXTENSION_REASON_REQUIRED)
    _require(requested_due_date > assignment.due_date, EXTENSION_NOT_LATER)
    _require(not assignment.extensions.filter(status=ExtensionStatus.PENDING).exists(), EXTENSION_ALREADY_PENDING)
    extension = ExtensionRequest.objects.create(
        assignment=assignment,
        reason=reason,
        requested_due_date=requested_due_date,
        requested_by=actor,
    )
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.EXTENSION_REQUEST,
        note=str(
            _("%(agency)s 申请延至 %(due)s：%(reason)s")
            % {"agency": assignment.agency.name, "due": requested_due_date, "reason": reason}
        ),
    )
    return extension


def _lock_extension(extension: ExtensionRequest) -> tuple[ExtensionRequest, Assignment]:
    assignment = _lock_assignment(extension.assignment)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    _require(extension.status == ExtensionStatus.PENDING, EXTENSION_NOT_PENDING)
    return extension, assignment


@transaction.atomic
def extension_approve(
    *, extension: ExtensionRequest, actor: User, new_due_date: dt.date | None = None, note: str = ""
) -> ExtensionRequest:
    """Staff approve an extension: the assignment's due date moves (to the requested date by default)."""
    _require(is_staff(actor))
    extension, assignment = _lock_extension(extension)
    _require(is_open(assignment.status), NOT_OPEN)
    new_due = new_due_date or extension.requested_due_date
    _require(new_due >= timezone.localdate(assignment.assigned_at), DUE_BEFORE_ASSIGNMENT)
    _require(new_due > assignment.due_date, EXTENSION_NOT_LATER)
    old_due = assignment.due_date
    extension.status = ExtensionStatus.APPROVED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.new_due_date = new_due
    extension.decision_note = note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "new_due_date", "decision_note"])
    assignment.due_date = new_due
    assignment.save(update_fields=["due_date"])
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.EXTENSION_APPROVE,
        note=str(
            _("%(agency)s 办理时限由 %(old)s 延至 %(new)s")
            % {"agency": assignment.agency.name, "old": old_due, "new": new_due}
        )
        + (f"；{extension.decision_note}" if extension.decision_note else ""),
    )
    return extension


@transaction.atomic
def extension_refuse(*, extension: ExtensionRequest, actor: User, note: str = "") -> ExtensionRequest:
    _require(is_staff(actor))
    extension, assignment = _lock_extension(extension)
    extension.status = ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.EXTENSION_REFUSE,
        note=assignment.agency.name + (f"：{extension.decision_note}" if extension.decision_note else ""),
    )
    return extension


# --- Key proposals and attachments -----------------------------------------------------------
@transaction.atomic
def proposal_set_key(*, proposal: Proposal, actor: User, is_key: bool, note: str = "") -> Proposal:
    """Staff flag a proposal as key (重点提案) for supervision, with a supervising note."""
    _require(is_staff(actor))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.NOT_REGISTERED))
    proposal.is_key = is_key
    proposal.key_note = note.strip() if is_key else proposal.key_note
    proposal.save(update_fields=["is_key", "key_note"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.KEY_ON if is_key else ProposalAction.KEY_OFF,
        note=proposal.key_note if is_key else "",
    )
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
        _require(proposal.created_by_id == actor.pk)
    else:
        _require(is_staff(actor))
        _require(proposal.status != ProposalStatus.CLOSED, PROPOSAL_CLOSED)
    attachment = _store_attachment(proposal=proposal, actor=actor, upload=upload)
    timeline_record(proposal=proposal, actor=actor, action=ProposalAction.ATTACH, note=attachment.original_name)
    return attachment
