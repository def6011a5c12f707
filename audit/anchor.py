"""The head of the audit chain, written outside the database.

A chain proves that no row in the middle changed; it cannot prove that the newest rows are all
still there, nor — to someone holding the key — that a row was not rewritten with every later
hash. So the head (the newest row's id and hash) is appended, one JSON line at a time, to a file
outside the database (``AUDIT_ANCHOR_PATH``, by default ``var/audit-anchor.log``) and to the
``audit`` logger: by ``manage.py anchor_audit`` (cron, e.g. every ten minutes) and by every
``verify_audit``. Verification then requires every anchored row to be present with the anchored
hash, unless a vouched purge removed it.

Each line carries an HMAC under the audit key, so the file cannot be extended with made-up lines
without the key; keep it on storage the database's users cannot write (``chattr +a``, another
host, a shipped log). Lines name the database they belong to, so a development checkout that
switches between SQLite and PostgreSQL does not mix their anchors. ``restore`` appends a marker:
anchors written before it describe a database that the restore replaced.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .keys import ANCHOR, keyed_hash

logger = logging.getLogger("audit")

RESTORED = "restored"


@dataclass(frozen=True)
class Anchor:
    line: int
    at: str
    id: int
    hash: str


@dataclass(frozen=True)
class AnchorFile:
    anchors: list[Anchor]
    bad_lines: list[int]


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def database_label(using: str = "default") -> str:
    connection = connections[using]
    return f"{connection.vendor}:{connection.settings_dict.get('NAME') or ''}"


def _mac(db: str, kind: str, row_id: int, row_hash: str, at: str) -> str:
    return keyed_hash(ANCHOR, json.dumps([db, kind, row_id, row_hash, at], ensure_ascii=False).encode())


def _append(entry: dict) -> None:
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _entry(kind: str, row_id: int, row_hash: str, using: str) -> dict:
    db = database_label(using)
    at = timezone.now().isoformat()
    return {
        "at": at,
        "db": db,
        "kind": kind,
        "id": row_id,
        "hash": row_hash,
        "mac": _mac(db, kind, row_id, row_hash, at),
    }


def write_anchor(*, using: str = "default") -> Anchor | None:
    """Append the chain's head; None when the chain is empty (nothing to anchor yet)."""
    from .models import AuditEvent

    head = AuditEvent.objects.using(using).order_by("-id").values_list("id", "hash").first()
    if head is None:
        return None
    entry = _entry("head", head[0], head[1], using)
    _append(entry)
    logger.info("audit anchor db=%s id=%s hash=%s", entry["db"], entry["id"], entry["hash"])
    return Anchor(0, entry["at"], entry["id"], entry["hash"])


def write_restore_marker(*, using: str = "default") -> None:
    """After ``restore``: the anchors written so far describe the database the restore replaced."""
    entry = _entry(RESTORED, 0, "", using)
    _append(entry)
    logger.info("audit anchor db=%s restored", entry["db"])


def read_anchors(*, using: str = "default") -> AnchorFile:
    """This database's anchors since its last restore, and the numbers of lines that do not verify."""
    path = anchor_path()
    if not path.exists():
        return AnchorFile([], [])
    db = database_label(using)
    anchors: list[Anchor] = []
    bad: list[int] = []
    with open(path, encoding="utf-8") as fh:
        for number, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
                kind, row_id, row_hash, at = entry["kind"], int(entry["id"]), str(entry["hash"]), str(entry["at"])
                valid = entry["mac"] == _mac(entry["db"], kind, row_id, row_hash, at)
            except (ValueError, KeyError, TypeError):
                bad.append(number)
                continue
            if entry["db"] != db:
                continue
            if not valid:
                bad.append(number)
            elif kind == RESTORED:
                anchors.clear()
                bad.clear()
            else:
                anchors.append(Anchor(number, at, row_id, row_hash))
    return AnchorFile(anchors, bad)
