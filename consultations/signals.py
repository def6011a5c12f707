"""Events other apps may react to (sent after the transaction commits). Notices, not workflow."""

from django.dispatch import Signal

# consultation_id=...: the record was filled in and now waits for the member's signature.
record_awaits_signature = Signal()
