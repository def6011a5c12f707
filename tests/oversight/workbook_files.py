"""Workbooks made by the tests: the template's headers and explanations with the rows given."""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation
from openpyxl import Workbook

from oversight.workbook import columns as c
from oversight.workbook.cells import to_cell


def workbook_bytes(sheets: dict[c.Sheet, list[dict[str, Any]]], *, edit=None) -> bytes:
    """``sheets``: the rows of each sheet by field name. ``edit(wb)`` may spoil the workbook before
    it is saved (a renamed header, merged cells, a formula)."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    with translation.override("zh-hans"):
        for sheet, rows in sheets.items():
            ws = wb.create_sheet(str(sheet.title))
            ws.append([str(col.header) for col in sheet.columns])
            ws.append([col.help_text() for col in sheet.columns])
            for row in rows:
                ws.append([_cell(col, row[col.field]) if col.field in row else None for col in sheet.columns])
    if edit is not None:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(col: c.Column, value: Any) -> Any:
    # A date or number typed as text (a bad one, for the checks) is written as the text it is.
    if isinstance(value, str) and col.kind in (c.Kind.DATE, c.Kind.DATETIME, c.Kind.INT, c.Kind.BOOL):
        return value
    return to_cell(col, value)


def header_column(sheet: c.Sheet, field: str) -> int:
    """The 1-based column of a field in the sheets made here."""
    return [col.field for col in sheet.columns].index(field) + 1
