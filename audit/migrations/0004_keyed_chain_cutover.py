"""The audit chain becomes keyed (HMAC under AUDIT_HMAC_KEY, audit/keys.py) from here on.

Rows already in the table were hashed with plain SHA-256 and cannot honestly be re-hashed: that
would vouch for whatever they hold today, and the triggers refuse the update anyway. So one keyed
``audit_rekey`` row is appended that names the last unkeyed row; ``verify_audit`` checks the rows
up to it under the old scheme and every later row under the key (audit.services.verify_chain).
On an empty table (a new installation) nothing is written: every row will be keyed.
"""

from django.db import migrations
from django.utils import timezone


def cut_over(apps, schema_editor):
    from audit.keys import key_configured
    from audit.models import AuditEvent as CurrentAuditEvent

    AuditEvent = apps.get_model("audit", "AuditEvent")
    last = AuditEvent.objects.order_by("-id").first()
    if last is None:
        return
    key = "AUDIT_HMAC_KEY" if key_configured() else "derived from SECRET_KEY"
    row = CurrentAuditEvent(
        at=timezone.now(),
        event="audit_rekey",
        outcome="ok",
        detail=f"unkeyed_through_id={last.pk} key={key}",
        prev_hash=last.hash,
    )
    row.hash = row.compute_hash()  # only the fields, not the model's behaviour, are used
    fields = ("at", "username", "role", "ip", "event", "object_label", "object_pk", "outcome", "detail")
    AuditEvent.objects.create(
        user_id=None, prev_hash=row.prev_hash, hash=row.hash, **{f: getattr(row, f) for f in fields}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_history")]

    # Not reversible: the cut-over row is part of the chain, and audit rows are never removed.
    operations = [migrations.RunPython(cut_over, migrations.RunPython.noop)]
