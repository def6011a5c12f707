"""Every write and every state transition of reply letters.

Reply:  draft ─► submitted (待签发) ─► issued (frozen: PDF stored with its SHA-256)
          ▲          │
          └──────────┘ returned by the leader with a comment

Each transition re-reads its row under ``select_for_update()``, checks who is acting and the
current state, raises ``DomainError`` with one of the message constants below, saves with
``update_fields``, and writes a timeline event and an audit event in the same transaction: a
refused move writes nothing. Issuing also moves the assignment to "replied" and, once every
answering assignment (lead or split, not returned) of the proposal is replied, the proposal.

By topic: ``permissions``, ``defaults``, ``drafting``, ``issuing``; this package re-exports them,
so callers import ``replies.services`` as one module.
"""

from __future__ import annotations

from proposals.roles import NOT_ALLOWED

from .common import ASSIGNMENT_NOT_OPEN, NOT_SUBMITTED
from .defaults import DEFAULT_CLOSING, default_addressee, default_closing, default_title, new_draft_defaults
from .drafting import (
    CONFLICT,
    EDIT_WHILE_SUBMITTED,
    EDITABLE_FIELDS,
    NOT_DRAFT,
    REPLY_EXISTS,
    REPLY_FROZEN,
    RETURN_COMMENT_REQUIRED,
    reply_create,
    reply_return,
    reply_save_draft,
    reply_submit,
    snapshot,
)
from .issuing import ALREADY_ISSUED, ISSUE_CHECKS, issue_problems, reply_issue, reply_sign_off
from .permissions import can_create, can_edit, can_issue, can_return, can_submit, issue_refusal

__all__ = [
    "ALREADY_ISSUED",
    "ASSIGNMENT_NOT_OPEN",
    "CONFLICT",
    "DEFAULT_CLOSING",
    "EDITABLE_FIELDS",
    "EDIT_WHILE_SUBMITTED",
    "ISSUE_CHECKS",
    "NOT_ALLOWED",
    "NOT_DRAFT",
    "NOT_SUBMITTED",
    "REPLY_EXISTS",
    "REPLY_FROZEN",
    "RETURN_COMMENT_REQUIRED",
    "can_create",
    "can_edit",
    "can_issue",
    "can_return",
    "can_submit",
    "default_addressee",
    "default_closing",
    "default_title",
    "issue_problems",
    "issue_refusal",
    "new_draft_defaults",
    "reply_create",
    "reply_issue",
    "reply_return",
    "reply_save_draft",
    "reply_sign_off",
    "reply_submit",
    "snapshot",
]
