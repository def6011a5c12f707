"""Database-level guards that make the audit tables append-only, and their one escape hatch.

The triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on ``audit_auditevent`` and
``audit_auditanchor``. Two commands may delete: ``purge_audit`` (only events older than its
cutoff, which is at least 180 days back) and ``flush`` (wipes the whole database; the test suite's
transactional tests use it). They open the hatch with :func:`allow_audit_delete`:

* PostgreSQL: the session setting ``audit.delete_before`` (a timestamp, or ``all`` for flush),
  read by the trigger function;
* SQLite: the SQL function ``audit_delete_allowed(at)``, registered on every connection this
  process opens and backed by a context variable. A connection without it (the sqlite3 shell)
  fails the DELETE with "no such function" — closed, not open.

Someone with direct write access to the database file or a superuser login can always drop the
triggers; against that the hash chain (``verify_audit``) is the evidence.

SQLite drops a table's triggers when Django's schema editor rebuilds the table, so any later
migration that alters these two tables must run :func:`install_triggers` again (the system check
``audit.E001`` reports missing triggers).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final, Literal

from django.db.backends.signals import connection_created
from django.dispatch import receiver

ALL: Final = "all"
_delete_before: ContextVar = ContextVar("audit_delete_before", default=None)

SQLITE_TRIGGERS = {
    "audit_auditevent_no_update": """
        CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
    "audit_auditevent_no_delete": """
        CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
        WHEN NOT audit_delete_allowed(OLD.at)
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: use manage.py purge_audit'); END""",
    "audit_auditanchor_no_update": """
        CREATE TRIGGER IF NOT EXISTS audit_auditanchor_no_update BEFORE UPDATE ON audit_auditanchor
        BEGIN SELECT RAISE(ABORT, 'audit_auditanchor is append-only'); END""",
    "audit_auditanchor_no_delete": """
        CREATE TRIGGER IF NOT EXISTS audit_auditanchor_no_delete BEFORE DELETE ON audit_auditanchor
        WHEN NOT audit_delete_allowed(NULL)
        BEGIN SELECT RAISE(ABORT, 'audit_auditanchor is append-only'); END""",
}

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_text text := current_setting('audit.delete_before', true);
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND before_text = 'all' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_auditevent'
       AND coalesce(before_text, '') <> '' AND OLD.at < before_text::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
POSTGRES_TRIGGERS = {
    f"{table}_{suffix}": sql
    for table in ("audit_auditevent", "audit_auditanchor")
    for suffix, sql in (
        (
            "guard",
            f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only_guard()",
        ),
        (
            "guard_truncate",
            f"CREATE OR REPLACE TRIGGER {table}_guard_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only_guard()",
        ),
    )
}


def expected_triggers(vendor: str) -> set[str]:
    return set(SQLITE_TRIGGERS if vendor == "sqlite" else POSTGRES_TRIGGERS if vendor == "postgresql" else ())


def install_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _register_sqlite_function(connection)
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for sql in POSTGRES_TRIGGERS.values():
                cursor.execute(sql)


def uninstall_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in POSTGRES_TRIGGERS:
                table = name.removesuffix("_guard_truncate").removesuffix("_guard")
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS audit_append_only_guard()")


def installed_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'audit_%' AND NOT tgisinternal")
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def _sqlite_delete_allowed(at_text) -> int:
    permit = _delete_before.get()
    if permit is None:
        return 0
    if permit == ALL:
        return 1
    if at_text is None:
        return 0
    try:
        at = dt.datetime.fromisoformat(str(at_text))
    except ValueError:
        return 0
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return int(at < permit)


def _register_sqlite_function(connection) -> None:
    raw = connection.connection
    if raw is not None:
        raw.create_function("audit_delete_allowed", 1, _sqlite_delete_allowed, deterministic=False)


@receiver(connection_created)
def _on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        _register_sqlite_function(connection)


@contextmanager
def allow_audit_delete(connection, before: dt.datetime | Literal["all"]):
    """Open the hatch for this connection: ``before`` is a cutoff (aware datetime) or ``ALL``."""
    if connection.vendor == "sqlite":
        permit = before.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(before, dt.datetime) else ALL
        token = _delete_before.set(permit)
        try:
            yield
        finally:
            _delete_before.reset(token)
    elif connection.vendor == "postgresql":
        value = before.isoformat() if isinstance(before, dt.datetime) else ALL
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.delete_before', %s, false)", [value])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.delete_before', '', false)")
    else:
        yield
