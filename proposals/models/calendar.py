"""The official working-day calendar's entries that staff enter themselves (the State Council's yearly
notice for a year the calendar package does not know yet, or a local correction)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CalendarDayKind


class CalendarDay(models.Model):
    """One day that is a holiday or a make-up working day (调休). Wins over the calendar package."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("例如“国庆节”"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".rstrip()
