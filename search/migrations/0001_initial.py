"""The search index of proposals: an FTS5 table on SQLite, a GIN index on PostgreSQL.

Hand-written because Django has no operation for either; each step checks the database vendor
and does nothing on the other one. See ``proposals.search`` for how the index is queried.
"""

from django.db import migrations

SQLITE_CREATE = [
    # detail=none: only "which rows hold this bigram" is ever asked, never positions or phrases,
    # which keeps the index small. The table stores its own copy of the text so that a row can be
    # deleted by rowid alone, whatever the proposal row says by then.
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_proposal_fts USING fts5(
        search_text, detail=none, tokenize="unicode61 remove_diacritics 0")""",
    """INSERT INTO search_proposal_fts(rowid, search_text)
        SELECT id, search_text FROM proposals_proposal WHERE search_text != ''""",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_proposal_fts"]

PG_CREATE = [
    # The expression must be the one proposals.search puts in its WHERE clause, word for word.
    """CREATE INDEX IF NOT EXISTS search_proposal_bigram_gin ON proposals_proposal
        USING gin (to_tsvector('simple'::regconfig, search_text))""",
]
PG_DROP = ["DROP INDEX IF EXISTS search_proposal_bigram_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [("proposals", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": PG_DROP}),
        ),
    ]
