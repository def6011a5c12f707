"""跟踪办理 on a proposal's page (``templates/replies/_follow_up_line.html``, in each assignment's
card): the assignment's latest follow-up the user may see. The proposals app imports nothing of
this app; its page only includes the template."""

from __future__ import annotations

from typing import Any

from django import template

from proposals.models import Assignment

from ..followup import class_labels, follow_ups_visible_to
from ..models import FollowUp, FollowUpStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_up_state(context: dict[str, Any], assignment: Assignment) -> FollowUp | None:
    """The open follow-up, else the latest reported one, with its class labels; None when none."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not assignment.answers_member:
        return None
    latest = (
        follow_ups_visible_to(user)
        .filter(assignment=assignment)
        .exclude(status=FollowUpStatus.SUPERSEDED)
        .order_by("-reply__round", "-round")
        .first()
    )
    if latest is not None:
        labels = class_labels(assignment.proposal.committee_id)
        latest.before_label = labels.get(latest.class_before, latest.class_before)
        latest.after_label = labels.get(latest.class_after, latest.class_after)
    return latest
