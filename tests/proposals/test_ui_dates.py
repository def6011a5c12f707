"""|ui_date shows a date exactly as |date:_("Y年n月j日") does, in either language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

from proposals.templatetags.ui_dates import ui_date

DAYS = [dt.date(2024, 7, 9), dt.date(2026, 12, 31), dt.date(2025, 1, 1)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_text_as_the_date_filter_with_the_translated_format(language):
    template = engines["django"].from_string('{% load i18n %}{{ d|date:_("Y年n月j日") }}')
    with translation.override(language):
        for day in DAYS * 2:  # the second time from the cache
            assert ui_date(day) == template.render({"d": day})
    with translation.override("zh-hans"):
        assert ui_date(dt.date(2024, 7, 9)) == "2024年7月9日"
    with translation.override("en"):
        assert ui_date(dt.date(2024, 7, 9)) == "2024-07-09"


def test_empty_and_wrong_values():
    assert ui_date(None) == ""
    with pytest.raises(TypeError):
        ui_date(timezone.now())  # a datetime needs a time zone decision the cache does not make
