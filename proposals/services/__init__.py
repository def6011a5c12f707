"""Every write and every state transition of the registry, by topic: ``filing``, ``numbering``,
``review``, ``assignment``, ``extensions``, ``urge``; this package re-exports them, so callers import
``proposals.services`` as one module.

Each transition re-reads its row under ``select_for_update()``, checks who is acting and the
current state, raises ``DomainError`` with one of the message constants on an illegal move,
saves with ``update_fields`` and writes a timeline event, all in one transaction: a refused move
writes nothing. ``timeline_record`` also writes the audit "transition" event (audit.log), so the
services do not call ``record_event`` a second time.
"""

from __future__ import annotations

from ..roles import NOT_ALLOWED
from .assignment import (
    AGENCY_INACTIVE,
    AGENCY_TWICE,
    ALREADY_REASSIGNED,
    ASSIGN_CO_NEEDS_LEAD,
    ASSIGN_LEAD_OR_SPLIT,
    ASSIGN_NEEDS_ANSWERER,
    ASSIGN_ONE_LEAD,
    DUE_BEFORE_ASSIGNMENT,
    NOT_PENDING,
    NOT_REGISTERED,
    NOT_RETURNED,
    RETURN_REASON_REQUIRED,
    RETURN_WINDOW_PASSED,
    AssignmentSpec,
    assignment_accept,
    assignment_reassign,
    assignment_return,
    proposal_assign,
)
from .extensions import (
    EXTENSION_ALREADY_PENDING,
    EXTENSION_NOT_LATER,
    EXTENSION_NOT_PENDING,
    EXTENSION_REASON_REQUIRED,
    NOT_OPEN,
    assignment_request_extension,
    extension_approve,
    extension_refuse,
)
from .filing import (
    BODY_REQUIRED,
    COSIGNERS_NOT_ALLOWED,
    COSIGNERS_REQUIRED,
    FIRST_PROPOSER_IN_COSIGNERS,
    NOT_DRAFT,
    PROPOSAL_CLOSED,
    PROPOSER_REQUIRED,
    attachment_add,
    proposal_create,
    proposal_submit,
    proposal_update_draft,
)
from .numbering import DUPLICATE_NUMBER, NUMBER_INVALID, format_number, is_valid_number, sequence_of
from .review import (
    ALREADY_DECLINED,
    ALREADY_REGISTERED,
    DECLINE_REASON_REQUIRED,
    NOT_SUBMITTED,
    proposal_decline,
    proposal_register,
    proposal_set_key,
)
from .urge import NOT_URGEABLE, URGE_NOTE_REQUIRED, assignment_urge

__all__ = [
    "AGENCY_INACTIVE",
    "AGENCY_TWICE",
    "ALREADY_DECLINED",
    "ALREADY_REASSIGNED",
    "ALREADY_REGISTERED",
    "ASSIGN_CO_NEEDS_LEAD",
    "ASSIGN_LEAD_OR_SPLIT",
    "ASSIGN_NEEDS_ANSWERER",
    "ASSIGN_ONE_LEAD",
    "BODY_REQUIRED",
    "COSIGNERS_NOT_ALLOWED",
    "COSIGNERS_REQUIRED",
    "DECLINE_REASON_REQUIRED",
    "DUE_BEFORE_ASSIGNMENT",
    "DUPLICATE_NUMBER",
    "EXTENSION_ALREADY_PENDING",
    "EXTENSION_NOT_LATER",
    "EXTENSION_NOT_PENDING",
    "EXTENSION_REASON_REQUIRED",
    "FIRST_PROPOSER_IN_COSIGNERS",
    "NOT_ALLOWED",
    "NOT_DRAFT",
    "NOT_OPEN",
    "NOT_PENDING",
    "NOT_REGISTERED",
    "NOT_RETURNED",
    "NOT_SUBMITTED",
    "NOT_URGEABLE",
    "NUMBER_INVALID",
    "PROPOSAL_CLOSED",
    "PROPOSER_REQUIRED",
    "RETURN_REASON_REQUIRED",
    "RETURN_WINDOW_PASSED",
    "URGE_NOTE_REQUIRED",
    "AssignmentSpec",
    "assignment_accept",
    "assignment_reassign",
    "assignment_request_extension",
    "assignment_return",
    "assignment_urge",
    "attachment_add",
    "extension_approve",
    "extension_refuse",
    "format_number",
    "is_valid_number",
    "proposal_assign",
    "proposal_create",
    "proposal_decline",
    "proposal_register",
    "proposal_set_key",
    "proposal_submit",
    "proposal_update_draft",
    "sequence_of",
]
