"""The one way a POST-only view runs a state change: call the service, show its outcome, redirect.

Used by the views of every app whose action has no form to show again (proposals, replies); a
view with a form puts the refusal on the form instead.

An action that cannot be undone asks first (issue 19): its POST without ``confirm=1`` changes
nothing and shows what will happen, with the real button (the same fields posted again with
``confirm=1``) and a way back. This works without JavaScript; the service is not involved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import DomainError

T = TypeVar("T")

CONFIRM_FIELD = "confirm"
# Sent by static/js/app.js when it asks for the confirmation to show it in a dialog on the page:
# such a POST is answered with the confirmation or nothing, never acted on.
PREVIEW_HEADER = "X-Confirm-Preview"
_NOT_REPOSTED = {CONFIRM_FIELD, "csrfmiddlewaretoken"}


@dataclass(frozen=True)
class Confirmation:
    """The confirmation step of an action: its name, what will happen, the real button's label."""

    title: str
    consequence: str
    submit_label: str


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "1" and not is_preview(request)


def is_preview(request: HttpRequest) -> bool:
    return request.headers.get(PREVIEW_HEADER) == "1"


def confirmation_page(request: HttpRequest, confirmation: Confirmation, *, cancel_url: str) -> HttpResponse:
    """Ask before acting: the fields of this POST are posted again to the same URL with ``confirm=1``.

    Only for forms without files (a file cannot be carried over in a hidden field)."""
    fields = [
        (name, value) for name in request.POST if name not in _NOT_REPOSTED for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "confirm.html",
        {"confirmation": confirmation, "fields": fields, "action_url": request.path, "cancel_url": cancel_url},
    )


def run_action(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str,
    success_redirect_to: str | None = None,
    confirm: Confirmation | None = None,
) -> HttpResponse:
    """Run ``action`` (a service call). A refused move (``DomainError``) shows its message, a
    success shows ``success`` (or ``success(result)``); either way the user goes to ``redirect_to``,
    or after a success to ``success_redirect_to`` when given (a page the user can still see).

    With ``confirm`` (given only to a user who may act), a POST without ``confirm=1`` shows the
    confirmation step instead, with ``redirect_to`` as the way back."""
    if confirm is not None and not is_confirmed(request):
        return confirmation_page(request, confirm, cancel_url=redirect_to)
    if is_preview(request):  # nothing to confirm (the user may not act): the page posts normally
        return HttpResponse(status=409)
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(redirect_to)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(success_redirect_to or redirect_to)
