"""Working days follow the official calendar: entered days, then the State Council's notices, then weekends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import checks, deadlines
from proposals.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db

# A year the calendar package does not cover (it raises for it); the admin's table covers it.
FAR = 2031


def test_national_day_week_is_skipped():
    assert deadlines.add_working_days(dt.date(2024, 9, 30), 1) == dt.date(2024, 10, 8)


def test_a_saturday_make_up_day_is_a_working_day():
    assert dt.date(2024, 10, 12).weekday() == 5
    assert deadlines.add_working_days(dt.date(2024, 10, 11), 1) == dt.date(2024, 10, 12)


def test_ordinary_weeks_skip_the_weekend():
    assert deadlines.add_working_days(dt.date(2024, 7, 5), 1) == dt.date(2024, 7, 8)
    assert deadlines.add_working_days(dt.date(2024, 7, 8), 5) == dt.date(2024, 7, 15)


def test_an_entered_day_wins_over_the_package():
    CalendarDay.objects.create(date=dt.date(2024, 10, 8), kind=CalendarDayKind.HOLIDAY, name="本地调整")
    CalendarDay.objects.create(date=dt.date(2024, 10, 5), kind=CalendarDayKind.WORKDAY)
    assert deadlines.add_working_days(dt.date(2024, 9, 30), 1) == dt.date(2024, 10, 5)
    assert deadlines.add_working_days(dt.date(2024, 10, 5), 1) == dt.date(2024, 10, 9)


def test_a_year_beyond_the_package_uses_the_entered_days_or_else_weekends():
    assert not deadlines.package_covers(FAR)
    # 2031-01-01 is a Wednesday: with nothing entered it counts as a working day (weekend fallback).
    assert deadlines.add_working_days(dt.date(2030, 12, 31), 1) == dt.date(2031, 1, 1)
    assert not deadlines.year_is_known(FAR)
    CalendarDay.objects.create(date=dt.date(FAR, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=dt.date(FAR, 1, 4), kind=CalendarDayKind.WORKDAY, name="元旦调休")
    assert deadlines.year_is_known(FAR)
    assert deadlines.add_working_days(dt.date(2030, 12, 31), 1) == dt.date(FAR, 1, 2)
    assert deadlines.add_working_days(dt.date(FAR, 1, 3), 1) == dt.date(FAR, 1, 4)  # a Saturday worked


def test_a_window_reads_the_entered_days_once():
    with CaptureQueriesContext(connection) as queries:
        deadlines.add_working_days(dt.date(2024, 9, 25), 7)
    assert len(queries) == 1


def test_a_long_stretch_of_holidays_is_read_past_the_first_stretch():
    # The first read covers 2 × days + 31 calendar days; three months of entered holidays lie far
    # beyond it for one working day, so the answer is right only if the calendar reads on.
    first = dt.date(FAR, 1, 1)
    CalendarDay.objects.bulk_create(
        CalendarDay(date=first + dt.timedelta(days=i), kind=CalendarDayKind.HOLIDAY) for i in range(90)
    )
    assert deadlines.add_working_days(dt.date(FAR - 1, 12, 31), 1) == dt.date(FAR, 4, 1)


def test_the_check_warns_for_an_unknown_year_and_stops_once_it_is_entered(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(FAR, 3, 1))
    warnings = checks.check_working_day_calendar(databases=["default"])
    assert [w.id for w in warnings] == [checks.W001_CALENDAR_YEAR_UNKNOWN]
    assert str(FAR) in warnings[0].msg
    CalendarDay.objects.create(date=dt.date(FAR, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    assert checks.check_working_day_calendar(databases=["default"]) == []


def test_in_december_the_check_looks_at_next_year_too(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(FAR - 1, 12, 5))
    years = [w.msg[:4] for w in checks.check_working_day_calendar(databases=["default"])]
    assert years == [str(FAR - 1), str(FAR)]


def test_the_check_needs_a_database_and_never_crashes_without_one():
    assert checks.check_working_day_calendar(databases=None) == []
    call_command("check")  # the plain check (no database) runs it as a no-op
