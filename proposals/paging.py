"""Paging a long, sorted list in two steps.

``Paginator`` slices the list's QuerySet, so the page query carries every join and column the rows
need; a database then has to join and read whole rows before it can sort and cut the page (at
100,000 proposals on PostgreSQL: about 26 ms for the first page of the proposal list, most of it
joining the members and categories of ~6,000 rows that are thrown away). ``IdsFirstPaginator``
asks for the page's primary keys only — the same filters and order, no joins the order does not
need, so an index answers it (~5 ms) — and then reads those rows by primary key with ``rows(ids)``,
which adds the joins and prefetches. One more query per page, and the same number at any size.

``rows`` must not narrow the set: visibility and filters are decided by the first query.
``count``, when given, counts the rows instead of ``COUNT(*)`` of the list: the same number, found
a cheaper way (``ProposalFilter.count``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class IdsFirstPaginator(Paginator):
    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        rows: Callable[[Sequence], Iterable],
        count: Callable[[], int] | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.count_rows = count

    @cached_property
    def count(self) -> int:
        return super().count if self.count_rows is None else self.count_rows()

    def _get_page(self, object_list, number, paginator) -> Page:
        # ``object_list`` is the page's slice of the QuerySet: turn it into a query for the keys alone.
        ids = list(object_list.prefetch_related(None).select_related(None).values_list("pk", flat=True))
        by_pk = {row.pk: row for row in self.rows(ids)} if ids else {}
        rows = [by_pk[pk] for pk in ids if pk in by_pk]
        return super()._get_page(rows, number, paginator)  # type: ignore[misc]  # Paginator._get_page: private, not in the stubs


def page_numbers(page: Page, *, around: int = 2) -> list[int | None]:
    """The numbers a pager links to: the first and last page, and ``around`` pages on each side of
    the current one; None where pages are left out (shown as "…")."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    numbers: list[int | None] = []
    previous = 0
    for n in sorted(n for n in wanted if 1 <= n <= last):
        if n > previous + 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers
