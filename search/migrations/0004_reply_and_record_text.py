"""Bigram indexes of reply letters and consultation records, filled from the existing rows.

The staff search also looks in these texts (issue 20) and scanned them with ``icontains`` on every
search (100,000 proposals: 发展 155 ms p95 on PostgreSQL). The same objects as the proposals' index:
an FTS5 table on SQLite, a table with a stored tsvector and its GIN index on PostgreSQL, one per
kind of text (``search.text_index``), each row with the committee of its proposal (its scope).
Kept in step afterwards by ``replies.search`` and ``consultations.search``. Each step checks the
database vendor and does nothing on the other one.
"""

from django.db import migrations

NAMES = ("reply", "consultation")

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS search_{name}_fts USING fts5(
        search_text, detail=none, tokenize="unicode61 remove_diacritics 0")"""
    for name in NAMES
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS search_{name}_fts" for name in NAMES]

PG_CREATE = [
    statement
    for name in NAMES
    for statement in (
        # No foreign key: the index is the search app's, which knows no feature app's tables; a
        # deleted text's row goes with it through the owner's post_delete receiver.
        f"""CREATE TABLE IF NOT EXISTS search_{name}_text (
            id bigint PRIMARY KEY,
            scope bigint,
            search_text text NOT NULL,
            search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED
        )""",
        f"CREATE INDEX IF NOT EXISTS search_{name}_vector_gin ON search_{name}_text USING gin (search_vector)",
        f"CREATE INDEX IF NOT EXISTS search_{name}_scope ON search_{name}_text (scope)",
    )
]
PG_DROP = [f"DROP TABLE IF EXISTS search_{name}_text" for name in NAMES]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill(apps, schema_editor):
    from consultations.search import consultation_index_rows
    from replies.search import reply_index_rows
    from search.text_index import CONSULTATION_INDEX, REPLY_INDEX

    alias = schema_editor.connection.alias
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    Reply = apps.get_model("replies", "Reply")
    Consultation = apps.get_model("consultations", "Consultation")
    REPLY_INDEX.rebuild(reply_index_rows(Reply.objects.using(alias).all()), using=alias)
    CONSULTATION_INDEX.rebuild(consultation_index_rows(Consultation.objects.using(alias).all()), using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_index_last_characters"),
        ("replies", "0005_chinese_labels"),
        ("consultations", "0006_chinese_labels"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": PG_DROP}),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
