"""Checks of the confirmation step (proposals.view_actions.confirmation_page), shared by the view tests."""

from __future__ import annotations

import re

CONFIRMED = {"confirm": "1"}


def assert_confirmation(response, url: str, consequence: str, submit_label: str) -> None:
    """The page asks before acting: it says what will happen and posts the same form with confirm=1."""
    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    body = response.content.decode()
    assert consequence in body
    form = re.search(
        r'<form method="post" action="([^"]*)">(.*?)</form>', body[body.index('id="confirm-panel"') :], re.S
    )
    assert form is not None and form.group(1) == url
    assert '<input type="hidden" name="confirm" value="1">' in form.group(2)
    assert f'<button class="btn btn-danger" type="submit">{submit_label}</button>' in form.group(2)
    assert f'href="{response.context["cancel_url"]}"' in form.group(2)


def confirmed_repost(response) -> dict[str, list[str]]:
    """What the confirmation page's button posts: the fields it carried over, plus confirm=1."""
    data: dict[str, list[str]] = {}
    for name, value in response.context["fields"]:
        data.setdefault(name, []).append(value)
    return {**data, "confirm": ["1"]}
