"""A covering index for counting the proposals a user may see.

The proposal list's Paginator counts ``WHERE NOT status = 'draft' OR created_by_id = …`` (the staff
visibility rule). Without this index both databases read every proposal row, and on SQLite the
status column sits behind the long text columns, in overflow pages: 100,000 proposals made that
count take about 200 ms. With it the count reads only the index (about 10 ms), and the meeting and
sequence columns let the default page order be read from the index as well.

The index belongs to proposals_proposal but is created here, by raw SQL, because one app's migration
cannot add an index to another app's model. On SQLite, Django remakes a table when a later
migration alters it, and that drops indexes it does not know about; if that happens, re-create this
index (``migrate search 0001 && migrate search``) or, better, move it into ``Proposal.Meta.indexes``.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_proposal_visible_cover "
    "ON proposals_proposal (status, created_by_id, meeting_id, sequence)"
)
DROP = "DROP INDEX IF EXISTS search_proposal_visible_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
