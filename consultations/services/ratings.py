"""The member's rating (满意度测评); 不满意 sends the assignment back for re-handling (重新办理)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.formats import document_date
from proposals import deadlines
from proposals.errors import DomainError
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus, User
from proposals.proposers import assignment_proposers
from proposals.roles import is_member_of, is_staff_of
from proposals.timeline import timeline_record
from replies.models import ReplyStatus

from ..actions import ConsultationAction
from ..models import Rating, Satisfaction
from ..selectors import round_reply
from .common import audit_event, checked_scan, lock_assignment
from .records import CO_HANDLER_NO_CONSULTATION

RATING_INVALID = _("请选择测评结果：满意、基本满意或不满意。")
RATING_BEFORE_ISSUE = _("本轮答复尚未签发，暂不能测评。")
RATING_NOT_PROPOSER = _("只有提案人和联名提案人可以对办理情况测评。")
RATING_NOT_ALLOWED = _("您不能为该委员录入测评。")
RATING_CLOSED = _("提案已办结，测评结果不能再修改。")
RATING_FORM_REQUIRED = _("代委员录入测评，须上传委员填写的纸质测评表扫描件。")
RATING_REASON_REQUIRED = _("选择“基本满意”或“不满意”时，请写明理由，承办单位将看到。")
# A rating short of 满意 says why, so the agency knows what to improve (issue 19).
NEEDS_REASON = (Satisfaction.BASIC, Satisfaction.UNSATISFIED)


def _reply_issued(assignment: Assignment) -> bool:
    reply = round_reply(assignment, assignment.round)
    return reply is not None and reply.status == ReplyStatus.ISSUED


@transaction.atomic
def rating_submit(
    *,
    assignment: Assignment,
    actor: User,
    member_id: int | None,
    value: str,
    comment: str = "",
    paper_form: UploadedFile | None = None,
) -> Rating:
    """A proposer or co-signer rates this round's handling; 不满意 sends the assignment back for re-handling.

    Rating again replaces the earlier rating of the same round (until the proposal is closed).
    Staff may enter a rating for a member only with the member's scanned paper form. ``member_id``
    is None when the actor rates for themselves without a member record: refused as not a proposer.
    """
    assignment = lock_assignment(assignment)
    proposal = assignment.proposal
    if value not in Satisfaction.values:
        raise DomainError(RATING_INVALID, code="invalid")
    if proposal.status == ProposalStatus.CLOSED:
        raise DomainError(RATING_CLOSED)
    if not assignment.answers_member:
        raise DomainError(CO_HANDLER_NO_CONSULTATION)
    raters = {member.pk for member in assignment_proposers(assignment)}
    if member_id is None or member_id not in raters:  # None: the actor has no member record
        raise DomainError(RATING_NOT_PROPOSER, code="forbidden")
    if is_member_of(actor, member_id):
        on_behalf = False
    elif is_staff_of(actor, proposal.committee_id):
        on_behalf = True
    else:
        raise DomainError(RATING_NOT_ALLOWED, code="forbidden")
    if assignment.status != AssignmentStatus.REPLIED or not _reply_issued(assignment):
        raise DomainError(RATING_BEFORE_ISSUE)
    if value in NEEDS_REASON and not (comment or "").strip():
        raise DomainError(RATING_REASON_REQUIRED, code="invalid")
    upload: UploadedFile | None = None
    content_type = ext = ""  # used only with an upload
    if on_behalf:
        upload, _sha256, content_type, ext = checked_scan(paper_form, RATING_FORM_REQUIRED)

    now = timezone.now()
    rating = (
        Rating.objects.select_for_update()
        .filter(assignment=assignment, round=assignment.round, member_id=member_id)
        .first()
    )
    if rating is None:
        rating = Rating(
            assignment=assignment,
            round=assignment.round,
            member_id=member_id,
            value=value,
            comment=(comment or "").strip(),
            entered_by=actor,
            on_behalf=on_behalf,
            created_at=now,
            updated_at=now,
        )
        if upload is not None:
            rating.paper_form.save(f"rating-{assignment.pk}-{member_id}-form{ext}", upload, save=False)
            rating.paper_form_type = content_type
        rating.save()
        action, from_value = ConsultationAction.RATE, ""
    else:
        from_value = rating.value
        rating.value = value
        rating.comment = (comment or "").strip()
        rating.entered_by = actor
        rating.on_behalf = on_behalf
        rating.updated_at = now
        fields = ["value", "comment", "entered_by", "on_behalf", "updated_at"]
        if upload is not None:
            rating.paper_form.save(f"rating-{assignment.pk}-{member_id}-form{ext}", upload, save=False)
            rating.paper_form_type = content_type
            fields += ["paper_form", "paper_form_type"]
        rating.save(update_fields=fields)
        action = ConsultationAction.RATE_CHANGE
    member_name = rating.member.name
    note = _("%(member)s：%(value)s") % {"member": member_name, "value": rating.get_value_display()}
    if on_behalf:
        note = f"{note}（{_('工作人员凭纸质测评表代为录入')}）"
    if rating.comment:
        note = f"{note}\n{rating.comment}"
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_value,
        to_state=value,
        note=str(note),
    )
    audit_event(actor, rating, "rating_submit" + (" on behalf" if on_behalf else ""))
    if value == Satisfaction.UNSATISFIED:
        _reopen_for_rehandling(assignment, actor)
    return rating


def _reopen_for_rehandling(assignment: Assignment, actor: User) -> None:
    """不满意: a new round for the assignment, with a new (shorter) due date; earlier rounds stay."""
    old_round = assignment.round
    assignment.status = AssignmentStatus.REHANDLING
    assignment.round = old_round + 1
    due = deadlines.rehandle_due_date(assignment.proposal.meeting, timezone.localdate())
    assignment.due_date = assignment.original_due_date = due
    assignment.replied_at = None
    assignment.save(update_fields=["status", "round", "due_date", "original_due_date", "replied_at"])
    proposal = assignment.proposal
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.REHANDLE,
        from_state=AssignmentStatus.REPLIED,
        to_state=AssignmentStatus.REHANDLING,
        note=str(
            _("委员测评不满意，进入第 %(round)s 轮办理，办理时限 %(due)s。")
            % {"round": assignment.round, "due": document_date(assignment.due_date)}
        ),
    )
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == ProposalStatus.REPLIED:
        proposal.status = ProposalStatus.ASSIGNED
        proposal.save(update_fields=["status"])
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ConsultationAction.REHANDLE,
            from_state=ProposalStatus.REPLIED,
            to_state=ProposalStatus.ASSIGNED,
        )
    audit_event(actor, assignment, "assignment_rehandle")
