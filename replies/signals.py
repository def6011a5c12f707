"""Events other apps may react to (sent after the transaction commits). Notices, not workflow."""

from django.dispatch import Signal

# reply_id=...: a reply to the member (not a co-handler's view) was issued.
reply_issued = Signal()
