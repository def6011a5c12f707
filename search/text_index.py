"""Bigram indexes of texts beside the proposal's own: reply letters, consultation records.

Each index is a set of (id, scope, index text) rows: the id is the row's id in the table the text
belongs to, the scope the committee of its proposal, and the index text what
``proposals.search.bigrams`` makes of its searchable fields.
This module knows no feature app: the app that owns a text computes the index text, keeps the rows
in step (``store`` / ``remove``) and narrows the ids ``matching`` returns to the rows its user may
see (``replies.search``, ``consultations.search``).

The same two database objects as the proposals' own index (``proposals.search``):

- SQLite: an FTS5 table ``search_<name>_fts(search_text, detail=none)``, rowid = the id (the
  scope is a token of the text, ``SCOPE_MARK``);
- PostgreSQL: a table ``search_<name>_text(id, scope, search_text, search_vector)``, the vector a
  stored ``to_tsvector('simple', search_text)`` with a GIN index, the scope with a btree index
  (the planner ANDs the two bitmaps).

They are tables of their own, not columns of the texts' tables: Django's SQLite schema editor
remakes a table on ALTER and would drop triggers or foreign FTS content on it, and the search app
may not know the feature apps' models. The tables are created by this app's migrations
(``search/0004``). Rows of texts written around the ORM (``bulk_create``, ``QuerySet.update``)
must be stored by their owner afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connections, transaction
from django.db.models.expressions import RawSQL

BATCH = 1000
# Up to this many scopes a query asks each on its own (an index condition each), beyond it ``= ANY``.
PG_SCOPES_ONE_BY_ONE = 8


def fts5_query(tokens: Iterable[tuple[str, bool]]) -> str:
    """An FTS5 MATCH text of (token, prefix) pairs, ANDed: ``"援疆" AND "水"*``.

    Tokens are letters and digits only (``proposals.search.Term``): quoting each needs no escaping.
    """
    return " AND ".join(f'"{t}"*' if prefix else f'"{t}"' for t, prefix in tokens)


def tsquery(tokens: Iterable[tuple[str, bool]]) -> str:
    """A tsquery text of (token, prefix) pairs, ANDed: ``'援疆' & '水':*``."""
    return " & ".join(f"'{t}':*" if prefix else f"'{t}'" for t, prefix in tokens)


Row = tuple[int, int | None, str]  # (id, scope, index text)


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


# On SQLite the scope is a token of the text: U+E000 (private use) and the scope's number, "\ue0007".
# FTS5's tokenizer keeps a private-use character inside a token, while no query term yields one
# (``proposals.search`` looks up letters and digits only), so no term, not even a one-character
# prefix, can match it.
SCOPE_MARK = "\ue000"


def _scope_token(scope: int) -> str:
    return f"{SCOPE_MARK}{int(scope)}"


@dataclass(frozen=True)
class TextIndex:
    """One index: ``name`` gives its tables (``search_<name>_fts`` / ``search_<name>_text``).

    Each row also carries a scope, the committee of the proposal the text belongs to: staff read
    one committee (or a few), and a common word's rows of every committee (发展: one reply in
    eight) cost more to intersect with theirs than the lookup saves. The owner of the text still
    narrows the ids to what its user may see; the scope only makes the candidates few.
    """

    name: str

    @property
    def sqlite_table(self) -> str:
        return f"search_{self.name}_fts"

    @property
    def pg_table(self) -> str:
        return f"search_{self.name}_text"

    # --- Upkeep ---------------------------------------------------------------------------------

    def store(self, rows: Iterable[Row], *, using: str = "default") -> int:
        """Put these (id, scope, index text) rows in the index, replacing what it held for their ids;
        an empty text takes the id out (nothing in it can be found). Returns how many were given."""
        connection = connections[using]
        vendor = connection.vendor
        if vendor == "sqlite":
            upsert = f"INSERT OR REPLACE INTO {self.sqlite_table}(rowid, search_text) VALUES (%s, %s)"  # noqa: S608 - fixed table name
            delete = f"DELETE FROM {self.sqlite_table} WHERE rowid = %s"  # noqa: S608
        elif vendor == "postgresql":
            upsert = (
                f"INSERT INTO {self.pg_table}(id, scope, search_text) VALUES (%s, %s, %s) "  # noqa: S608 - fixed table name
                "ON CONFLICT (id) DO UPDATE SET scope = EXCLUDED.scope, search_text = EXCLUDED.search_text"
            )
            delete = f"DELETE FROM {self.pg_table} WHERE id = %s"  # noqa: S608
        else:
            return 0
        given = 0
        with connection.cursor() as cursor:
            for batch in _batches(rows):
                # A batch is one transaction: in autocommit SQLite commits (and syncs) every row of an
                # executemany on its own, 10 ms a row (a rebuild of 100,000 letters took 15 minutes).
                with transaction.atomic(using=using):
                    given += self._store_batch(cursor, vendor, batch, upsert, delete)
        return given

    @staticmethod
    def _store_batch(cursor: Any, vendor: str, batch: list[Row], upsert: str, delete: str) -> int:
        filled: list[tuple[Any, ...]]
        if vendor == "sqlite":
            filled = [
                (pk, f"{text} {_scope_token(scope)}" if scope is not None else text)
                for pk, scope, text in batch
                if text
            ]
        else:
            filled = [(pk, scope, text) for pk, scope, text in batch if text]
        empty = [(pk,) for pk, _scope, text in batch if not text]
        if filled:
            cursor.executemany(upsert, filled)
        if empty:
            cursor.executemany(delete, empty)
        return len(batch)

    def remove(self, ids: Iterable[int], *, using: str = "default") -> None:
        self.store(((pk, None, "") for pk in ids), using=using)

    def rebuild(self, rows: Iterable[Row], *, using: str = "default") -> int:
        """Empty the index, store ``rows`` (every text of its kind) and refresh its statistics."""
        connection = connections[using]
        vendor = connection.vendor
        table = {"sqlite": self.sqlite_table, "postgresql": self.pg_table}.get(vendor)
        if table is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table name
            if vendor == "postgresql":
                # The table is empty: COPY instead of an upsert a row (a million letters, bench_data);
                # a batch at a time, as ``rows`` may read the database between them.
                stored = 0
                for batch in _batches(rows):
                    stored += len(batch)
                    with cursor.cursor.copy(f"COPY {table} (id, scope, search_text) FROM STDIN") as copy:
                        for row in batch:
                            if row[2]:
                                copy.write_row(row)
        if vendor != "postgresql":
            stored = self.store(rows, using=using)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                # Merge the segments the batches wrote, as the proposals' rebuild does.
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
            else:
                cursor.execute(f"ANALYZE {table}")
        return stored

    # --- Query ----------------------------------------------------------------------------------

    def matching(
        self, vendor: str, tokens: Iterable[tuple[str, bool]], scopes: Iterable[int] | None = None
    ) -> RawSQL | None:
        """A subquery of the ids whose text holds all (token, prefix) ``tokens``, in one of
        ``scopes`` (any when None), for ``pk__in``; None on a database without the index."""
        tokens = list(tokens)
        scopes = None if scopes is None else sorted({int(s) for s in scopes})
        if vendor == "sqlite":
            sql = f"SELECT rowid FROM {self.sqlite_table} WHERE {self.sqlite_table} MATCH %s"  # noqa: S608
            match = fts5_query(tokens)
            if scopes is not None:
                if not scopes:
                    return RawSQL(f"SELECT rowid FROM {self.sqlite_table} WHERE 0", [])  # noqa: S608, S611
                match += " AND (" + " OR ".join(f'"{_scope_token(s)}"' for s in scopes) + ")"
            return RawSQL(sql, [match])  # noqa: S611 - fixed SQL; the match text is a parameter
        if vendor == "postgresql":
            sql = f"SELECT id FROM {self.pg_table} WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)"  # noqa: S608
            query = tsquery(tokens)
            if scopes is None:
                return RawSQL(sql, [query])  # noqa: S611 - fixed SQL; the query is a parameter
            if not scopes or len(scopes) > PG_SCOPES_ONE_BY_ONE:
                return RawSQL(sql + " AND scope = ANY(%s::bigint[])", [query, scopes])  # noqa: S611
            # One equality per scope, each an index condition of the (scope, search_vector) GIN index
            # (search/0005): ``= ANY(array)`` cannot be one, and the scan then read every committee's
            # matches from the table to keep this committee's (1,000,000 proposals: 115 → 24 ms).
            one = sql + " AND scope = %s::bigint"
            return RawSQL(  # noqa: S611 - fixed SQL; the query and scopes are parameters
                " UNION ALL ".join([one] * len(scopes)), [p for s in scopes for p in (query, s)]
            )
        return None


# The indexes of the feature apps' texts (tables made by migration search/0004).
REPLY_INDEX = TextIndex("reply")
CONSULTATION_INDEX = TextIndex("consultation")
