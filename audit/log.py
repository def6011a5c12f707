"""The one entry point for security events (login, denial, transition, download, export).

Feature code calls ``record_event``; the audit app decides how the event is kept. Personal data
(members' phones, work units) must never be passed in ``detail``.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("audit")


def record_event(*, event: str, request=None, user=None, obj=None, outcome: str = "ok", detail: str = "") -> None:
    """Record one security event. ``obj`` is any model instance (its label and pk are kept)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    label = f"{obj._meta.label}:{obj.pk}" if obj is not None and hasattr(obj, "_meta") else ""
    username = getattr(user, "username", "") if user is not None and user.is_authenticated else ""
    logger.info("audit event=%s user=%s object=%s outcome=%s", event, username, label, outcome)
