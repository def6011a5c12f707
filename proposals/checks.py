"""System checks of the registry's data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from . import deadlines

W001_CALENDAR_YEAR_UNKNOWN = "proposals.W001"


@register(Tags.database)
def check_working_day_calendar(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[Warning]:
    """Warn when this year, or in December next year, has no official calendar: working days then
    fall back to Monday–Friday and miss the holidays and make-up working days (调休)."""
    if not databases:
        return []
    today = timezone.localdate()
    years = [today.year, today.year + 1] if today.month == 12 else [today.year]
    try:
        missing = [year for year in years if not deadlines.year_is_known(year)]
    except DatabaseError:  # not migrated yet: the next check (or migrate) on the migrated database warns
        return []
    return [
        Warning(
            f"{year} 年的节假日和调休安排未知：工作日暂按周一至周五计算。",
            hint="请在管理后台“节假日与调休”中录入国务院办公厅公布的当年放假安排（放假日和调休上班日），"
            "或升级 chinesecalendar 软件包。",
            id=W001_CALENDAR_YEAR_UNKNOWN,
        )
        for year in missing
    ]
