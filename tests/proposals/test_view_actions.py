"""proposals.view_actions.run_action: the one way a POST-only view runs a state change."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage

from proposals.errors import DomainError
from proposals.view_actions import run_action


@pytest.fixture
def request_(rf):
    request = rf.post("/x/")
    request._messages = CookieStorage(request)
    return request


def _messages(request) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in request._messages]


def test_success_shows_the_message_and_goes_back(request_):
    response = run_action(request_, lambda: "done", success="好了。", redirect_to="/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert _messages(request_) == [(messages.SUCCESS, "好了。")]


def test_success_message_and_page_may_depend_on_the_outcome(request_):
    response = run_action(
        request_,
        lambda: 7,
        success=lambda n: f"编号 {n}。",
        redirect_to="/back/",
        success_redirect_to="/elsewhere/",
    )
    assert response["Location"] == "/elsewhere/"
    assert _messages(request_) == [(messages.SUCCESS, "编号 7。")]


def test_refused_move_shows_its_message_and_stays(request_):
    def refuse():
        raise DomainError("不能这样做。")

    response = run_action(request_, refuse, success="好了。", redirect_to="/back/", success_redirect_to="/elsewhere/")
    assert response["Location"] == "/back/"
    assert _messages(request_) == [(messages.ERROR, "不能这样做。")]


def test_other_errors_are_not_swallowed(request_):
    def broken():
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        run_action(request_, broken, success="好了。", redirect_to="/back/")
    assert _messages(request_) == []
