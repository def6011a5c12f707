"""What the navbar shows on every page from this app: the unread notifications (the bell) and a
leader's count of replies waiting for 签发."""

from __future__ import annotations

from django.http import HttpRequest

from .inbox import unread_count
from .queues import leader_pending_count


def work_counts(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"nav_pending_issue": leader_pending_count(user), "nav_unread": unread_count(user)}
