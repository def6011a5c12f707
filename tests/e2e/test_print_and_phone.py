"""Printing and phones in a real browser (issue 20, items 6 and 8).

Printed, a proposal's page and the list keep what is read (the heading, the fields, the table, the
timeline) and lose what is used (navigation, the notification bell, buttons, forms, filters, the
pager). On a 390 px wide phone the statistics page does not overflow sideways: wide tables scroll
inside their own box.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals.models import Agency, AssignmentRole, ProposalStatus
from tests.factories import PASSWORD, make_assignment, make_proposal, make_stats_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTROLS = "button, .btn, input:not([type=hidden]), select, textarea"


def visible(actor, selector: str) -> list[str]:
    """The visible elements matching ``selector``, by their text (for a readable failure)."""
    items = actor.page.locator(selector)
    return [
        items.nth(i).inner_text() or items.nth(i).evaluate("e => e.outerHTML.slice(0, 80)")
        for i in range(items.count())
        if items.nth(i).is_visible()
    ]


def test_a_printed_proposal_page_has_no_button_and_keeps_its_timeline(actor, world):
    staff = actor("staff-print")
    staff.login(world.staff.username, PASSWORD)
    staff.goto(reverse("proposals:detail", args=[world.proposal.pk]))
    # On screen: the 打印 button (shown by print.js) and the page's other controls.
    assert staff.page.get_by_role("button", name="打印").is_visible()
    assert staff.page.locator("#nav-bell").is_visible()
    assert len(visible(staff, CONTROLS)) > 1

    staff.page.emulate_media(media="print")
    staff.shot("proposal-print")
    assert visible(staff, CONTROLS) == []
    assert not staff.page.locator("nav.navbar").is_visible()
    assert not staff.page.locator("#nav-bell").is_visible()
    assert staff.page.locator("h1", has_text="关于加快产业合作的建议").is_visible()
    assert staff.page.locator("ol.timeline").is_visible()
    assert staff.page.locator("ol.timeline li").first.is_visible()

    staff.page.emulate_media(media="screen")
    assert staff.page.get_by_role("button", name="打印").is_visible()


def test_a_printed_list_keeps_the_table_without_filters_or_pager(actor, world):
    for i in range(60):  # more than a page: the pager is there on screen
        make_proposal(meeting=world.meeting, created_by=world.staff, status=ProposalStatus.SUBMITTED, title=f"待审{i}")
    staff = actor("staff-list-print")
    staff.login(world.staff.username, PASSWORD)
    staff.goto(reverse("proposals:list") + f"?meeting={world.meeting.pk}")
    assert staff.page.get_by_role("button", name="打印").is_visible()
    assert staff.page.locator(".pagination").first.is_visible()

    staff.page.emulate_media(media="print")
    staff.shot("list-print")
    assert visible(staff, CONTROLS) == []
    assert not staff.page.locator(".pagination").first.is_visible()
    assert not staff.page.locator("form[role=search]").is_visible()
    table = staff.page.locator("main table").first
    assert table.is_visible() and table.locator("tbody tr").count() >= 50
    # The table fits the paper's width: no part of it is cut off at the right.
    widths = staff.page.evaluate(
        "() => [document.querySelector('main table').scrollWidth, document.querySelector('main').clientWidth]"
    )
    assert widths[0] <= widths[1] + 1, widths


def test_the_statistics_page_fits_a_phone(actor, world):
    data = make_stats_data(world)
    # Many agencies with long names, as a city has (80): the chart is the part that used to collapse.
    p = make_proposal(meeting=data.meeting, created_by=world.staff, status=ProposalStatus.ASSIGNED, title="多单位")
    for i in range(30):
        agency = Agency.objects.create(name=f"晋城市住房和城乡建设局第{i:02d}综合行政执法支队")
        make_assignment(
            proposal=p,
            agency=agency,
            assigned_by=world.staff,
            role=AssignmentRole.CO,
            due=data.today + dt.timedelta(days=10),
        )
    staff = actor("staff-phone", width=390, height=844)
    staff.login(world.staff.username, PASSWORD)
    response = staff.goto(reverse("oversight:statistics", args=[data.meeting.pk]))
    assert response.status == 200
    staff.shot("statistics-390")
    width = staff.page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 390, width
    chart = staff.page.locator("#agency-chart svg")
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Not shrunk to illegibility: the chart is drawn at (nearly) its own width of 360.
    assert box["width"] >= 320, box
    assert "按时办复率" in staff.page.locator("#agency-chart figcaption").inner_text()
    # The scorecard scrolls in its own box; its agency names are not squeezed one character a line.
    name = staff.page.locator("tr[data-agency] th").first.bounding_box()
    assert name is not None and name["height"] < 40, name
    for svg in staff.page.locator("figure svg").all():
        drawn = svg.bounding_box()
        assert drawn is not None and drawn["width"] >= 320, drawn  # every chart at (nearly) its own size
