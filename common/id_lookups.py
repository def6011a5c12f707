"""An id beyond what the database's integer columns hold matches no row.

Ids come from users in many shapes: ``<int:pk>`` in URLs, ``?meeting=`` on the public list, the
``ModelChoiceField``/``ModelMultipleChoiceField`` of every form, the filters of every list. Django
(5.0 on) already answers "no row" for ``IntegerField`` exact and comparison lookups whose value is
out of the column's range, but not for ``__in`` (``pk__in`` is how ``ModelMultipleChoiceField``
checks its choices) nor for any lookup through a foreign key (``meeting_id=…``): there the value
reaches the driver, which raises ``OverflowError`` on SQLite and ``DataError`` on PostgreSQL, an
HTTP 500 (issue 18, finding 8).

``register()`` replaces those lookups with ones that drop the out-of-range values first, the same
answer Django gives for ``exact``. Fixing it once in the ORM covers every form, filter and view,
including those written later; a form then says "选择一个有效的选项" as for any missing id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Field, Lookup
    from django.db.models.sql.compiler import SQLCompiler


def column_range(field: Field, connection: BaseDatabaseWrapper) -> tuple[int | None, int | None]:
    """The smallest and largest value of ``field``'s column; a foreign key's is its target's."""
    while field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field  # type: ignore[attr-defined]  # checked on the line above
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not an integer column (a text primary key): any value may be stored
        return None, None


def _fits(value: Any, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return True
    return (low is None or value >= low) and (high is None or value <= high)


def _drop_unstorable(lookup: Lookup, connection: BaseDatabaseWrapper) -> None:
    """``__in``: leave out the values the column cannot hold (none left: no row, as ``In`` says)."""
    if lookup.rhs_is_direct_value():
        low, high = column_range(lookup.lhs.output_field, connection)
        lookup.rhs = [v for v in lookup.rhs if _fits(v, low, high)]


class IntegerIn(In):
    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        _drop_unstorable(self, connection)
        return super().process_rhs(compiler, connection)


class ForeignKeyIn(RelatedIn):
    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        _drop_unstorable(self, connection)
        return super().process_rhs(compiler, connection)


class ForeignKeyExact(RelatedExact):
    """A value the column cannot hold matches no row (what ``IntegerFieldExact`` answers)."""

    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        low, high = column_range(self.lhs.output_field, connection)
        if not _fits(self.rhs, low, high):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register() -> None:
    """Install the lookups on every integer field and foreign key (called once, at start-up)."""
    IntegerField.register_lookup(IntegerIn)
    ForeignKey.register_lookup(ForeignKeyIn)
    ForeignKey.register_lookup(ForeignKeyExact)
