"""Today's data into the installation's first committee (its own migration: PostgreSQL refuses to alter a
table with updates of the same transaction pending their foreign-key checks)."""

from django.db import migrations


def move_into_first_committee(apps, schema_editor):
    """Today's data goes into one committee made from the settings (they become its defaults)."""
    from proposals.models.committee import default_committee_values

    committee_model = apps.get_model("proposals", "Committee")
    committee = committee_model.objects.order_by("pk").first()
    if committee is None:
        committee = committee_model.objects.create(**default_committee_values())
    for name in ("Meeting", "Category", "DeclineReason", "Member", "Agency", "Proposal"):
        apps.get_model("proposals", name).objects.filter(committee__isnull=True).update(committee=committee)
    user_model = apps.get_model("proposals", "User")
    # Everyone but the administrators (who keep every committee) works for the one committee.
    user_model.objects.filter(committee__isnull=True).exclude(role="admin").exclude(is_superuser=True).update(
        committee=committee
    )



class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0013_committees"),
    ]

    operations = [
        migrations.RunPython(move_into_first_committee, migrations.RunPython.noop),
    ]
