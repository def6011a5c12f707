"""Long forms shown again with errors list them at the top: one link per error to the field's input."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from proposals.models import ProposalStatus
from tests.factories import draft_reply, make_proposal, schedule

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """The ids on the page, and the summary's role, heading and links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.summary_attrs: dict[str, str | None] | None = None
        self.links: list[str] = []
        self.items = 0
        self._depth = 0  # inside the summary's <div>

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "div" and a.get("id") == "error-summary":
            self.summary_attrs = a
            self._depth = 1
            return
        if self._depth:
            if tag == "div":
                self._depth += 1
            if tag == "li":
                self.items += 1
            if tag == "a":
                self.links.append(a["href"] or "")

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1


def summary_of(response, status: int = 200) -> Page:
    assert response.status_code == status
    page = Page()
    html = response.content.decode()
    page.feed(html)
    assert page.summary_attrs is not None, "no error summary"
    assert page.summary_attrs.get("role") == "alert"
    match = re.search(r"请修正以下 (\d+) 处错误：", html)
    assert match and int(match.group(1)) == page.items
    for href in page.links:
        assert href.startswith("#") and href[1:] in page.ids, href  # each link reaches an input
    return page


def field_errors(form) -> int:
    return sum(len(errors) for name, errors in form.errors.items() if name != "__all__")


def test_filing_form_lists_each_error_with_a_link(world, login):
    client = login(world.staff)
    response = client.post(reverse("proposals:create"), {"meeting": world.meeting.pk, "proposer_kind": "joint"})
    page = summary_of(response)
    form = response.context["form"]
    assert len(page.links) == field_errors(form) >= 3
    assert "#id_title" in page.links and "#id_main_content" in page.links
    # the field keeps its own message, described by aria-describedby
    assert re.search(
        r'id="id_title"[^>]*aria-describedby="[^"]*id_title_error', response.content.decode()
    ) or re.search(r'aria-describedby="[^"]*id_title_error[^"]*"[^>]*id="id_title"', response.content.decode())


def test_no_summary_on_a_fresh_form(world, login):
    html = login(world.staff).get(reverse("proposals:create")).content.decode()
    assert 'id="error-summary"' not in html


def test_assignment_form_lists_the_split_rows_errors(world, login):
    proposal = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, status=ProposalStatus.REGISTERED
    )
    data = {"mode": "split", "split-0-agency": world.agency_a.pk, "split-TOTAL_FORMS": "4", "split-INITIAL_FORMS": "0"}
    response = login(world.staff).post(reverse("proposals:assign", args=[proposal.pk]), {**data, "confirm": "1"})
    page = summary_of(response)
    assert "#id_split-0-scope" in page.links


def test_reply_form_lists_each_error_with_a_link(world, login):
    response = login(world.handler_a).post(reverse("replies:create", args=[world.assignment.pk]), {"title": ""})
    page = summary_of(response)
    assert len(page.links) == field_errors(response.context["form"]) >= 2
    assert "#id_title" in page.links


def test_consultation_record_form_lists_each_error_with_a_link(world, login):
    draft_reply(world, body="要点一")
    c = schedule(world)
    client = login(world.handler_a)
    url = reverse("consultations:record", args=[c.pk])
    data = dict(client.get(url).context["form"].initial)
    data.update({"member_name": "", "place": ""})
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    page = summary_of(response, status=400)  # the record page answers a bad form with 400
    assert "#id_member_name" in page.links and len(page.links) == field_errors(response.context["form"]) >= 2
