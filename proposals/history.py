"""This app's records that keep every version (``audit.history.track``). Imported at the end of
``models.py``, so the versions exist as soon as the models do."""

from __future__ import annotations

from audit.history import track

from .models import Assignment, Proposal

# search_text, meeting_order, next_due and committee (the meeting's) are derived from other fields: no one changes them.
track(Proposal, excluded_fields=["search_text", "meeting_order", "next_due", "committee"])
track(Assignment)
