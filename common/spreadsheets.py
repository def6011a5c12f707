"""Text written into a spreadsheet stays text.

A cell whose text starts with ``=`` is stored by openpyxl as a formula, and spreadsheet programs
run text starting with ``+``, ``-``, ``@``, a tab or a carriage return as one once the cell is
edited or the sheet is saved as CSV (CWE-1236). Agency and member names, titles and scopes are
typed by users, so every text cell of the exports goes through ``safe_text``, which puts the
apostrophe in front that a user would type to keep such text literal (issue 18, finding 12).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``Worksheet.append``: every text through ``safe_text``, numbers and dates as they are."""
    return [safe_text(str(v)) if isinstance(v, str) else v for v in values]
