"""Thin views: visibility helper, form, service, redirect. State changes are POST only.

By topic: ``lists``, ``proposal``, ``assignment``; ``proposals/urls.py`` names them through this
package.
"""

from __future__ import annotations

from .assignment import (
    assignment_accept,
    assignment_reassign,
    assignment_request_extension,
    assignment_return,
    assignment_urge,
    extension_approve,
    extension_refuse,
    proposal_assign,
)
from .lists import inbox, my_proposals, proposal_export, proposal_list
from .proposal import (
    attachment_download,
    attachment_upload,
    proposal_create,
    proposal_decline,
    proposal_detail,
    proposal_edit,
    proposal_register,
    proposal_set_key,
    proposal_submit,
)

__all__ = [
    "assignment_accept",
    "assignment_reassign",
    "assignment_request_extension",
    "assignment_return",
    "assignment_urge",
    "attachment_download",
    "attachment_upload",
    "extension_approve",
    "extension_refuse",
    "inbox",
    "my_proposals",
    "proposal_assign",
    "proposal_create",
    "proposal_decline",
    "proposal_detail",
    "proposal_edit",
    "proposal_export",
    "proposal_list",
    "proposal_register",
    "proposal_set_key",
    "proposal_submit",
]
