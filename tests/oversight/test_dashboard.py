"""The staff dashboard of a meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from oversight.selectors import dashboard
from proposals.models import AssignmentStatus, Meeting


@pytest.fixture
def extended(stats_data):
    a4 = stats_data.assignments["a4"]  # pending, due T+3: extended to T+5
    a4.due_date = a4.original_due_date + dt.timedelta(days=2)
    a4.save(update_fields=["due_date"])
    return stats_data


def test_dashboard_figures(extended):
    d = dashboard(extended.meeting, today=extended.today)
    assert d.status_counts == {
        "submitted": 1,
        "not_registered": 1,
        "registered": 1,
        "assigned": 3,
        "replied": 2,
        "closed": 1,
    }  # the draft is its author's and not counted
    assert d.total == 9
    # Open assignments due today..T+6: a4 (T+5 after its extension). a9 is due T+30.
    assert [a.pk for a in d.due_this_week] == [extended.assignments["a4"].pk]
    # Open and past due: a2 (T-10, 会办) and a1 (T-5).
    assert [a.pk for a in d.overdue] == [extended.assignments["a2"].pk, extended.assignments["a1"].pk]
    assert [a.pk for a in d.extended] == [extended.assignments["a4"].pk]
    assert [p.number for p in d.key_proposals] == ["TB0010"]
    assert d.returned_waiting == 1  # a3


def test_dashboard_page_links_into_the_filtered_list(extended, world, login):
    response = login(world.staff).get(reverse("oversight:dashboard"), {"meeting": extended.meeting.pk})
    assert response.status_code == 200
    html = response.content.decode()
    m = extended.meeting.pk
    list_url = reverse("proposals:list")
    assert f"{list_url}?meeting={m}&amp;status=assigned" in html
    assert f"{list_url}?meeting={m}&amp;overdue=true" in html
    assert f"{list_url}?meeting={m}&amp;is_key=true" in html
    today = extended.today
    assert f"due_after={today:%Y-%m-%d}&amp;due_before={today + dt.timedelta(days=6):%Y-%m-%d}" in html
    assert "统计测试提案P10" in html  # the key proposal and its progress
    assert "table-overdue" in html


def test_the_filter_links_work_on_the_proposal_list(extended, world, login):
    client = login(world.staff)
    url = reverse("proposals:list")
    response = client.get(url, {"meeting": extended.meeting.pk, "overdue": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计测试提案P5" in html and "统计测试提案P7" not in html
    html = client.get(url, {"meeting": extended.meeting.pk, "is_key": "true"}).content.decode()
    assert "统计测试提案P10" in html and "统计测试提案P5" not in html


def test_dashboard_defaults_to_the_current_meeting(extended, world, login):
    Meeting.objects.filter(pk=extended.meeting.pk).update(is_current=True)
    html = login(world.staff).get(reverse("oversight:dashboard")).content.decode()
    assert "八届四次会议" in html.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_dashboard_of_an_empty_meeting(world, login):
    meeting = Meeting.objects.create(term=9, session=1, number_prefix="TC")
    response = login(world.staff).get(reverse("oversight:dashboard"), {"meeting": meeting.pk})
    assert response.status_code == 200
    assert "本次会议没有重点提案" in response.content.decode()


def test_unknown_meeting_is_404(world, login):
    assert login(world.staff).get(reverse("oversight:dashboard"), {"meeting": "99999"}).status_code == 404
    assert login(world.staff).get(reverse("oversight:dashboard"), {"meeting": "abc"}).status_code == 404


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "handler_b", "proposer", "unrelated_member", "admin"])
def test_dashboard_is_404_for_non_staff(world, login, persona):
    assert login(world.personas()[persona]).get(reverse("oversight:dashboard")).status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_nav_has_the_dashboard_link(world, login):
    html = login(world.staff).get(reverse("proposals:list")).content.decode()
    assert reverse("oversight:dashboard") in html
    html = login(world.handler_a).get(reverse("proposals:inbox")).content.decode()
    assert reverse("oversight:dashboard") not in html


def test_dashboard_query_count_is_fixed(extended, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        d = dashboard(extended.meeting, today=extended.today)
        [a.agency.name for p in d.key_proposals for a in p.assignments.all()]
        [a.proposal.title for a in d.overdue]


def test_returned_assignment_that_was_reassigned_is_not_waiting(extended):
    a3 = extended.assignments["a3"]
    a4 = extended.assignments["a4"]
    a3.replaced_by = a4
    a3.save(update_fields=["replaced_by"])
    assert a3.status == AssignmentStatus.RETURNED
    assert dashboard(extended.meeting, today=extended.today).returned_waiting == 0
