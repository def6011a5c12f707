"""The one way to write a timeline event. Called from inside the services' transactions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation

from audit.log import record_event

from .models import Assignment, Proposal, TimelineEvent, User, is_known_action


def timeline_record(
    *,
    proposal: Proposal,
    actor: User | None,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    assignment: Assignment | None = None,
    at: dt.datetime | None = None,
) -> TimelineEvent:
    """Write one timeline event; ``action`` is a registered code (a member of an app's ``…Action``).

    ``at`` is given only for a step entered after the fact (补录): the event carries that date and
    is marked with the moment it was entered, so the timeline shows both."""
    action = str(action)
    if not is_known_action(action):
        raise ValueError(f"unknown timeline action code: {action!r}")
    # The note is a shared record: kept in the committee's language, not in the language the actor
    # happens to use on screen (callers may pass lazy translations).
    with translation.override(settings.LANGUAGE_CODE):
        note = str(note)
    event = TimelineEvent.objects.create(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        **({"at": at, "entered_at": timezone.now()} if at is not None else {}),
    )
    # Every transition is also a security event. Same transaction: if the transition rolls back,
    # so does its audit row. The free-text note stays out (it may name people).
    record_event(
        event="transition",
        user=actor,
        obj=proposal,
        detail=f"{action}: {from_state or '-'} → {to_state or '-'}"
        + (f" assignment={assignment.pk}" if assignment is not None else "")
        + f" timeline={event.pk}"
        + (f" backfilled_at={at.isoformat()}" if at is not None else ""),
    )
    return event
