"""What the reply services share: the state messages, the row lock, the audit line."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.log import record_event
from proposals.models import User

from ..models import Reply

ASSIGNMENT_NOT_OPEN = _("只有办理中的交办可以起草答复。")
NOT_SUBMITTED = _("只有待签发的答复可以签发或退回。")


def audit_event(actor: User, reply: Reply, action: str) -> None:
    # timeline_record already writes an audit row for the proposal; this one names the reply.
    record_event(event="transition", user=actor, obj=reply, detail=action)


def lock_reply(reply: Reply) -> Reply:
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("assignment__proposal__meeting", "assignment__proposal__committee", "assignment__agency")
        .get(pk=reply.pk)
    )
