"""Which timeline events a user reads. Members see the milestones of their proposal, not the working
papers (drafts, the leader's return comments, extensions, supervision notes) nor other members'
ratings; each app names which of its actions a member sees (from its AppConfig.ready(); this app
must not import them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, Q, QuerySet, TextField, Value, When

from .. import roles
from ..choices import ProposalAction
from ..models import Proposal, TimelineEvent, User, is_known_action
from .visibility import is_anon


@dataclass(frozen=True)
class _MemberView:
    note: bool = False  # the event's note is shown too
    own_only: bool = False  # only the member's own event of this kind (a rating)


_MEMBER_TIMELINE: dict[str, _MemberView] = {}

# Agencies read the co-signing events without their notes: a co-signer's reason for withdrawing and
# the file name of a paper confirmation's scan are the committee's and the members' business.
_AGENCY_WITHOUT_NOTE = (
    ProposalAction.COSIGN_INVITE,
    ProposalAction.COSIGN_CONFIRM,
    ProposalAction.COSIGN_PAPER,
    ProposalAction.COSIGN_DECLINE,
    ProposalAction.COSIGN_REMOVE,
)


def register_member_timeline(*actions: str, note: bool = False, own_only: bool = False) -> None:
    """Members see events of these action codes (registered ones only: a typo fails at start-up)."""
    for action in actions:
        if not is_known_action(str(action)):
            raise ValueError(f"unknown timeline action code: {action!r}")
        _MEMBER_TIMELINE[str(action)] = _MemberView(note=note, own_only=own_only)


def timeline_visible_to(user: User, proposal: Proposal) -> QuerySet[TimelineEvent]:
    """The proposal's events this user may read, each with ``visible_note`` (the note, or '')."""
    qs = TimelineEvent.objects.filter(proposal=proposal).select_related("actor", "assignment__agency")
    if is_anon(user):
        return qs.none()
    if roles.sees_all_proposals(user):
        return qs.annotate(visible_note=F("note"))
    if roles.is_agency_user(user):
        # The proposal's own milestones and their own agency's work, not another agency's.
        own_work = Q(assignment__isnull=True) | Q(assignment__agency_id=user.agency_id)
        return qs.filter(own_work).annotate(
            visible_note=Case(
                When(action__in=_AGENCY_WITHOUT_NOTE, then=Value("")), default=F("note"), output_field=TextField()
            )
        )
    if roles.is_member(user):
        shared = [a for a, v in _MEMBER_TIMELINE.items() if not v.own_only]
        own = [a for a, v in _MEMBER_TIMELINE.items() if v.own_only]
        with_note = [a for a, v in _MEMBER_TIMELINE.items() if v.note]
        return qs.filter(Q(action__in=shared) | Q(action__in=own, actor=user)).annotate(
            visible_note=Case(When(action__in=with_note, then=F("note")), default=Value(""), output_field=TextField())
        )
    return qs.none()
