"""Assignment (交办) to agencies, and the agency's 签收 or 退回; staff re-assign a returned one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..deadlines import can_still_return, default_due_date
from ..errors import DomainError
from ..models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalAction,
    ProposalStatus,
    User,
)
from ..roles import is_agency_user_of, is_staff_of
from ..timeline import timeline_record
from .common import require, require_same_committee
from .merging import follow_lead, require_not_merged

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
    require(spec.agency.is_active, AGENCY_INACTIVE)
    due = spec.due_date or default_due_date(proposal.meeting, spec.role, today)
    require(due >= today, DUE_BEFORE_ASSIGNMENT)
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
    require(is_staff_of(actor, proposal.committee_id))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=proposal.pk)
    require_not_merged(proposal)  # 并案: only the lead is assigned
    require(proposal.status == ProposalStatus.REGISTERED, NOT_REGISTERED)
    roles = [s.role for s in specs]
    require(AssignmentRole.LEAD in roles or AssignmentRole.SPLIT in roles, ASSIGN_NEEDS_ANSWERER)
    require(roles.count(AssignmentRole.LEAD) <= 1, ASSIGN_ONE_LEAD)
    require(not (AssignmentRole.LEAD in roles and AssignmentRole.SPLIT in roles), ASSIGN_LEAD_OR_SPLIT)
    require(AssignmentRole.CO not in roles or AssignmentRole.LEAD in roles, ASSIGN_CO_NEEDS_LEAD)
    require_same_committee(proposal.committee_id, (s.agency for s in specs), _("承办单位"))
    agency_ids = [s.agency.pk for s in specs]
    require(len(set(agency_ids)) == len(agency_ids), AGENCY_TWICE)
    require(not (set(agency_ids) & _live_agency_ids(proposal)), AGENCY_TWICE)
    today = timezone.localdate()
    now = timezone.now()
    order: dict[str, int] = {AssignmentRole.LEAD: 0, AssignmentRole.SPLIT: 1, AssignmentRole.CO: 2}
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
    follow_lead(proposal, actor)
    return created


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "proposal__committee", "agency")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def assignment_accept(*, assignment: Assignment, actor: User) -> Assignment:
    """签收 by a handler or leader of the agency."""
    assignment = _lock_assignment(assignment)
    require(is_agency_user_of(actor, assignment.agency_id))
    require(assignment.status == AssignmentStatus.PENDING, NOT_PENDING)
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
    require(is_agency_user_of(actor, assignment.agency_id))
    require(assignment.status == AssignmentStatus.PENDING, NOT_PENDING)
    reason = (reason or "").strip()
    require(bool(reason), RETURN_REASON_REQUIRED)
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
    require(is_staff_of(actor, assignment.proposal.committee_id))
    require_same_committee(assignment.proposal.committee_id, [agency], _("承办单位"))
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=assignment.proposal_id)
    assignment = _lock_assignment(assignment)
    require(assignment.status == AssignmentStatus.RETURNED, NOT_RETURNED)
    require(assignment.replaced_by_id is None, ALREADY_REASSIGNED)
    require(agency.pk not in _live_agency_ids(proposal), AGENCY_TWICE)
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
