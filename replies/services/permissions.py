"""Who may do what with a reply: the ``can_*`` predicates the pages show buttons by; the services
check the same rules again.
"""

from __future__ import annotations

from proposals.errors import DomainError
from proposals.models import Assignment, AssignmentStatus, User
from proposals.roles import NOT_ALLOWED, is_agency_user_of, is_leader_of

from .. import rules
from ..models import Reply, ReplyStatus


def works_for(user: User | None, assignment: Assignment) -> bool:
    return is_agency_user_of(user, assignment.agency_id)


def leads(user: User | None, assignment: Assignment) -> bool:
    return is_leader_of(user, assignment.agency_id)


def require(condition: bool, message=NOT_ALLOWED) -> None:
    if not condition:
        raise DomainError(message, code="forbidden")


def can_create(user: User, assignment: Assignment) -> bool:
    return works_for(user, assignment) and assignment.status in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.REHANDLING,
    )


def can_edit(user: User, reply: Reply) -> bool:
    if not works_for(user, reply.assignment):
        return False
    if reply.status == ReplyStatus.DRAFT:
        return True
    return reply.status == ReplyStatus.SUBMITTED and is_leader_of(user, reply.assignment.agency_id)


def can_submit(user: User, reply: Reply) -> bool:
    return works_for(user, reply.assignment) and reply.status == ReplyStatus.DRAFT


def can_return(user: User, reply: Reply) -> bool:
    return leads(user, reply.assignment) and reply.status == ReplyStatus.SUBMITTED


def can_issue(user: User, reply: Reply) -> bool:
    return can_return(user, reply) and not rules.submitter_may_not_issue(reply, user)


def issue_refusal(user: User, reply: Reply) -> str:
    """Why this leader may not issue the submitted reply ('' when nothing of theirs stops it)."""
    if can_return(user, reply) and rules.submitter_may_not_issue(reply, user):
        return str(rules.SUBMITTER_CANNOT_ISSUE)
    return ""
