"""Date arithmetic for deadlines: calendar months (day clamped) and working days (weekends skipped).

Public holidays are not known to the system; a deployment that needs them can extend
``is_working_day``.
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; 31 January + 1 month is the last day of February."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
