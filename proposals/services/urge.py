"""催办: staff urge an agency about an assignment whose deadline is near or past."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..deadlines import can_be_urged
from ..models import Assignment, ProposalAction, TimelineEvent, User
from ..roles import is_staff_of
from ..signals import assignment_urged
from ..timeline import timeline_record
from .assignment import _lock_assignment
from .common import require

# The 7 days are deadlines.URGE_WITHIN_DAYS.
NOT_URGEABLE = _("只能催办尚未办结、7日内到期或已超期的交办。")
URGE_NOTE_REQUIRED = _("请填写催办说明。")


@transaction.atomic
def assignment_urge(*, assignment: Assignment, actor: User, note: str) -> TimelineEvent:
    """Record the urge on the timeline; the agency's handlers and leaders are told after commit."""
    require(is_staff_of(actor, assignment.proposal.committee_id))
    assignment = _lock_assignment(assignment)
    require(can_be_urged(assignment), NOT_URGEABLE)
    note = (note or "").strip()
    require(bool(note), URGE_NOTE_REQUIRED)
    event = timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ProposalAction.URGE,
        note=f"{assignment.agency.name}：{note}",
    )
    event_id = event.pk
    transaction.on_commit(lambda: assignment_urged.send(sender=Assignment, event_id=event_id))
    return event
