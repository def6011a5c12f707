"""Checking and trimming the audit chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .db import allow_audit_delete
from .log import PG_LOCK_KEY, record_event
from .models import GENESIS_HASH, AuditAnchor, AuditEvent

MIN_RETENTION_DAYS = 180


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the chain in id order from the newest purge anchor (or the genesis hash).

    A row whose stored hash does not match its fields was altered; a row whose ``prev_hash`` does
    not match the row before it means a row was removed or inserted just before it.
    """
    anchor = AuditAnchor.objects.order_by("-purged_through_id").first()
    expected_prev = anchor.anchor_hash if anchor else GENESIS_HASH
    after_id = anchor.purged_through_id if anchor else 0
    checked = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=after_id).order_by("id")[:batch_size])
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(False, checked, row.pk, "prev_hash does not match the previous row")
            if row.compute_hash() != row.hash:
                return ChainReport(False, checked, row.pk, "hash does not match the row's fields")
            expected_prev = row.hash
            after_id = row.pk
            checked += 1


class PurgeRefused(Exception):
    pass


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    anchor: AuditAnchor | None


def purge_before(*, days: int, now: dt.datetime | None = None) -> PurgeResult:
    """Delete the events older than ``days`` days (never fewer than 180) and leave an anchor."""
    if days < MIN_RETENTION_DAYS:
        raise PurgeRefused(f"the audit trail is kept at least {MIN_RETENTION_DAYS} days (got {days})")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK_KEY])
        # Rows are stamped under the writers' lock, so "older than the cutoff" is an id prefix.
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = AuditEvent.objects.filter(at__lt=cutoff)
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept)
        last = doomed.order_by("-id").first()
        if last is None:
            return PurgeResult(0, None)
        ids = doomed.filter(id__lte=last.pk)
        count = ids.count()
        anchor = AuditAnchor.objects.create(
            purged_through_id=last.pk, anchor_hash=last.hash, purged_count=count, cutoff=cutoff
        )
        with allow_audit_delete(connection, cutoff):
            # Raw delete: the ORM's queryset refuses (AppendOnlyQuerySet) and this is the one
            # sanctioned path; the trigger still checks every row against the cutoff.
            ids._raw_delete(ids.db)
        record_event(
            event="audit_purge",
            obj=anchor,
            detail=f"deleted={count} through_id={last.pk} cutoff={cutoff.isoformat()} days={days}",
        )
    return PurgeResult(count, anchor)
