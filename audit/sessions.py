"""A per-user index of sessions, so that logout and a password change can end the others.

Django's session store cannot be searched by user; ``UserSession`` keeps the keys, filled at login
(and when a key is rotated during a request), and sessions are ended through the configured
session engine, so it works for the database backend and any other.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from .models import UserSession


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def register_session(user, session_key: str | None, *, replaces: str | None = None) -> None:
    if not session_key or user is None or not getattr(user, "pk", None):
        return
    if replaces:
        UserSession.objects.filter(session_key=replaces).delete()
    UserSession.objects.update_or_create(session_key=session_key, defaults={"user_id": user.pk})


def end_sessions(user, *, keep: str | None = None) -> int:
    """End every session of ``user`` except ``keep``; returns how many were ended."""
    store = _store_class()
    keys = list(
        UserSession.objects.filter(user_id=user.pk)
        .exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    )
    for key in keys:
        store(session_key=key).delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
