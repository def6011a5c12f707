"""The one way to write a timeline event. Called from inside the services' transactions."""

from __future__ import annotations

from .models import Assignment, Proposal, TimelineEvent, User


def timeline_record(
    *,
    proposal: Proposal,
    actor: User | None,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    assignment: Assignment | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
