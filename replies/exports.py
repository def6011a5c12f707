"""The reply columns of the proposal export (``proposals.exports``): 答复日期 and 答复类别.

For each answering assignment of a row, its reply in force: the issued reply of the highest round
(after 不满意 and re-handling, the new reply). Only replies the exporting user may see.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import roles
from proposals.exports import ExportRow, answering_assignments, iso, per_assignment
from proposals.models import User

from .models import Reply, ReplyStatus
from .selectors import replies_visible_to


def reply_columns(user: User, proposals: list[ExportRow]) -> dict[int, dict[str, str]]:
    """答复日期 and 答复类别 of each row, in one query for the batch."""
    answering = {a.pk: a for p in proposals for a in answering_assignments(p)}
    in_force: dict[int, tuple[int, str, str]] = {}  # assignment -> (round, date, class)
    # A member sees the issued replies of the answering assignments of their proposals: exactly the
    # rows asked for here. ``replies_visible_to`` would read the member's proposal ids once more.
    visible = Reply.objects.all() if roles.is_member(user) else replies_visible_to(user)
    rows = (
        visible.filter(assignment_id__in=list(answering), status=ReplyStatus.ISSUED, issued_at__isnull=False)
        .order_by()
        .values_list("assignment_id", "round", "issued_at", "reply_class")
    )
    for assignment_id, round_, issued_at, reply_class in rows:
        if assignment_id not in in_force or round_ > in_force[assignment_id][0]:
            label = _("%(c)s 类") % {"c": reply_class} if reply_class else ""
            in_force[assignment_id] = (round_, iso(timezone.localdate(issued_at)), label)
    out: dict[int, dict[str, str]] = {}
    for proposal in proposals:
        mine = answering_assignments(proposal)
        if any(a.pk in in_force for a in mine):
            out[proposal.pk] = {
                "replied": per_assignment([(a, in_force[a.pk][1] if a.pk in in_force else "") for a in mine]),
                "reply_class": per_assignment([(a, in_force[a.pk][2] if a.pk in in_force else "") for a in mine]),
            }
    return out
