"""The staff search also finds a proposal by its reply letters and consultation records (issue 20)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import draft_reply, make_proposal, record, schedule, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(world):
    """The world's proposal with a reply draft and a consultation record holding words of their own."""
    draft_reply(world, body="经研究，拟在城东新建物流枢纽，明年开工。")
    consultation = record(world, schedule(world), reply_points="答复要点：冷链仓储纳入规划")
    sign(world, consultation, opinion_text="希望加快冷链建设")
    make_proposal(meeting=world.meeting, created_by=world.staff, title="无关的提案", main_content="别的内容")
    return world


def _titles(client, q: str) -> list[str]:
    response = client.get(reverse("proposals:list"), {"q": q})
    page = response.context["page"]
    assert page.paginator.count == len(page.object_list)
    return [p.title for p in page.object_list]


@pytest.mark.parametrize("q", ["物流枢纽", "冷链仓储", "加快冷链", "枢"])
def test_staff_find_a_proposal_by_its_reply_or_record(texts, login, q):
    assert _titles(login(texts.staff), q) == [texts.proposal.title]


def test_terms_may_be_found_in_different_texts(texts, login):
    # "产业合作" is in the title, "物流枢纽" only in the reply: both terms must match, each anywhere.
    client = login(texts.staff)
    assert _titles(client, "产业合作 物流枢纽") == [texts.proposal.title]
    assert _titles(client, "无关 物流枢纽") == []


def test_own_text_is_still_found(texts, login):
    assert _titles(login(texts.staff), "无关") == ["无关的提案"]


@pytest.mark.parametrize("who", ["handler_a", "member_user"])
def test_others_search_only_the_proposal_text(texts, login, who):
    # Agency users and members search the proposal's own text, as before.
    assert _titles(login(getattr(texts, who)), "物流枢纽") == []
    assert _titles(login(getattr(texts, who)), "产业合作") == [texts.proposal.title]
