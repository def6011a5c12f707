"""The member's rating (满意度测评); 不满意 sends the assignment back for re-handling (重新办理).

The committee's rating mode (``consultations.ratings``) decides what the member gives: one score,
or 办理态度 and 办理结果 with the 沟通方式, the overall score then derived from the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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
from proposals.services.merging import follow_lead
from proposals.timeline import timeline_record
from replies.models import ReplyStatus

from ..actions import ConsultationAction
from ..models import ContactMethod, Rating, Satisfaction
from ..ratings import overall_value, reason_required, uses_two_scores
from ..selectors import round_reply
from .common import audit_event, checked_scan, lock_assignment
from .records import CO_HANDLER_NO_CONSULTATION

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RATING_INVALID = _("请选择测评结果：满意、基本满意或不满意。")
RATING_BEFORE_ISSUE = _("本轮答复尚未签发，暂不能测评。")
RATING_NOT_PROPOSER = _("只有提案人和联名提案人可以对办理情况测评。")
RATING_NOT_ALLOWED = _("您不能为该委员录入测评。")
RATING_CLOSED = _("提案已办结，测评结果不能再修改。")
RATING_FORM_REQUIRED = _("代委员录入测评，须上传委员填写的纸质测评表扫描件。")
RATING_REASON_REQUIRED = _("选择“基本满意”或“不满意”时，请写明理由，承办单位将看到。")
# Two scores (the committee's rating mode): each is required, and so is the contact method.
RATING_ATTITUDE_INVALID = _("请选择办理态度：满意、基本满意或不满意。")
RATING_RESULT_INVALID = _("请选择办理结果：满意、基本满意或不满意。")
RATING_CONTACT_INVALID = _("请选择沟通方式：面商、电话、书面或未沟通。")
RATING_VALUE_DERIVED = _("本委员会按办理态度和办理结果两项测评，总体测评结果由办理结果决定，不能另填。")
RATING_SCORES_NOT_USED = _("本委员会只测评一项满意度，不填办理态度、办理结果和沟通方式。")
# A stored rating's scores read from elsewhere (the workbook), whatever the committee's mode now.
RATING_SCORES_INCOMPLETE = _("办理态度和办理结果须同时填写。")
RATING_VALUE_MISMATCH = _("测评结果须与办理结果一致：按两项测评时，总体测评结果由办理结果决定。")


def _reply_issued(assignment: Assignment) -> bool:
    reply = round_reply(assignment, assignment.round)
    return reply is not None and reply.status == ReplyStatus.ISSUED


@transaction.atomic
def rating_submit(
    *,
    assignment: Assignment,
    actor: User,
    member_id: int | None,
    value: str = "",
    attitude: str = "",
    result: str = "",
    contact_method: str = "",
    comment: str = "",
    paper_form: UploadedFile | None = None,
) -> Rating:
    """A proposer or co-signer rates this round's handling; 不满意 sends the assignment back for re-handling.

    Rating again replaces the earlier rating of the same round (until the proposal is closed).
    Staff may enter a rating for a member only with the member's scanned paper form. ``member_id``
    is None when the actor rates for themselves without a member record: refused as not a proposer.

    The committee's rating mode decides the scores (``consultations.ratings``): one ``value`` (the
    two scores and the contact method are then refused, not silently dropped), or ``attitude``,
    ``result`` and ``contact_method``, all required, ``value`` derived by ``overall_value`` (a
    ``value`` given as well must be that one). A score short of 满意 — either score — needs a reason.
    """
    assignment = lock_assignment(assignment)
    proposal = assignment.proposal
    scores = _checked_scores(
        uses_two_scores(proposal.committee),
        value=value,
        attitude=attitude,
        result=result,
        contact_method=contact_method,
    )
    value = scores["value"]
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
    if reason_required(scores[name] for name in ("value", "attitude", "result")) and not (comment or "").strip():
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
            **scores,
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
        for name, score in scores.items():
            setattr(rating, name, score)
        rating.comment = (comment or "").strip()
        rating.entered_by = actor
        rating.on_behalf = on_behalf
        rating.updated_at = now
        fields = [*scores, "comment", "entered_by", "on_behalf", "updated_at"]
        if upload is not None:
            rating.paper_form.save(f"rating-{assignment.pk}-{member_id}-form{ext}", upload, save=False)
            rating.paper_form_type = content_type
            fields += ["paper_form", "paper_form_type"]
        rating.save(update_fields=fields)
        action = ConsultationAction.RATE_CHANGE
    note = _rating_note(rating)
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


def _checked_scores(two_scores: bool, *, value: str, attitude: str, result: str, contact_method: str) -> dict[str, str]:
    """The scores to store (``value``, ``attitude``, ``result``, ``contact_method``) in the mode."""
    if not two_scores:
        if value not in Satisfaction.values:
            raise DomainError(RATING_INVALID, code="invalid")
        if attitude or result or contact_method:
            raise DomainError(RATING_SCORES_NOT_USED, code="invalid")
        return {"value": value, "attitude": "", "result": "", "contact_method": ""}
    if attitude not in Satisfaction.values:
        raise DomainError(RATING_ATTITUDE_INVALID, code="invalid")
    if result not in Satisfaction.values:
        raise DomainError(RATING_RESULT_INVALID, code="invalid")
    if contact_method not in ContactMethod.values:
        raise DomainError(RATING_CONTACT_INVALID, code="invalid")
    overall = overall_value(attitude=attitude, result=result)
    if value and value != overall:
        raise DomainError(RATING_VALUE_DERIVED, code="invalid")
    return {"value": overall, "attitude": attitude, "result": result, "contact_method": contact_method}


def two_score_problems(values: Mapping[str, Any]) -> list[tuple[str, StrOrPromise]]:
    """What is wrong with a rating's stored scores (``value``, ``attitude``, ``result``), by field.

    For rows that do not pass through ``rating_submit`` (the workbook import): a rating carries
    both scores or neither, and with both its ``value`` is the one ``overall_value`` derives. The
    committee's mode is not asked: a committee may have changed it since the rating was given.
    """
    attitude, result = values.get("attitude") or "", values.get("result") or ""
    if not attitude and not result:
        return []
    if not attitude:
        return [("attitude", RATING_SCORES_INCOMPLETE)]
    if not result:
        return [("result", RATING_SCORES_INCOMPLETE)]
    if values.get("value") and values["value"] != overall_value(attitude=attitude, result=result):
        return [("value", RATING_VALUE_MISMATCH)]
    return []


def _rating_note(rating: Rating) -> str:
    """The timeline's words for a rating: the score, or both scores, the overall one and the contact."""
    member = rating.member.name
    if not rating.attitude:
        return str(_("%(member)s：%(value)s") % {"member": member, "value": rating.get_value_display()})
    return str(
        _("%(member)s：办理态度 %(attitude)s，办理结果 %(result)s（总体 %(value)s），沟通方式 %(contact)s")
        % {
            "member": member,
            "attitude": rating.get_attitude_display(),
            "result": rating.get_result_display(),
            "value": rating.get_value_display(),
            "contact": rating.get_contact_method_display(),
        }
    )


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
        follow_lead(proposal, actor)  # 并案: the merged proposals are re-handled with their lead
    audit_event(actor, assignment, "assignment_rehandle")
