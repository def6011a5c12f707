"""Checking, anchoring and trimming the audit chain."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from .anchor import Anchor, anchor_path, read_anchors
from .db import allow_audit_delete
from .log import PG_LOCK_KEY, record_event
from .models import GENESIS_HASH, AuditAnchor, AuditEvent

MIN_RETENTION_DAYS = 180


# Written once, with the key, when the key was introduced (migration 0004): rows up to the id it
# names were hashed with plain SHA-256 and are verified that way; every later row must carry the
# HMAC. Only a row that itself verifies under the key counts, so the cut-over cannot be moved.
REKEY_EVENT = "audit_rekey"
_REKEY_DETAIL = re.compile(r"\bunkeyed_through_id=(\d+)\b")
_PURGE_THROUGH = "through_id={} "


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    unkeyed: int = 0  # rows checked under the old unkeyed scheme (before the cut-over)
    unkeyed_through_id: int = 0
    anchors: int = 0  # anchored heads checked against the table


def unkeyed_through_id() -> int:
    """The last row hashed before the key existed (0: every row is keyed)."""
    for row in AuditEvent.objects.filter(event=REKEY_EVENT).order_by("id")[:20]:
        match = _REKEY_DETAIL.search(row.detail)
        if match and row.hash == row.compute_hash() and int(match.group(1)) < row.pk:
            return int(match.group(1))
    return 0


def _purge_is_vouched(anchor: AuditAnchor) -> bool:
    """A purge anchor counts only if the chain itself recorded that purge (its audit_purge row comes
    after the anchor, so the walk verifies it): otherwise an anchor row inserted into the table
    would hide every row before it from verification."""
    return AuditEvent.objects.filter(
        id__gt=anchor.purged_through_id,
        event="audit_purge",
        object_label=AuditAnchor._meta.label,
        object_pk=str(anchor.pk),
        detail__contains=_PURGE_THROUGH.format(anchor.purged_through_id),
    ).exists()


def verify_chain(*, batch_size: int = 2000, anchors: bool = True) -> ChainReport:
    """Walk the chain in id order from the newest purge anchor (or the genesis hash), then check
    the heads anchored outside the database (audit/anchor.py) unless ``anchors=False``.

    A row whose stored hash does not match its fields was altered; a row whose ``prev_hash`` does
    not match the row before it means a row was removed or inserted just before it; an anchored
    row that is missing or has another hash means the newest rows were cut off or rewritten.
    """
    anchor = AuditAnchor.objects.order_by("-purged_through_id").first()
    if anchor is not None and not _purge_is_vouched(anchor):
        return ChainReport(False, 0, anchor.purged_through_id, "purge anchor not recorded in the chain")
    expected_prev = anchor.anchor_hash if anchor else GENESIS_HASH
    after_id = anchor.purged_through_id if anchor else 0
    legacy_through = unkeyed_through_id()
    checked = unkeyed = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=after_id).order_by("id")[:batch_size])
        if not rows:
            break
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(False, checked, row.pk, "prev_hash does not match the previous row")
            legacy = row.pk <= legacy_through
            if (row.legacy_hash() if legacy else row.compute_hash()) != row.hash:
                return ChainReport(False, checked, row.pk, "hash does not match the row's fields")
            expected_prev = row.hash
            after_id = row.pk
            checked += 1
            unkeyed += legacy
    if not anchors:
        return ChainReport(True, checked, unkeyed=unkeyed, unkeyed_through_id=legacy_through)
    return _check_anchors(anchor, ChainReport(True, checked, unkeyed=unkeyed, unkeyed_through_id=legacy_through))


def _check_anchors(purge: AuditAnchor | None, report: ChainReport) -> ChainReport:
    found = read_anchors()
    if found.bad_lines:
        return replace(
            report, ok=False, reason=f"anchor file {anchor_path()} line {found.bad_lines[0]} does not verify"
        )
    purged_through = purge.purged_through_id if purge else 0
    expected: dict[int, Anchor] = {}
    for item in found.anchors:
        if item.id < purged_through:
            continue  # removed by a vouched purge
        if item.id in expected and expected[item.id].hash != item.hash:
            return replace(
                report,
                ok=False,
                first_bad_id=item.id,
                reason=f"anchor file line {item.line} contradicts line {expected[item.id].line}",
            )
        expected[item.id] = item
    ids = sorted(expected)
    stored: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stored.update(AuditEvent.objects.filter(id__in=chunk).values_list("id", "hash"))
    if purge is not None:
        stored.setdefault(purge.purged_through_id, purge.anchor_hash)
    for row_id in ids:
        item = expected[row_id]
        if row_id not in stored:
            return replace(
                report,
                ok=False,
                first_bad_id=row_id,
                reason=f"row anchored at {item.at} is missing (anchor file line {item.line})",
            )
        if stored[row_id] != item.hash:
            return replace(
                report,
                ok=False,
                first_bad_id=row_id,
                reason=f"hash differs from the one anchored at {item.at} (anchor file line {item.line})",
            )
    return replace(report, anchors=len(ids))


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
