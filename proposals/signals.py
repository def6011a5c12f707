"""Events other apps may react to (sent after the transaction commits). Notices, not workflow."""

from django.dispatch import Signal

# event_id=...: staff urged (催办) an assignment; the timeline event holds the assignment and the note.
assignment_urged = Signal()
