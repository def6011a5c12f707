"""Who may see what. Every list, search, export, PDF and download goes through these.

By topic: ``visibility``, ``timeline``, ``lists``, ``detail``; this package re-exports them.
"""

from __future__ import annotations

from .detail import AssignmentRow, ExtensionRow, ProposalDetail, proposal_detail
from .lists import (
    EXPORT_FIELDS,
    INBOX_STATES,
    LIST_DEFERRED,
    ProposalList,
    inbox_assignments,
    list_rows,
    prefetch_live_assignments,
    proposal_export_rows,
    proposal_list,
    recent_proposals,
)
from .timeline import register_member_timeline, timeline_visible_to
from .visibility import (
    assignments_visible_to,
    attachment_purposes_for,
    attachments_visible_to,
    count_visible_with_agency,
    get_assignment_for_user,
    get_attachment_for_user,
    get_extension_for_user,
    get_proposal_for_user,
    proposals_visible_to,
)

__all__ = [
    "EXPORT_FIELDS",
    "INBOX_STATES",
    "LIST_DEFERRED",
    "AssignmentRow",
    "ExtensionRow",
    "ProposalDetail",
    "ProposalList",
    "assignments_visible_to",
    "attachment_purposes_for",
    "attachments_visible_to",
    "count_visible_with_agency",
    "get_assignment_for_user",
    "get_attachment_for_user",
    "get_extension_for_user",
    "get_proposal_for_user",
    "inbox_assignments",
    "list_rows",
    "prefetch_live_assignments",
    "proposal_detail",
    "proposal_export_rows",
    "proposal_list",
    "proposals_visible_to",
    "recent_proposals",
    "register_member_timeline",
    "timeline_visible_to",
]
