"""The proposal's page: plain values for the template, decided here from the predicates of
permissions, roles and deadlines. The forms of the allowed actions are the view's: it adds them
with dataclasses.replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.forms import BaseForm

from .. import deadlines, permissions
from ..choices import AssignmentStatus, AttachmentPurpose
from ..models import Assignment, Attachment, ExtensionRequest, Member, Proposal, TimelineEvent, User
from .timeline import timeline_visible_to
from .visibility import attachments_visible_to


@dataclass(frozen=True)
class ExtensionRow:
    extension: ExtensionRequest
    can_decide: bool
    decision_form: BaseForm | None = None


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    work_links: bool  # 答复 / 面商与测评: staff and the agency, while the assignment is live
    member_links: bool  # 查看答复: a member of the proposal, once the reply is issued
    member_can_rate: bool
    can_accept: bool
    can_return: bool
    return_deadline: dt.date | None  # the last day to return it, while it waits to be accepted
    can_reassign: bool
    can_request_extension: bool
    can_urge: bool
    extensions: tuple[ExtensionRow, ...]  # staff and the agency only
    return_form: BaseForm | None = None
    reassign_form: BaseForm | None = None
    extension_form: BaseForm | None = None
    urge_form: BaseForm | None = None


@dataclass(frozen=True)
class ProposalDetail:
    proposal: Proposal
    cosigners: tuple[Member, ...]
    assignments: tuple[AssignmentRow, ...]
    attachments: tuple[Attachment, ...]
    timeline: tuple[TimelineEvent, ...]
    show_personal_data: bool
    show_key_note: bool
    show_working_notes: bool  # return reasons (退回理由): never to a member
    can_edit: bool
    can_review: bool
    can_assign: bool
    can_set_key: bool
    can_add_attachment: bool
    decline_form: BaseForm | None = None
    key_form: BaseForm | None = None
    attachment_form: BaseForm | None = None


def _assignment_row(user: User, assignment: Assignment, calendar: deadlines.WorkingCalendar | None) -> AssignmentRow:
    works_on = permissions.can_work_on(user, assignment)
    pending = assignment.status == AssignmentStatus.PENDING
    deadline = deadlines.return_deadline(assignment, calendar=calendar) if pending else None
    extensions = (
        tuple(ExtensionRow(e, permissions.can_decide_extension(user, e)) for e in assignment.extensions.all())
        if works_on
        else ()
    )
    return AssignmentRow(
        assignment=assignment,
        work_links=works_on and assignment.status != AssignmentStatus.RETURNED,
        member_links=permissions.can_read_reply_as_member(user, assignment),
        member_can_rate=permissions.can_rate_as_member(user, assignment),
        can_accept=permissions.can_accept(user, assignment),
        can_return=pending and permissions.can_return(user, assignment, deadline=deadline),
        return_deadline=deadline,
        can_reassign=permissions.can_reassign(user, assignment),
        can_request_extension=permissions.can_request_extension(user, assignment),
        can_urge=permissions.can_urge(user, assignment),
        extensions=extensions,
    )


def proposal_detail(user: User, proposal: Proposal) -> ProposalDetail:
    """What the proposal's page shows ``user``; ``proposal`` came from ``get_proposal_for_user``."""
    # Read through the related manager, every assignment's ``proposal`` is this one (with its
    # meeting): the return window costs no query per pending assignment.
    assignments = list(
        proposal.assignments.select_related("agency", "replaced_by__agency")
        .prefetch_related(Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("requested_by")))
        .order_by("assigned_at", "id")
    )
    # The return windows of every pending assignment from one read of the calendar.
    calendar = deadlines.calendar_for_returns([a for a in assignments if a.status == AssignmentStatus.PENDING])
    rows = tuple(_assignment_row(user, a, calendar) for a in assignments)
    return ProposalDetail(
        proposal=proposal,
        cosigners=tuple(proposal.cosigners.all()),
        assignments=rows,
        # 附件: the proposal's own files. A co-signer's paper confirmation is not one of them: staff
        # open it from the co-signers panel (``selectors.cosign``), nobody else reads it.
        attachments=tuple(attachments_visible_to(user, proposal=proposal).filter(purpose=AttachmentPurpose.PROPOSAL)),
        timeline=tuple(timeline_visible_to(user, proposal)),
        show_personal_data=permissions.can_see_personal_data(user, proposal),
        show_key_note=permissions.can_see_key_note(user),
        show_working_notes=permissions.can_see_working_notes(user),
        can_edit=permissions.can_edit_draft(user, proposal),
        can_review=permissions.can_review(user, proposal),
        can_assign=permissions.can_assign(user, proposal),
        can_set_key=permissions.can_set_key(user, proposal),
        can_add_attachment=permissions.can_add_attachment(user, proposal),
    )
