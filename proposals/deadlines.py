"""Every deadline rule, in one place: calendar months, working days, the due date of an assignment,
the return window, re-handling and "overdue".

Services, selectors, filters, reminders, statistics and the benchmark data all ask these functions;
none computes a deadline itself. Rules that a meeting sets (months, window) are read from it here.

Working days follow the official calendar: the days staff entered (``CalendarDay``: holidays and
make-up working days, 调休) win; then the State Council's notices as the ``chinesecalendar`` package
knows them (2004 to its last year); a year that neither knows falls back to Monday–Friday, and the
system check ``proposals.W001`` says so (``manage.py check --database default``; also ``migrate``
on a database that has the table).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import chinese_calendar
from django.apps import apps
from django.utils import timezone

from .choices import OPEN_ASSIGNMENT_STATES, AssignmentRole, CalendarDayKind, DeadlineUnit

if TYPE_CHECKING:
    from .models import Assignment, Meeting


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; 31 January + 1 month is the last day of February."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def _package_is_workday(day: dt.date) -> bool | None:
    """The State Council's calendar as the package knows it; None for a year it does not cover."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package raises for years outside its data
        return None


def package_covers(year: int) -> bool:
    return _package_is_workday(dt.date(year, 1, 1)) is not None


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days from ``start`` to ``end``, with the entered days of that range read once."""

    start: dt.date
    end: dt.date
    entered: dict[dt.date, bool]  # date -> is a working day

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> WorkingCalendar:
        day_model = apps.get_model("proposals", "CalendarDay")
        rows = day_model.objects.filter(date__range=(start, end)).values_list("date", "kind")
        return cls(start, end, {d: kind == CalendarDayKind.WORKDAY for d, kind in rows})

    def is_working_day(self, day: dt.date) -> bool:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside this calendar ({self.start}–{self.end})")
        if day in self.entered:
            return self.entered[day]
        known = _package_is_workday(day)
        return known if known is not None else day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar.between(day, day).is_working_day(day)


def add_working_days(day: dt.date, days: int, *, calendar: WorkingCalendar | None = None) -> dt.date:
    """The date ``days`` working days after ``day`` (``day`` itself does not count). A ``calendar``
    read beforehand (several windows on one page) saves the query while it covers the days."""
    current = day
    remaining = days
    # Read the entered days a stretch at a time: one query for any ordinary window.
    if calendar is None or not calendar.start <= day <= calendar.end:
        calendar = WorkingCalendar.between(day, day + dt.timedelta(days=2 * days + 31))
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current > calendar.end:
            calendar = WorkingCalendar.between(current, current + dt.timedelta(days=2 * remaining + 31))
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def calendar_for_returns(assignments: Sequence[Assignment]) -> WorkingCalendar | None:
    """One calendar covering the return windows of these assignments (one query for a page)."""
    if not assignments:
        return None
    starts = [timezone.localdate(a.assigned_at) for a in assignments]
    widest = max(a.proposal.meeting.return_window_days for a in assignments)
    return WorkingCalendar.between(min(starts), max(starts) + dt.timedelta(days=2 * widest + 31))


def year_is_known(year: int) -> bool:
    """The package covers ``year``, or staff entered its holidays (at least one day of it)."""
    if package_covers(year):
        return True
    day_model = apps.get_model("proposals", "CalendarDay")
    return day_model.objects.filter(date__year=year).exists()


def _add_term(meeting: Meeting, start: dt.date, amount: int) -> dt.date:
    """``start`` plus ``amount`` in the committee's unit: calendar months, or working days."""
    if meeting.committee.deadline_unit == DeadlineUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    return add_months(start, amount)


def default_due_date(meeting: Meeting, role: str, start: dt.date) -> dt.date:
    """The 办理时限 of a new assignment made on ``start``: the meeting's term (会办: its shorter one),
    in months or working days as the committee counts them."""
    amount = meeting.cohandler_due_months if role == AssignmentRole.CO else meeting.due_months
    return _add_term(meeting, start, amount)


def rehandle_due_date(meeting: Meeting, start: dt.date) -> dt.date:
    """The new, shorter 办理时限 of an assignment sent back for re-handling (重新办理) on ``start``."""
    return _add_term(meeting, start, meeting.rehandle_due_months or 1)


def follow_up_due_date(meeting: Meeting, start: dt.date) -> dt.date:
    """When the agency's follow-up report (跟踪办理) on a reply issued (or a report filed) on ``start``
    is due: the meeting's term, in months or working days as the committee counts them."""
    return _add_term(meeting, start, meeting.follow_up_due_months or 1)


def return_deadline(assignment: Assignment, *, calendar: WorkingCalendar | None = None) -> dt.date:
    """The last day the agency may return (退回) the assignment: the meeting's window of working days."""
    start = timezone.localdate(assignment.assigned_at)
    return add_working_days(start, assignment.proposal.meeting.return_window_days, calendar=calendar)


def can_still_return(assignment: Assignment, today: dt.date | None = None, *, deadline: dt.date | None = None) -> bool:
    """Within the return window; ``deadline`` when the caller computed ``return_deadline`` already."""
    return (today or timezone.localdate()) <= (deadline or return_deadline(assignment))


def is_open(status: str) -> bool:
    """The agency still has to work on an assignment in this state; deadlines apply to it."""
    return status in OPEN_ASSIGNMENT_STATES


def is_overdue(assignment: Assignment, today: dt.date | None = None) -> bool:
    """Open and past its due date. ``Assignment.objects.overdue()`` is the same rule in SQL."""
    return is_open(assignment.status) and assignment.due_date < (today or timezone.localdate())


# Staff may urge (催办) an open assignment from this many days before its deadline, and after it.
URGE_WITHIN_DAYS = 7


def can_be_urged(assignment: Assignment, today: dt.date | None = None) -> bool:
    """Open, and due within ``URGE_WITHIN_DAYS`` days or already past due."""
    today = today or timezone.localdate()
    return is_open(assignment.status) and assignment.due_date <= today + dt.timedelta(days=URGE_WITHIN_DAYS)
