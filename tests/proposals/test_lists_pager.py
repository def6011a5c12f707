"""The numbered pager with first / last and "跳至第 N 页" (templates/_pager.html, issue 20)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from proposals.models import Proposal
from proposals.paging import page_numbers
from tests.factories import make_proposal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, [1, 2, 3, None, 10]),
        (4, [1, 2, 3, 4, 5, 6, None, 10]),
        (5, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, [1, None, 8, 9, 10]),
    ],
)
def test_page_numbers_first_last_and_two_around(number, expected):
    page = Paginator(list(range(100)), 10).page(number)
    assert page_numbers(page) == expected


def test_page_numbers_of_few_pages_have_no_gap():
    assert page_numbers(Paginator(list(range(30)), 10).page(2)) == [1, 2, 3]


@pytest.fixture
def many(world):
    Proposal.objects.bulk_create(
        Proposal(
            meeting=world.meeting,
            committee_id=world.meeting.committee_id,
            meeting_order=world.meeting.sort_key,
            created_by=world.staff,
            title=f"分页{i:03d}",
            main_content="内容",
            status="submitted",
        )
        for i in range(130)
    )
    return world


def test_list_pager_links_every_way_and_keeps_the_query(many, login):
    response = login(many.staff).get(reverse("proposals:list"), {"meeting": "", "status": "submitted", "page": 2})
    text = response.content.decode()
    page = response.context["page"]
    assert (page.number, page.paginator.num_pages) == (2, 3)
    assert 'page=1">首页</a>' in text and 'page=3">末页</a>' in text
    assert 'aria-current="page"><span class="page-link">2</span>' in text
    assert "meeting=&amp;status=submitted&amp;page=3" in text
    # The jump form carries the query, and the page number is bounded.
    assert '<input type="hidden" name="meeting" value="">' in text
    assert '<input type="hidden" name="status" value="submitted">' in text
    assert 'name="page" min="1" max="3" value="2"' in text
    assert "跳至第 <input" in text


def test_jump_beyond_the_last_page_shows_the_last(many, login):
    response = login(many.staff).get(reverse("proposals:list"), {"page": 99})
    assert response.context["page"].number == 3


def test_other_lists_keep_their_pager(many, login):
    make_proposal(meeting=many.meeting, created_by=many.staff, title="x")
    response = login(many.admin).get(reverse("proposals:mine"), {"page": 2})
    assert response.status_code == 200
    assert "首页" in response.content.decode()


def test_single_page_has_no_pager(world, login):
    assert "跳至第" not in login(world.staff).get(reverse("proposals:list")).content.decode()
