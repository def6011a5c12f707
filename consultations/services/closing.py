"""Closing a proposal (办结) once its answers are rated, or with a reason.

``close_refusal`` is THE rule of who may close which proposal at all: ``proposal_close`` applies it
to the row it holds locked, and the 办结 buttons (``consultations.selectors.can_close``) show only
where it finds nothing. Whether a reason is needed on top is ``close_readiness``'s answer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.formats import document_date
from proposals.errors import DomainError
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus, User
from proposals.roles import is_staff_of
from proposals.services.merging import follow_lead, require_not_merged
from proposals.timeline import timeline_record
from replies.followup import open_follow_ups_of_proposal

from ..actions import ConsultationAction
from ..models import Rating, Satisfaction
from .common import audit_event

CLOSE_ONLY_STAFF = _("只有提案委员会工作人员可以办结提案。")
CLOSE_WRONG_STATE = _("提案当前状态不能办结。")
# 跟踪办理 (replies.followup): a reported-on answer is not closed before the agency's report.
CLOSE_FOLLOW_UP_OPEN = _("尚有承办单位未报告跟踪办理情况，报告后方可办结。")
CLOSE_NOT_ALL_SATISFIED = _("尚有承办单位本轮答复未获委员“满意”或“基本满意”的测评；如确需办结，请填写办结理由。")


# A proposal is closed once assigned: on its answers, or by decision before every answer is in.
CLOSABLE_STATES = (ProposalStatus.ASSIGNED, ProposalStatus.REPLIED)


def close_refusal(user: User, proposal: Proposal) -> DomainError | None:
    """Why ``user`` may not close ``proposal``, not even by decision with a reason; None: they may
    (with a reason when ``close_readiness`` finds a problem). Staff of its committee, a proposal
    assigned or replied and not merged into another (closed with its lead), and no follow-up report
    still owed (跟踪办理)."""
    if not is_staff_of(user, proposal.committee_id):
        return DomainError(CLOSE_ONLY_STAFF, code="forbidden")
    try:
        require_not_merged(proposal)  # 并案: closed with its lead
    except DomainError as exc:
        return exc
    if proposal.status not in CLOSABLE_STATES:
        return DomainError(CLOSE_WRONG_STATE)
    if open_follow_ups_of_proposal(proposal.pk).exists():
        return DomainError(CLOSE_FOLLOW_UP_OPEN)  # not even by decision: the report is still owed
    return None


def answering_assignments(proposal: Proposal):
    return Assignment.objects.filter(proposal=proposal).answering().select_related("agency")


def close_readiness(proposal: Proposal) -> list[str]:
    """Why the proposal cannot be closed on its ratings alone (empty: every answer is rated well)."""
    problems = []
    assignments = list(answering_assignments(proposal))
    if not assignments:
        problems.append(str(_("没有答复委员的承办单位。")))
    good = {Satisfaction.SATISFIED, Satisfaction.BASIC}
    for assignment in assignments:
        values = list(
            Rating.objects.filter(assignment=assignment, round=assignment.round).values_list("value", flat=True)
        )
        if assignment.status != AssignmentStatus.REPLIED:
            problems.append(
                str(
                    _("%(agency)s：%(status)s")
                    % {"agency": assignment.agency.name, "status": assignment.get_status_display()}
                )
            )
        elif not values:
            problems.append(str(_("%(agency)s：委员尚未测评") % {"agency": assignment.agency.name}))
        elif not set(values) <= good:
            problems.append(str(_("%(agency)s：测评有不满意") % {"agency": assignment.agency.name}))
    for follow_up in open_follow_ups_of_proposal(proposal.pk):
        problems.append(
            str(
                _("%(agency)s：跟踪办理待报告（时限 %(due)s）")
                % {"agency": follow_up.assignment.agency.name, "due": document_date(follow_up.due_date)}
            )
        )
    return problems


@transaction.atomic
def proposal_close(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """Staff close (办结) the proposal: on good ratings of every answer, or by decision with a reason."""
    if not is_staff_of(actor, proposal.committee_id):
        raise DomainError(CLOSE_ONLY_STAFF, code="forbidden")
    # Lock order everywhere: the assignments (by id), then the proposal, as rating_submit and
    # reply_issue do; the opposite order here could deadlock against them on PostgreSQL.
    list(Assignment.objects.select_for_update().filter(proposal_id=proposal.pk).order_by("pk").values_list("pk"))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    refusal = close_refusal(actor, proposal)
    if refusal is not None:
        raise refusal
    reason = (reason or "").strip()
    problems = close_readiness(proposal)
    if problems and not reason:
        raise DomainError(CLOSE_NOT_ALL_SATISFIED)
    from_state = proposal.status
    now = timezone.now()
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    proposal.close_note = reason
    proposal.save(update_fields=["status", "closed_at", "close_note"])
    for assignment in (
        Assignment.objects.select_for_update().filter(proposal=proposal).live().exclude(status=AssignmentStatus.DONE)
    ):
        old = assignment.status
        assignment.status = AssignmentStatus.DONE
        assignment.save(update_fields=["status"])
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ConsultationAction.CLOSE,
            from_state=old,
            to_state=AssignmentStatus.DONE,
        )
    note = (
        str(_("按决定办结：%(reason)s") % {"reason": reason})
        if problems
        else str(_("各承办单位答复均获满意或基本满意"))
    )
    if reason and not problems:
        note = f"{note}\n{reason}"
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ConsultationAction.CLOSE,
        from_state=from_state,
        to_state=ProposalStatus.CLOSED,
        note=note,
    )
    follow_lead(proposal, actor)
    audit_event(actor, proposal, "proposal_close")
    return proposal
