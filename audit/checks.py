"""System checks: the audit tables' append-only triggers are in place (SQLite drops them when a
migration rebuilds a table; see audit/db.py), and production has its own audit key (audit/keys.py)."""

from __future__ import annotations

from django.conf import settings
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


MIN_KEY_LENGTH = 32


@register("security")
def check_audit_key(app_configs=None, **kwargs):
    """In production the audit key must come from the environment: the development fallback is
    derived from SECRET_KEY, which leaves one secret for two jobs (and a key that rotates with it)."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    key = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if len(key) < MIN_KEY_LENGTH or key == settings.SECRET_KEY:
        return [
            Error(
                f"AUDIT_HMAC_KEY must be set in production: at least {MIN_KEY_LENGTH} characters, not SECRET_KEY",
                hint="e.g. AUDIT_HMAC_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
                "keep it outside the database and never change it (see audit/keys.py)",
                id="audit.E002",
            )
        ]
    return []
