"""Database triggers that refuse UPDATE and DELETE on the audit tables (see audit/db.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from audit.db import install_triggers

    install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from audit.db import uninstall_triggers

    uninstall_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
