"""``can_*`` predicates: which buttons a page shows. The services check the same rules again.

They assume the object is already visible to the user (it came through ``proposals.selectors``).
"""

from __future__ import annotations

import datetime as dt

from .deadlines import can_be_urged, can_still_return, is_open
from .models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Proposal,
    ProposalStatus,
    User,
)
from .roles import is_admin, is_agency_user, is_agency_user_of, is_member, is_staff, is_staff_of, sees_personal_data

# Once an answering assignment has an issued reply, its proposer may read it (and rate it until closing).
MEMBER_LINK_STATES = (AssignmentStatus.REPLIED, AssignmentStatus.REHANDLING)


def can_file(user: User) -> bool:
    return is_staff(user) or is_member(user)


def can_edit_draft(user: User, proposal: Proposal) -> bool:
    return proposal.status == ProposalStatus.DRAFT and proposal.created_by_id == user.pk


can_submit = can_edit_draft


def can_review(user: User, proposal: Proposal) -> bool:
    """Register (立案) or decline (不予立案)."""
    return (
        is_staff_of(user, proposal.committee_id)
        and proposal.status == ProposalStatus.SUBMITTED
        and proposal.merged_into_id is None  # 并案: reviewed with its lead
    )


def can_assign(user: User, proposal: Proposal) -> bool:
    return (
        is_staff_of(user, proposal.committee_id)
        and proposal.status == ProposalStatus.REGISTERED
        and proposal.merged_into_id is None  # 并案: only the lead is assigned
    )


def can_set_key(user: User, proposal: Proposal) -> bool:
    return is_staff_of(user, proposal.committee_id) and proposal.status not in (
        ProposalStatus.DRAFT,
        ProposalStatus.NOT_REGISTERED,
    )


def can_add_attachment(user: User, proposal: Proposal) -> bool:
    if proposal.status == ProposalStatus.DRAFT:
        return proposal.created_by_id == user.pk
    return is_staff_of(user, proposal.committee_id) and proposal.status != ProposalStatus.CLOSED


def can_see_working_notes(user: User) -> bool:
    """The working papers of the handling — a return reason (退回理由), an extension's reason and
    decision, a leader's comment, the supervision note — are the committee's and the agencies':
    staff, administrators and agency users read them, a member never does (on no page)."""
    return is_staff(user) or is_admin(user) or is_agency_user(user)


def can_see_key_note(user: User) -> bool:
    """The supervision note (督办说明) is one of the working notes."""
    return can_see_working_notes(user)


def can_see_personal_data(user: User, proposal: Proposal) -> bool:
    """Members' phones: staff and the assigned agency (visibility already limits agencies to theirs)."""
    return sees_personal_data(user)


def can_work_on(user: User, assignment: Assignment) -> bool:
    """Staff, or a handler or leader of the assignment's agency: the replies and consultation links."""
    return is_staff_of(user, assignment.proposal.committee_id) or is_agency_user_of(user, assignment.agency_id)


def can_read_reply_as_member(user: User, assignment: Assignment) -> bool:
    """The proposing member reads the issued reply from the proposal's page (the reply page checks again)."""
    return is_member(user) and assignment.answers_member and assignment.status in MEMBER_LINK_STATES


def can_rate_as_member(user: User, assignment: Assignment) -> bool:
    """The rating link beside the reply: replied, and the case not closed (the rating page checks again)."""
    return (
        can_read_reply_as_member(user, assignment)
        and assignment.status == AssignmentStatus.REPLIED
        and assignment.proposal.status != ProposalStatus.CLOSED
    )


def can_accept(user: User, assignment: Assignment) -> bool:
    return is_agency_user_of(user, assignment.agency_id) and assignment.status == AssignmentStatus.PENDING


def can_return(user: User, assignment: Assignment, *, deadline: dt.date | None = None) -> bool:
    """``deadline``: the assignment's ``return_deadline`` when the caller has it already."""
    return can_accept(user, assignment) and can_still_return(assignment, deadline=deadline)


def can_request_extension(user: User, assignment: Assignment) -> bool:
    if not (is_agency_user_of(user, assignment.agency_id) and is_open(assignment.status)):
        return False
    return not any(e.status == ExtensionStatus.PENDING for e in assignment.extensions.all())


def can_reassign(user: User, assignment: Assignment) -> bool:
    return (
        is_staff_of(user, assignment.proposal.committee_id)
        and assignment.status == AssignmentStatus.RETURNED
        and assignment.replaced_by_id is None
    )


def can_urge(user: User, assignment: Assignment) -> bool:
    """催办: staff, an open assignment due within a week or past due."""
    return is_staff_of(user, assignment.proposal.committee_id) and can_be_urged(assignment)


def can_decide_extension(user: User, extension: ExtensionRequest) -> bool:
    return is_staff_of(user, extension.assignment.proposal.committee_id) and extension.status == ExtensionStatus.PENDING
