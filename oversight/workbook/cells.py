"""A column's value as a cell and back: the one conversion the export, the template and the importer
share (``columns.Column`` says which kind each column is)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.spreadsheets import FORMULA_TRIGGERS

from .columns import NO, YES, Column, Kind

NOT_A_DATE = _("“%(value)s”不是日期，请填写如 2024-07-09 的日期。")
NOT_A_DATETIME = _("“%(value)s”不是日期和时间，请填写如 2024-07-09 10:30 的日期和时间。")
NOT_A_NUMBER = _("“%(value)s”不是整数。")
NOT_YES_NO = _("“%(value)s”应为“是”或“否”。")
NOT_A_CHOICE = _("“%(value)s”不是可选的值（%(choices)s）。")

_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_DATETIME_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0"}


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; ``message`` is said to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text_cell(value: str) -> str:
    """Text stays text: an apostrophe before a formula start (``common.spreadsheets``) and before an
    apostrophe of the text itself, so that reading drops exactly one and the text comes back whole."""
    return "'" + value if value.startswith((*FORMULA_TRIGGERS, "'")) else value


def to_cell(column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if column.kind is Kind.BOOL:
        return str(YES) if value else str(NO)
    if column.kind is Kind.CHOICE and column.choices is not None:
        try:
            return str(column.choices(value).label)
        except ValueError:
            return text_cell(str(value))
    if column.kind is Kind.DATETIME:
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if column.kind in (Kind.INT, Kind.DATE):
        return value
    return text_cell(str(value))


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text[1:] if text.startswith("'") else text


def from_cell(column: Column, raw: Any) -> Any:
    """The value of a cell for ``column`` (None or "" when blank); raises ``CellError``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None if column.kind in (Kind.INT, Kind.DATE, Kind.DATETIME) or column.nullable else _blank(column)
    if column.kind is Kind.INT:
        if isinstance(raw, bool):
            raise CellError(str(NOT_A_NUMBER) % {"value": raw})
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = _text(raw)
        if re.fullmatch(r"\d+", text):
            return int(text)
        raise CellError(str(NOT_A_NUMBER) % {"value": text})
    if column.kind is Kind.DATE:
        return _date(raw)
    if column.kind is Kind.DATETIME:
        return _datetime(raw)
    if column.kind is Kind.BOOL:
        text = _text(raw).lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise CellError(str(NOT_YES_NO) % {"value": _text(raw)})
    text = _text(raw)
    if column.kind is Kind.CHOICE and column.choices is not None:
        for code, label in column.choices.choices:
            if text in (str(label), code):
                return code
        choices = "、".join(str(label) for label in column.choices.labels)
        raise CellError(str(NOT_A_CHOICE) % {"value": text, "choices": choices})
    return text


def _blank(column: Column) -> Any:
    if column.kind is Kind.BOOL:
        return None  # the model's default
    if column.kind is Kind.CHOICE:
        return None
    return ""


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise CellError(str(NOT_A_DATE) % {"value": raw.isoformat(sep=" ")})
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    match = _DATE_RE.match(text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(str(NOT_A_DATE) % {"value": text})


def _datetime(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        # Excel keeps times as fractions of a day: round to the second the export wrote.
        value = (raw + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time(0, 0))
    else:
        text = _text(raw)
        match = _DATETIME_RE.match(text)
        try:
            if match:
                year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
                value = dt.datetime(year, month, day, hour, minute, second)
            else:
                value = dt.datetime.combine(_date(text), dt.time(0, 0))
        except (ValueError, CellError):
            raise CellError(str(NOT_A_DATETIME) % {"value": text}) from None
    return timezone.make_aware(value)
