"""``{{ value|ui_date }}``: a date as ``{{ value|date:_("Y年n月j日") }}`` shows it, remembered per day.

Django's ``date`` filter parses and applies the format for every value; the list and the inbox show
one due date per assignment (about a hundred a page, most of them the same few days), and the
formatting was a tenth of the page's template time. The result depends only on the day and the
language, so it is kept in a small per-process cache.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django import template
from django.utils import dateformat
from django.utils.translation import get_language, gettext

register = template.Library()


@lru_cache(maxsize=4096)
def _format(day: dt.date, language: str) -> str:
    return dateformat.format(day, gettext("Y年n月j日"))  # the active language is ``language``


@register.filter
def ui_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"ui_date takes a date, not {type(value).__name__}")
    return _format(value, get_language())
