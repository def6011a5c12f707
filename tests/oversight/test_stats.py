"""Every statistic on the known data set of ``stats_data`` (see its docstring), counted by hand."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oversight.stats import Ratio, meeting_stats
from proposals.models import Meeting


def test_ratio_of_nothing_is_no_data_not_zero_percent():
    # 0/0 is "no data" on the page (issue 20); its value stays 0 for arithmetic and bar lengths.
    assert Ratio(0, 0).value == 0.0 and not Ratio(0, 0).has_data
    assert str(Ratio(0, 0)) == "—"
    assert str(Ratio(0, 3)) == "0.0%"
    assert str(Ratio(2, 3)) == "66.7%"


def test_proposal_level_figures(stats_data):
    s = meeting_stats(stats_data.meeting, today=stats_data.today)
    # 10 proposals, one a draft: 9 submitted for review; P4–P10 registered (7); P7, P8, P9 replied.
    assert (s.submitted, s.registered, s.not_registered, s.replied_proposals) == (9, 7, 1, 3)
    assert (s.registration_rate.numerator, s.registration_rate.denominator) == (7, 9)
    assert s.registration_rate.percent == 77.8
    assert (s.reply_rate.numerator, s.reply_rate.denominator) == (3, 7)
    assert s.reply_rate.percent == 42.9
    assert dict((v, n) for v, _label, n in s.status_rows) == {
        "submitted": 1,
        "registered": 1,
        "not_registered": 1,
        "assigned": 3,
        "replied": 2,
        "closed": 1,
    }


def test_assignment_level_totals(stats_data):
    t = meeting_stats(stats_data.meeting, today=stats_data.today).totals
    assert t.assigned == 9
    assert t.returned == 1  # a3
    assert t.answering == 7  # a1 a4 a5 a6 a7 a8 a9 (a2 is 会办, a3 returned)
    assert t.replied == 4  # a5 a6 a7 a8 (a9 has only a draft)
    assert t.on_time == 3  # a5 (T-25 ≤ T-20), a7 (first reply T-40 ≤ T-30), a8 (T-61 ≤ T-60); a6 late
    assert t.late_unreplied == 1  # a1
    assert t.overdue == 1  # a1; a2 is overdue too but a co-handler's view, not an answer
    assert (t.on_time_rate.numerator, t.on_time_rate.denominator) == (3, 5)
    assert t.on_time_rate.percent == 60.0
    assert t.consulted_before_reply == 2  # a5 (held T-27, reply T-25) and a8 (signed T-65); a6 held after


def test_class_shares_count_the_reply_in_force(stats_data):
    t = meeting_stats(stats_data.meeting, today=stats_data.today).totals
    # a5 A, a6 B, a7 B (its round-2 reply replaces the round-1 C), a8 A
    shares = {c: (r.numerator, r.denominator, r.percent) for c, r in t.class_shares()}
    assert shares == {"A": (2, 4, 50.0), "B": (2, 4, 50.0), "C": (0, 4, 0.0)}


def test_class_d_appears_when_switched_on(stats_data, settings):
    settings.REPLY_CLASS_D_ENABLED = True
    t = meeting_stats(stats_data.meeting, today=stats_data.today).totals
    assert [c for c, _r in t.class_shares()] == ["A", "B", "C", "D"]


def test_satisfaction_uses_the_latest_rated_round(stats_data):
    t = meeting_stats(stats_data.meeting, today=stats_data.today).totals
    # a5 满意, a6 基本满意, a7 满意 (round 2 replaces 不满意), a8 不满意
    assert dict(t.ratings) == {"satisfied": 2, "basic": 1, "unsatisfied": 1}
    assert (t.satisfaction_rate.numerator, t.satisfaction_rate.denominator) == (3, 4)
    assert t.satisfaction_rate.percent == 75.0
    assert (t.satisfied_rate.numerator, t.satisfied_rate.denominator) == (2, 4)
    assert t.satisfied_rate.percent == 50.0


def test_agency_scorecard(stats_data):
    s = meeting_stats(stats_data.meeting, today=stats_data.today)
    rows = {row.agency.pk: row.tally for row in s.agencies}
    a = rows[stats_data.agency_a.pk]
    b = rows[stats_data.agency_b.pk]
    # Agency A: a1 a3 a5 a6 a9
    assert (a.assigned, a.returned, a.answering, a.replied, a.on_time, a.overdue) == (5, 1, 4, 2, 1, 1)
    assert a.consulted_before_reply == 1
    assert dict(a.classes) == {"A": 1, "B": 1}
    assert dict(a.ratings) == {"satisfied": 1, "basic": 1}
    assert (a.on_time_rate.numerator, a.on_time_rate.denominator) == (1, 3)
    assert a.satisfaction_rate.percent == 100.0
    # Agency B: a2 a4 a7 a8
    assert (b.assigned, b.returned, b.answering, b.replied, b.on_time, b.overdue) == (4, 0, 3, 2, 2, 0)
    assert b.consulted_before_reply == 1
    assert dict(b.classes) == {"B": 1, "A": 1}
    assert dict(b.ratings) == {"satisfied": 1, "unsatisfied": 1}
    assert b.on_time_rate.percent == 100.0
    assert b.satisfaction_rate.percent == 50.0
    assert b.satisfied_rate.percent == 50.0


def test_other_meetings_do_not_leak_in(stats_data):
    # The world's TA0001 (meeting 8-3) is assigned to agency A: it must not count in 8-4.
    s = meeting_stats(stats_data.meeting, today=stats_data.today)
    assert s.totals.assigned == 9
    other = meeting_stats(Meeting.objects.get(term=8, session=3), today=stats_data.today)
    assert (other.submitted, other.registered, other.totals.assigned) == (1, 1, 1)


def test_empty_meeting_shows_zeros(db):
    meeting = Meeting.objects.create(term=9, session=1, number_prefix="TC")
    s = meeting_stats(meeting)
    assert s.registration_rate.value == s.reply_rate.value == 0.0
    assert s.totals.on_time_rate.value == s.totals.satisfaction_rate.value == 0.0
    assert all(r.value == 0.0 for _c, r in s.totals.class_shares())
    assert s.agencies == []


def test_empty_meeting_statistics_page_and_export(world, login):
    meeting = Meeting.objects.create(term=9, session=1, number_prefix="TC")
    client = login(world.staff)
    response = client.get(reverse("oversight:statistics", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="reply_rate">—' in html and "0.0%" not in html
    assert "本次会议还没有交办" in html
    response = client.get(reverse("oversight:statistics_xlsx", args=[meeting.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["办复率"]["B5"].value == 0 and wb["办复率"]["C5"].value == 0


def test_statistics_page_shows_figures_formulas_and_svg(stats_data, world, login):
    response = login(world.staff).get(reverse("oversight:statistics", args=[stats_data.meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="registration_rate">77.8%' in html
    assert 'data-figure="reply_rate">42.9%' in html
    assert 'data-figure="on_time_rate">60.0%' in html
    assert 'data-figure="class_A">50.0%' in html
    assert 'data-figure="satisfaction_rate">75.0%' in html
    assert 'data-figure="satisfied_rate">50.0%' in html
    assert html.count("<svg") == 4
    assert "立案率 = 立案数 ÷ 提交审查数" in html  # the definition is on the page
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")


def test_statistics_export_has_each_figure_and_the_scorecard(stats_data, world, login):
    response = login(world.staff).get(reverse("oversight:statistics_xlsx", args=[stats_data.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert {"立案率", "办复率", "按时办复率", "答复类别", "满意率", "状态", "承办单位"} <= set(wb.sheetnames)
    assert [wb["立案率"]["B5"].value, wb["立案率"]["C5"].value] == [7, 9]
    assert wb["立案率"]["D5"].value == "=IF(C5=0,0,B5/C5)"
    assert [wb["按时办复率"]["B5"].value, wb["按时办复率"]["C5"].value] == [3, 5]
    card = wb["承办单位"]
    rows = {r[0]: r for r in card.iter_rows(min_row=5, values_only=True)}
    a = rows[stats_data.agency_a.name]
    assert a[1:8] == (5, 1, 4, 2, 1, 1, 1)
    total = rows["合计"]
    assert total[1:8] == (9, 1, 7, 4, 3, 1, 2)


def test_scorecard_only_export(stats_data, world, login):
    response = login(world.staff).get(
        reverse("oversight:statistics_xlsx", args=[stats_data.meeting.pk]) + "?part=scorecard"
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["承办单位"]


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "proposer", "unrelated_member", "admin"])
def test_statistics_are_404_for_everyone_but_staff(stats_data, world, login, persona):
    client = login(world.personas()[persona])
    assert client.get(reverse("oversight:statistics", args=[stats_data.meeting.pk])).status_code == 404
    assert client.get(reverse("oversight:statistics_xlsx", args=[stats_data.meeting.pk])).status_code == 404


def test_statistics_query_count_does_not_grow_with_the_meeting(stats_data, django_assert_max_num_queries):
    # Six reads of the meeting's rows, one of its committee's reply classes and one of the classes
    # its follow-up reports (跟踪办理) gave, however many rows.
    with django_assert_max_num_queries(8):
        meeting_stats(stats_data.meeting, today=stats_data.today)
