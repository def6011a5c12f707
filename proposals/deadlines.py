"""Every deadline rule, in one place: calendar months, working days, the due date of an assignment,
the return window, re-handling and "overdue".

Services, selectors, filters, reminders, statistics and the benchmark data all ask these functions;
none computes a deadline itself. Rules that a meeting sets (months, window) are read from it here.

Working days skip weekends; public holidays and make-up working days (调休) are not known yet, and
``is_working_day`` is the one function that will learn them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from .choices import OPEN_ASSIGNMENT_STATES, AssignmentRole

if TYPE_CHECKING:
    from .models import Assignment, Meeting


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


def default_due_date(meeting: Meeting, role: str, start: dt.date) -> dt.date:
    """The 办理时限 of a new assignment made on ``start``: the meeting's months (会办: its shorter term)."""
    months = meeting.cohandler_due_months if role == AssignmentRole.CO else meeting.due_months
    return add_months(start, months)


def rehandle_due_date(meeting: Meeting, start: dt.date) -> dt.date:
    """The new, shorter 办理时限 of an assignment sent back for re-handling (重新办理) on ``start``."""
    return add_months(start, meeting.rehandle_due_months or 1)


def return_deadline(assignment: Assignment) -> dt.date:
    """The last day the agency may return (退回) the assignment: the meeting's window of working days."""
    start = timezone.localdate(assignment.assigned_at)
    return add_working_days(start, assignment.proposal.meeting.return_window_days)


def can_still_return(assignment: Assignment, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) <= return_deadline(assignment)


def is_open(status: str) -> bool:
    """The agency still has to work on an assignment in this state; deadlines apply to it."""
    return status in OPEN_ASSIGNMENT_STATES


def is_overdue(assignment: Assignment, today: dt.date | None = None) -> bool:
    """Open and past its due date. ``Assignment.objects.overdue()`` is the same rule in SQL."""
    return is_open(assignment.status) and assignment.due_date < (today or timezone.localdate())


def days_left(due: dt.date, today: dt.date | None = None) -> int:
    """Days from ``today`` to ``due``: negative once overdue."""
    return (due - (today or timezone.localdate())).days
