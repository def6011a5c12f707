"""PostgreSQL: keep the bigram tsvector in a stored generated column and index that.

With the vector computed in the WHERE clause, every row PostgreSQL checked while walking the list's
order index paid for ``to_tsvector`` of about 700 bytes of bigrams (~0.1 ms a row: a page of
"援疆" took 99 ms); a stored vector is read, not computed. The column is maintained by PostgreSQL
from ``search_text`` and is unknown to Django's models; ``proposals.search`` names it.
Nothing on SQLite (FTS5 table, see 0001).

Consequence: PostgreSQL refuses to change the type of ``search_text`` while this column depends on
it; a migration that must do so drops and re-adds the column around the change.
"""

from django.db import migrations

PG_FORWARD = [
    """ALTER TABLE proposals_proposal ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED""",
    "CREATE INDEX IF NOT EXISTS search_proposal_vector_gin ON proposals_proposal USING gin (search_vector)",
    "DROP INDEX IF EXISTS search_proposal_bigram_gin",
]
PG_BACKWARD = [
    """CREATE INDEX IF NOT EXISTS search_proposal_bigram_gin ON proposals_proposal
        USING gin (to_tsvector('simple'::regconfig, search_text))""",
    "DROP INDEX IF EXISTS search_proposal_vector_gin",
    "ALTER TABLE proposals_proposal DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
