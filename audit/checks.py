"""System check: the audit tables' append-only triggers are in place (SQLite drops them when a
migration rebuilds a table; see audit/db.py)."""

from __future__ import annotations

from django.core.checks import Error, register
from django.db import connections
from django.db.utils import DatabaseError

from .db import expected_triggers, installed_triggers


@register("database")
def check_audit_triggers(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM audit_auditevent WHERE 1 = 0")
            missing = expected_triggers(connection.vendor) - installed_triggers(connection)
        except DatabaseError:
            continue  # not migrated yet: the migration installs them
        if missing:
            errors.append(
                Error(
                    f"audit tables are not append-only on '{alias}': missing triggers {sorted(missing)}",
                    hint="run audit.db.install_triggers(connection) in a migration (see audit/db.py)",
                    id="audit.E001",
                )
            )
    return errors
