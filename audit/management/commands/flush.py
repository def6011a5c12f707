"""Django's ``flush``, able to empty the append-only audit tables.

``flush`` wipes every table (it is what the test suite's transactional tests run between tests);
the audit triggers would refuse it, so it opens their hatch for the duration. Overrides the
built-in command because ``audit`` is an installed app.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from audit.db import ALL, allow_audit_delete


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        connection.ensure_connection()
        with allow_audit_delete(connection, ALL):
            return super().handle(**options)
