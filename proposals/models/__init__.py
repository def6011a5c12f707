"""Registry: committee meetings, members, agencies, users and roles, proposals, assignments, timeline.

Status fields are only ever assigned in ``proposals.services`` (and the services of the apps that
build on this one); nothing here has workflow in ``save()``.
"""

from __future__ import annotations

from ..choices import (
    ANSWERING_ROLES,
    OPEN_ASSIGNMENT_STATES,
    AssignmentRole,
    AssignmentStatus,
    CalendarDayKind,
    CommitteeLevel,
    DeadlineUnit,
    ExtensionStatus,
    NumberStyle,
    ProposalAction,
    ProposalStatus,
    ProposerKind,
    Role,
)
from .assignment import Assignment, AssignmentQuerySet, ExtensionRequest, live_assignment_q, refresh_next_due
from .calendar import CalendarDay
from .committee import Committee, CommitteeReplyClass, default_committee_id
from .events import TimelineEvent
from .labels import (
    action_choices,
    action_label,
    choice_label,
    is_known_action,
    register_action_choices,
    register_state_choices,
    state_label,
)
from .proposal import Attachment, Proposal, ProposalCosigner
from .registry import Agency, Category, DeclineReason, Meeting, Member
from .similarity import SimilarityDismissal, SimilarityDocFreq, SimilarityTerm, SimilarityVector
from .users import User, UserManager

__all__ = [
    "ANSWERING_ROLES",
    "OPEN_ASSIGNMENT_STATES",
    "Agency",
    "Assignment",
    "AssignmentQuerySet",
    "AssignmentRole",
    "AssignmentStatus",
    "Attachment",
    "CalendarDay",
    "CalendarDayKind",
    "Category",
    "Committee",
    "CommitteeLevel",
    "CommitteeReplyClass",
    "DeadlineUnit",
    "DeclineReason",
    "ExtensionRequest",
    "ExtensionStatus",
    "Meeting",
    "Member",
    "NumberStyle",
    "Proposal",
    "ProposalAction",
    "ProposalCosigner",
    "ProposalStatus",
    "ProposerKind",
    "Role",
    "SimilarityDismissal",
    "SimilarityDocFreq",
    "SimilarityTerm",
    "SimilarityVector",
    "TimelineEvent",
    "User",
    "UserManager",
    "action_choices",
    "action_label",
    "choice_label",
    "default_committee_id",
    "is_known_action",
    "live_assignment_q",
    "refresh_next_due",
    "register_action_choices",
    "register_state_choices",
    "state_label",
]

# The versions of this app's records (django-simple-history), made now that the models exist.
from .. import history  # noqa: F401
