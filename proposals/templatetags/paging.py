"""The pager's numbers and the hidden fields of its "跳至第 N 页" form (templates/_pager.html)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django import template
from django.core.paginator import Page
from django.utils.html import format_html

from ..paging import page_numbers

register = template.Library()


@register.simple_tag
def pager_numbers(page: Page) -> list[int | None]:
    return page_numbers(page)


@register.simple_tag
def query_fields(query: str) -> list[tuple[str, str]]:
    """The list's query (without ``page``) as (name, value) pairs, to carry in a GET form."""
    return [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=True) if k != "page"]


@register.simple_tag
def jump_box(page: Page) -> str:
    """The page-number box of the jump form, to sit inside its translated sentence (跳至第 N 页)."""
    return format_html(
        '<input class="form-control form-control-sm d-inline-block w-auto" type="number" id="pager-jump" '
        'name="page" min="1" max="{}" value="{}">',
        page.paginator.num_pages,
        page.number,
    )
