"""The agencies' chart of the statistics page (issue 20): ranked by the measure it names, 0/0 as
"no data" and not as 0.0 %, readable on a phone (tests/e2e/test_print_and_phone.py measures it)."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from oversight.charts import percent_bars, percent_text, ranked, ranked_bar_chart
from oversight.stats import Ratio
from proposals.models import Agency, AssignmentRole, ProposalStatus
from tests.factories import make_assignment, make_proposal


def _agency_chart(html: str) -> str:
    start = html.index('id="agency-chart"')
    return html[start : html.index("</figure>", start)]


def _labels(svg: str) -> list[str]:
    return re.findall(r'<text x="0" [^>]*>([^<]*)</text>', svg)


def test_ranked_puts_the_highest_first_and_no_data_last():
    rows = [("乙", Ratio(1, 2)), ("甲", Ratio(0, 0)), ("丙", Ratio(3, 3)), ("丁", Ratio(0, 4)), ("戊", Ratio(2, 4))]
    # Equal ratios: the larger count first.
    assert [label for label, _r in ranked(rows)] == ["丙", "戊", "乙", "丁", "甲"]
    assert percent_text(Ratio(0, 0)) == "—（无数据）"
    assert percent_text(Ratio(0, 4)) == "0.0%（0/4）"


def test_the_chart_draws_no_data_as_an_empty_bar_labelled_as_such():
    svg = ranked_bar_chart(percent_bars([("甲", Ratio(0, 0)), ("乙", Ratio(1, 1))]), title="按时办复率")
    assert "<title>按时办复率</title>" in svg
    assert "—（无数据）" in svg and ">0.0%" not in svg
    assert 'width="0.0"' in svg  # the empty bar


def test_the_page_ranks_the_agencies_by_their_on_time_rate_and_names_it(stats_data, world, login):
    today = stats_data.today
    # 一号测试局 (first by name) co-handles only: nothing to divide by. 丁市测试局 is late: 0 of 1.
    no_data = Agency.objects.create(name="一号测试局")
    late = Agency.objects.create(name="丁市测试局")
    p = make_proposal(meeting=stats_data.meeting, created_by=world.staff, status=ProposalStatus.ASSIGNED, title="迟")
    make_assignment(proposal=p, agency=late, assigned_by=world.staff, due=today - dt.timedelta(days=3))
    make_assignment(proposal=p, agency=no_data, assigned_by=world.staff, role=AssignmentRole.CO)

    html = login(world.staff).get(reverse("oversight:statistics", args=[stats_data.meeting.pk])).content.decode()
    chart = _agency_chart(html)
    # B 2/2 = 100 %, A 1/3 = 33.3 %, 丁 0/1 = 0 %, 一 0/0 = no data — not their order by name.
    assert _labels(chart) == [stats_data.agency_b.name, stats_data.agency_a.name, "丁市测试局", "一号测试局"]
    assert "100.0%（2/2）" in chart and "33.3%（1/3）" in chart and "0.0%（0/1）" in chart
    assert "—（无数据）" in chart
    assert "<strong>按时办复率</strong>" in chart and "从高到低" in chart
    assert "<title>各承办单位按时办复率（从高到低）</title>" in chart
