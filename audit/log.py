"""The one entry point for security events (login, denial, transition, download, export).

Feature code calls ``record_event``; this module appends the row to the hash chain of
:class:`audit.models.AuditEvent`. Personal data (members' phones, work units) must never be passed
in ``detail``; as a second line of defence, anything shaped like a phone number is masked.

The chain is extended under a lock so that two concurrent writers cannot both link to the same
previous row: on PostgreSQL a transaction-scoped advisory lock (it also covers the empty table,
which ``select_for_update`` on the last row would not); on SQLite the project opens every
transaction with ``BEGIN IMMEDIATE``, which already serialises writers.
"""

from __future__ import annotations

import ipaddress
import logging
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from common.phones import mask_phones

logger = logging.getLogger("audit")

# Arbitrary constant: the advisory-lock key that serialises audit writers on PostgreSQL.
PG_LOCK_KEY = 7_406_221_001
MAX_DETAIL = 2000

# The request being served, set by audit.middleware.AuditMiddleware, so events recorded deep in a
# service (transitions) still carry the user's IP address.
current_request: ContextVar = ContextVar("audit_current_request", default=None)


def mask_personal(text: str) -> str:
    return mask_phones(text, "[已隐去]")


def client_ip(request) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: a proxy in front must set it (e.g. gunicorn --forwarded-allow-ips), so a
    # client cannot forge its address with a header.
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def record_event(
    *,
    event: str,
    request=None,
    user=None,
    obj=None,
    outcome: str = "ok",
    detail: str = "",
    username: str = "",
):
    """Record one security event and return the stored row.

    ``obj`` is any model instance (its label and pk are kept). ``username`` names the account
    for events without an authenticated user (a failed login).
    """
    from .models import AuditEvent

    if request is None:
        request = current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    label = obj._meta.label if obj is not None and hasattr(obj, "_meta") else ""
    object_pk = str(obj.pk) if label and obj.pk is not None else ""
    row = AuditEvent(
        user_id=user.pk if user is not None else None,
        username=(user.get_username() if user is not None else username)[:150],
        role=(getattr(user, "role", "") or "") if user is not None else "",
        ip=client_ip(request),
        event=event[:40],
        object_label=label[:100],
        object_pk=object_pk[:64],
        outcome=(outcome or "ok")[:10],
        detail=mask_personal(str(detail))[:MAX_DETAIL],
    )
    _append(row)
    logger.info("audit event=%s user=%s object=%s outcome=%s", row.event, row.username, row.object_display, row.outcome)
    return row


def _append(row) -> None:
    from .models import GENESIS_HASH, AuditAnchor, AuditEvent

    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK_KEY])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        if prev is None:
            prev = AuditAnchor.objects.order_by("-purged_through_id").values_list("anchor_hash", flat=True).first()
        # Stamped under the lock, so time order and id order agree (purge relies on it).
        row.at = timezone.now()
        row.prev_hash = prev or GENESIS_HASH
        row.hash = row.compute_hash()
        row.save(force_insert=True)
