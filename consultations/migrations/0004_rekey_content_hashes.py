"""Signed records' content hashes become HMACs under the audit key (consultations/services/hashing.py).

Honest re-keying: a record whose stored plain SHA-256 still matches its content is re-hashed with
the key; a record that no longer matches keeps its stored value, so ``verify_records`` goes on
reporting it. The reverse puts the plain SHA-256 back on the records whose HMAC matches.
"""

from django.db import migrations


def _records(apps):
    # The historical model has every field the hash reads (by name, as the service reads them).
    # Only signed rows carry a hash; on a fresh database there are none and nothing runs.
    return apps.get_model("consultations", "Consultation").objects.exclude(content_sha256="").order_by("id")


def rekey(apps, schema_editor):
    from consultations.services.hashing import content_hash, legacy_content_hash

    kept = 0
    for record in _records(apps).iterator(chunk_size=500):
        if record.content_sha256 == legacy_content_hash(record):
            type(record).objects.filter(pk=record.pk).update(content_sha256=content_hash(record))
        else:
            kept += 1
    if kept:
        print(f"\n  {kept} signed consultation record(s) no longer match their hash; left as they were")


def unkey(apps, schema_editor):
    from consultations.services.hashing import content_hash, legacy_content_hash

    for record in _records(apps).iterator(chunk_size=500):
        if record.content_sha256 == content_hash(record):
            type(record).objects.filter(pk=record.pk).update(content_sha256=legacy_content_hash(record))


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_record_entry_and_scan_fields")]

    operations = [migrations.RunPython(rekey, unkey)]
