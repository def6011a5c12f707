"""Extensions of the 办理时限: the agency asks, staff approve or refuse."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..deadlines import is_open
from ..models import Assignment, ExtensionRequest, ExtensionStatus, ProposalAction, User
from ..roles import is_agency_user_of, is_staff_of
from ..timeline import timeline_record
from .assignment import DUE_BEFORE_ASSIGNMENT, _lock_assignment
from .common import require

NOT_OPEN = _("该交办已办结或已退回，不能申请延期。")
EXTENSION_REASON_REQUIRED = _("请填写延期理由。")
EXTENSION_NOT_LATER = _("延期后的办理时限必须晚于当前办理时限。")
EXTENSION_ALREADY_PENDING = _("已有一项延期申请正在审批。")
EXTENSION_NOT_PENDING = _("该延期申请已经审批。")


@transaction.atomic
def assignment_request_extension(
    *, assignment: Assignment, actor: User, reason: str, requested_due_date: dt.date
) -> ExtensionRequest:
    assignment = _lock_assignment(assignment)
    require(is_agency_user_of(actor, assignment.agency_id))
    require(is_open(assignment.status), NOT_OPEN)
    reason = (reason or "").strip()
    require(bool(reason), EXTENSION_REASON_REQUIRED)
    require(requested_due_date > assignment.due_date, EXTENSION_NOT_LATER)
    require(not assignment.extensions.filter(status=ExtensionStatus.PENDING).exists(), EXTENSION_ALREADY_PENDING)
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
    require(extension.status == ExtensionStatus.PENDING, EXTENSION_NOT_PENDING)
    return extension, assignment


@transaction.atomic
def extension_approve(
    *, extension: ExtensionRequest, actor: User, new_due_date: dt.date | None = None, note: str = ""
) -> ExtensionRequest:
    """Staff approve an extension: the assignment's due date moves (to the requested date by default)."""
    require(is_staff_of(actor, extension.assignment.proposal.committee_id))
    extension, assignment = _lock_extension(extension)
    require(is_open(assignment.status), NOT_OPEN)
    new_due = new_due_date or extension.requested_due_date
    require(new_due >= timezone.localdate(assignment.assigned_at), DUE_BEFORE_ASSIGNMENT)
    require(new_due > assignment.due_date, EXTENSION_NOT_LATER)
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
    require(is_staff_of(actor, extension.assignment.proposal.committee_id))
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
