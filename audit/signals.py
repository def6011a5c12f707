"""Audit receivers: they only record what happened (no workflow here, see STYLE.md)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .log import current_request, record_event
from .models import UserSession
from .sessions import end_sessions, register_session

User = get_user_model()

# Account fields whose change is a security event ("role_change" for role, else "account_change").
ACCOUNT_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "agency_id", "member_id", "username")
WATCHED_UPDATE_FIELDS = {*ACCOUNT_FIELDS, "agency", "member", "password"}


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    register_session(user, request.session.session_key if request is not None else None)
    record_event(event="login", request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    record_event(event="login_failed", request=request, outcome="failed", username=username)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else 0
    record_event(
        event="lockout",
        request=request,
        outcome="denied",
        username=str(username or "")[:150],
        detail=f"failures={settings.AXES_FAILURE_LIMIT} cooloff_minutes={minutes}",
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    keep = request.session.session_key if request is not None else None
    ended = end_sessions(user, keep=keep)
    # this session is flushed by logout itself right after the signal
    UserSession.objects.filter(session_key=keep or "").delete()
    record_event(event="logout", request=request, user=user, detail=f"other_sessions_ended={ended}")


@receiver(pre_save, sender=User)
def remember_account_state(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not WATCHED_UPDATE_FIELDS & set(update_fields):
        return  # e.g. the last_login update at every login
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*ACCOUNT_FIELDS, "password").first()


def _is_rehash(old: str, new: str) -> bool:
    """Django re-hashes a password at login when the hasher settings changed: not a new password."""
    try:
        old_hasher, new_hasher = identify_hasher(old), identify_hasher(new)
    except ValueError:
        return False
    return old_hasher.algorithm != new_hasher.algorithm or old_hasher.must_update(old)


@receiver(post_save, sender=User)
def record_account_change(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    request = current_request.get()
    if created:
        record_event(
            event="account_created",
            obj=instance,
            detail=f"username={instance.username} role={instance.role} staff={instance.is_staff} "
            f"superuser={instance.is_superuser}",
        )
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    changes = []
    for field in ACCOUNT_FIELDS:
        old, new = before[field], getattr(instance, field)
        if old != new:
            changes.append((field, old, new))
    for field, old, new in changes:
        event = "role_change" if field == "role" else "account_change"
        record_event(event=event, obj=instance, detail=f"{instance.username}: {field} {old} → {new}")
    if before["password"] != instance.password and not _is_rehash(before["password"], instance.password):
        own = request is not None and getattr(request.user, "pk", None) == instance.pk
        keep = request.session.session_key if own and hasattr(request, "session") else None
        ended = end_sessions(instance, keep=keep)
        record_event(event="password_change", obj=instance, detail=f"{instance.username}: other_sessions_ended={ended}")
    instance._audit_before = None
