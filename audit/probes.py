"""Out-of-scope access: the 404 that ``get_*_for_user`` (and the staff-only pages) answer for
"missing or not yours" is recorded, so an auditor sees a user walking ids.

Rate-limited per user: the first probe in a minute writes an ``out_of_scope`` row; the probes after
it are only counted (in the cache) and the next row, a minute or more later, carries the count
since the previous one (``count=N``; the last probes of a burst show up with the user's next
probe). The row names the kind of object and the id asked for, never the object's content — it
may not even exist.

Feature apps call :func:`record_out_of_scope` (audit imports none of them). During a request the
probe is only noted and :class:`audit.middleware.AuditMiddleware` writes it after the response:
a 404 raised inside a transaction would otherwise roll its own audit row back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from .log import current_request, record_event

EVENT = "out_of_scope"
WINDOW = dt.timedelta(minutes=1)
_PENDING_ATTR = "_audit_out_of_scope"


def record_out_of_scope(user: Any, what: str, pk: object = "") -> None:
    """Note that ``user`` was answered 404 for ``what`` (a model label or a page) with id ``pk``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return  # anonymous visitors are sent to the login page; the public pages are public
    probe = (user, str(what)[:100], str(pk)[:32])
    request = current_request.get()
    if request is not None:
        pending = getattr(request, _PENDING_ATTR, None)
        if pending is None:
            pending = []
            setattr(request, _PENDING_ATTR, pending)
        pending.append(probe)
        return
    _write(*probe)


def flush_out_of_scope(request) -> None:
    """Write the probes noted during ``request`` (AuditMiddleware, after the response)."""
    for user, what, pk in getattr(request, _PENDING_ATTR, None) or ():
        _write(user, what, pk, request=request)
    setattr(request, _PENDING_ATTR, [])


def _count_key(user_id: int) -> str:
    return f"audit:out_of_scope:{user_id}"


def _write(user: Any, what: str, pk: str, request=None) -> None:
    from .models import AuditEvent

    key = _count_key(user.pk)
    cache.add(key, 0, timeout=None)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)
        count = 1
    recent = AuditEvent.objects.filter(user_id=user.pk, event=EVENT, at__gte=timezone.now() - WINDOW)
    if recent.exists():
        return
    cache.delete(key)
    target = f"{what}#{pk}" if pk else what
    record_event(event=EVENT, request=request, user=user, outcome="denied", detail=f"count={count} last={target}")
