"""Chinese substring search over proposals.

``bigrams`` builds the index text kept in ``Proposal.search_text``: every overlapping pair of
characters of the searchable fields, so that any substring of two or more characters can be found
by looking for its bigrams, and the last character of each run of text. ``search_proposals``
narrows a QuerySet to the proposals whose title, main content or number contains every
whitespace-separated term of the query.

How a term is looked up:

- Its bigrams made of two letters or digits are looked up in an inverted index, ANDed: on SQLite
  the FTS5 table ``search_proposal_fts`` (rowid = proposal id), on PostgreSQL a GIN index on the
  stored column ``search_vector`` = ``to_tsvector('simple', search_text)``. Both tokenizers keep
  such a bigram as one token (checked: FTS5 ``unicode61`` and PostgreSQL's default parser in this
  cluster's C.UTF-8 locale), so a row has the token exactly when its text holds the bigram.
- A term of exactly two such characters is then an exact match already: the bigram is in the index
  only if those two characters stand side by side in the text. A longer term is re-checked with
  ``icontains``, because "援疆" and "疆工" can both occur without "援疆工" occurring; the re-check
  only reads the few candidate rows the index returned.
- A term of one letter or digit is looked up as a prefix: the rows with any token starting with it
  (FTS5 ``"疆"*``, tsquery ``'疆':*``). ``bigrams`` also indexes the last character of every run of
  text alone, so each character of the text starts some token and the lookup is exact.
- A term with letters or digits but no bigram of two ("5%", "a.b") looks each of them up as a
  prefix, then is re-checked with ``icontains``.
- A term whose only letters or digits are "other numbers" (① ²) has no token on PostgreSQL and is
  matched by ``icontains`` alone, which scans the table: slower at 100,000 rows (see
  docs/PERFORMANCE.md) but still correct, and at most ``MAX_TERMS`` times.
- A term with no letter or digit at all (punctuation only) is ignored, and a query is cut to
  ``MAX_QUERY_CHARS`` characters and ``MAX_TERMS`` terms (``parse_query``).

The SQLite FTS table is kept in step by ``index_on_save``/``index_on_delete`` (connected in
``ProposalsConfig.ready``), not by triggers: Django's SQLite schema editor remakes ``proposals_proposal`` on
ALTER and would drop them. Rows written around the ORM (``bulk_create``, ``QuerySet.update`` of the
title or content) must be followed by ``rebuild_index()``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from search.text_index import TextIndex, fts5_query, tsquery

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

_SPLIT = re.compile(r"[\s\u3000,.;:!?，。；：！？、“”‘’（）()《》【】\[\]<>\"'/\\|-]+")

FTS_TABLE = "search_proposal_fts"  # created by the search app's migration
_SQL_MATCH = "SELECT rowid FROM search_proposal_fts WHERE search_proposal_fts MATCH %s"
_SQL_UPSERT = "INSERT OR REPLACE INTO search_proposal_fts(rowid, search_text) VALUES (%s, %s)"
_SQL_DELETE = "DELETE FROM search_proposal_fts WHERE rowid = %s"
_SQL_CLEAR = "DELETE FROM search_proposal_fts"
_SQL_FILL = (
    "INSERT INTO search_proposal_fts(rowid, search_text) "
    "SELECT id, search_text FROM proposals_proposal WHERE search_text != ''"
)
_SQL_OPTIMIZE = "INSERT INTO search_proposal_fts(search_proposal_fts) VALUES ('optimize')"


def _chunks(text: str) -> list[str]:
    return [c for c in _SPLIT.split((text or "").lower()) if c]


def bigrams(*texts: str) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for chunk in _chunks(text):
            for i in range(len(chunk) - 1):
                seen.setdefault(chunk[i : i + 2], None)
            # The last character alone, as it starts no bigram: with it every character of the text
            # starts at least one token, so a one-character query is a prefix lookup (``Term``).
            seen.setdefault(chunk[-1], None)
    return " ".join(seen)


def proposal_search_text(proposal) -> str:
    return bigrams(proposal.title, proposal.main_content, proposal.number)


# --- Query --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    # Bigrams of two letters/digits, each one index token on both databases; for a term of one
    # letter or digit, that character, looked up as a prefix (any token starting with it).
    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def exact_by_index(self) -> bool:
        """True when the index alone answers the term: it is one bigram, or one character."""
        return len(self.tokens) == 1 and self.tokens[0] == self.text.lower()


def _word_char(char: str) -> bool:
    """A letter or digit that both tokenizers keep inside a token.

    Not the "other numbers" (² ½ ① ⑴ ㈠ …): ``str.isalnum`` says yes to them, but PostgreSQL's
    parser takes them for spaces, so "m²" would be looked up as "m" and "①" as nothing at all.
    Terms with such characters are matched by ``icontains`` instead.
    """
    return char.isalnum() and unicodedata.category(char) != "No"


def _term_tokens(term: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for chunk in _chunks(term):
        for i in range(len(chunk) - 1):
            if _word_char(chunk[i]) and _word_char(chunk[i + 1]):
                seen.setdefault(chunk[i : i + 2], None)
    return tuple(seen)


def _parse_term(text: str) -> Term:
    tokens = _term_tokens(text)
    if tokens:
        return Term(text=text, tokens=tokens)
    # One letter or digit, or several with punctuation between ("5%", "a.b"): each character
    # starts some token of every text that holds it (``bigrams``), so a prefix lookup of each
    # narrows to a superset, which the ``icontains`` re-check makes exact.
    chars = tuple(dict.fromkeys(c for c in text.lower() if _word_char(c)))
    return Term(text=text, tokens=chars, prefix=bool(chars))


# A query is cut to its first MAX_QUERY_CHARS characters and MAX_TERMS terms (issue 18, finding 5:
# 1,000 terms made SQLite refuse the query, 400 took seconds). Cutting only drops conditions, so
# the answer is a superset of the whole query's. A pasted title is found by its first 100
# characters; a real search has a few words.
MAX_QUERY_CHARS = 100
MAX_TERMS = 10


def parse_query(query: str) -> list[Term]:
    """The terms to look up: whitespace-separated, each once, none without a letter or digit.

    A term of punctuation only ("。", ".+") says nothing about a proposal and could only be
    answered by scanning every text: it is ignored.
    """
    terms: dict[str, Term] = {}
    for text in (query or "")[:MAX_QUERY_CHARS].split():
        if text.lower() in terms or not any(c.isalnum() for c in text):
            continue
        terms[text.lower()] = _parse_term(text)
        if len(terms) == MAX_TERMS:
            break
    return list(terms.values())


def _contains(term: str) -> Q:
    return Q(title__icontains=term) | Q(main_content__icontains=term) | Q(number__icontains=term)


PG_VECTOR_COLUMN = "search_vector"  # stored to_tsvector('simple', search_text), GIN-indexed (search 0002)


class _TsMatch(Func):
    """``search_vector @@ to_tsquery('simple', $$'援疆' & '水':*$$)`` on PostgreSQL.

    ``search_vector`` is a generated column the models do not know (see the ``search`` app's
    migration 0002). It is reached through the ``search_text`` column's compiled name, so it keeps
    whatever alias the surrounding query gives the table.
    """

    arity = 2
    output_field = BooleanField()

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        quoted_text = connection.ops.quote_name("search_text")
        if not column_sql.endswith(quoted_text):
            raise ValueError(f"expected the search_text column, got {column_sql}")
        vector_sql = column_sql[: -len(quoted_text)] + connection.ops.quote_name(PG_VECTOR_COLUMN)
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        return f"{vector_sql} @@ to_tsquery('simple'::regconfig, {query_sql})", (*column_params, *query_params)


def _index_filter(vendor: str, tokens: Iterable[tuple[str, bool]]):
    """All of ``tokens`` — (token, prefix) pairs — in a proposal's index entry.

    Tokens are letters and digits only (``Term``), so quoting each as an FTS5 string or a tsquery
    lexeme needs no escaping; the whole query is still passed as a parameter.
    """
    tokens = list(tokens)
    if vendor == "sqlite":
        return Q(pk__in=RawSQL(_SQL_MATCH, [fts5_query(tokens)]))  # noqa: S611 - fixed SQL; the match text is a parameter
    if vendor == "postgresql":
        return _TsMatch(F("search_text"), Value(tsquery(tokens)))
    return None


# Texts of other apps that the staff search looks in too (issue 20: reply letters, consultation
# records). Each source is ``source(user, term)`` -> a ``values_list(flat=True)`` of the ids of the
# proposals with such a text, visible to ``user``, that contains ``term`` (a ``Term``): the owner of
# the text filters its rows by its own visibility selector and looks the term up in the bigram index
# of its texts with ``filter_by_text_index``. The app that owns the text registers its source in
# ``AppConfig.ready`` and keeps its index (``search.text_index``): proposals imports none of them.
RelatedTextSource = Callable[[Any, Term], QuerySet]
# Beyond this many proposals of one source, a term is matched by the subquery itself (no long list
# of parameters; a term that common narrows little anyway).
MAX_RELATED_IDS = 2000
RELATED_TEXT_SOURCES: list[RelatedTextSource] = []


def register_related_text(source: RelatedTextSource) -> None:
    if source not in RELATED_TEXT_SOURCES:
        RELATED_TEXT_SOURCES.append(source)


def filter_by_text_index(
    qs: QuerySet, index: TextIndex, term: Term, contains: Q, committees: Iterable[int] | None = None
) -> QuerySet:
    """The rows of ``qs`` whose text contains ``term``, looked up in ``index`` (ids = ``qs``'s pks)
    among the rows of ``committees`` (all when None; ``roles.readable_committees`` of the user whose
    visible rows ``qs`` holds, so the scope only narrows what ``qs`` allows anyway).

    As for the proposal's own text: the term's tokens are looked up in the index, and ``contains``
    (the ``icontains`` of the indexed fields) re-checks the candidates unless the index alone is
    exact; a term with no token is matched by ``contains`` alone.
    """
    tokens = [(tok, term.prefix) for tok in term.tokens]
    matching = index.matching(connections[qs.db].vendor, tokens, committees) if tokens else None
    if matching is None:
        return qs.filter(contains)
    candidates = qs.model._base_manager.using(qs.db).filter(pk__in=matching)
    if not term.exact_by_index:
        candidates = candidates.filter(contains)
    # The visible rows as a subquery of their own, not joined beside the candidates: SQLite then
    # walked every (visible assignment, candidate id) pair (100,000 proposals, records holding 发展:
    # 136 ms instead of 7 ms).
    return candidates.filter(pk__in=qs.values("pk"))


def _searches_related_text(user: Any) -> bool:
    from .roles import is_staff

    return user is not None and is_staff(user) and bool(RELATED_TEXT_SOURCES)


def _term_condition(vendor: str, term: Term, user: Any, related_ids: dict | None = None) -> Q:
    """One term for the staff search: in the proposal's own text (its index, re-checked like
    ``search_proposals``) or in one of the related texts."""
    index_filter = _index_filter(vendor, [(tok, term.prefix) for tok in term.tokens]) if term.tokens else None
    own = Q(index_filter) if index_filter is not None else Q()
    if index_filter is None or not term.exact_by_index:
        own &= _contains(term.text)
    condition = own
    for source in RELATED_TEXT_SOURCES:
        related = source(user, term).order_by().distinct()
        # Read first, then passed as a list: inside the list's query SQLite evaluated the subquery
        # beside every row it walked (100,000 proposals: 177 ms a page instead of 10 ms for the ids).
        # ``related_ids`` keeps them for the same search's count (``ProposalFilter.count_qs``).
        key = (source, term.text)
        if related_ids is None or key not in related_ids:
            ids = list(related[: MAX_RELATED_IDS + 1])
            if related_ids is not None:
                related_ids[key] = ids
        else:
            ids = related_ids[key]
        condition |= Q(pk__in=related if len(ids) > MAX_RELATED_IDS else ids)
    return condition


def search_proposals(qs: QuerySet, query: str, *, user: Any = None, related_ids: dict | None = None) -> QuerySet:
    """The proposals of ``qs`` whose title, main content or number contains every term of ``query``
    — for staff (``user``) also those whose reply letters or consultation records contain it
    (``RELATED_TEXT_SOURCES``; ``related_ids``: a dict that keeps what they found, for a second
    query of the same search).

    Case-insensitive (for Latin letters); terms are separated by whitespace and ANDed. Returns a
    QuerySet, so it composes with the visibility filter ``qs`` already carries and with paging.
    """
    terms = parse_query(query)
    if not terms:
        return qs
    vendor = connections[qs.db].vendor
    if _searches_related_text(user):
        for term in terms:
            qs = qs.filter(_term_condition(vendor, term, user, related_ids))
        return qs
    tokens = [(tok, term.prefix) for term in terms for tok in term.tokens]
    index_filter = _index_filter(vendor, dict.fromkeys(tokens)) if tokens else None
    if index_filter is not None:
        qs = qs.filter(index_filter)
    recheck = Q()
    for term in terms:
        if index_filter is None or not term.exact_by_index:
            recheck &= _contains(term.text)
    return qs.filter(recheck) if recheck else qs


# --- Index upkeep (SQLite; PostgreSQL's GIN index is maintained by the database) -----------------

_INDEXED_FIELDS = {"title", "main_content", "number", "search_text"}


def index_on_save(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    if update_fields is not None and not (_INDEXED_FIELDS & set(update_fields)):
        return
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        # FTS5 honours OR REPLACE on the rowid: one statement whether the row is new or not.
        cursor.execute(_SQL_UPSERT, [instance.pk, instance.search_text])


def index_on_delete(sender, instance, using="default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(_SQL_DELETE, [instance.pk])


def rebuild_index(using: str = "default") -> None:
    """Re-make the whole index from ``proposals_proposal.search_text`` (after bulk writes)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(_SQL_CLEAR)
            cursor.execute(_SQL_FILL)
            cursor.execute(_SQL_OPTIMIZE)
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE proposals_proposal")
