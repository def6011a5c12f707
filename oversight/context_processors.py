"""What the navbar shows on every page from this app: a leader's count of replies waiting for 签发."""

from __future__ import annotations

from django.http import HttpRequest

from .queues import leader_pending_count


def work_counts(request: HttpRequest) -> dict:
    return {"nav_pending_issue": leader_pending_count(getattr(request, "user", None))}
