"""The one way a POST-only view runs a state change: call the service, show its outcome, redirect.

Used by the views of every app whose action has no form to show again (proposals, replies); a
view with a form puts the refusal on the form instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .errors import DomainError

T = TypeVar("T")


def run_action(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str,
    success_redirect_to: str | None = None,
) -> HttpResponse:
    """Run ``action`` (a service call). A refused move (``DomainError``) shows its message, a
    success shows ``success`` (or ``success(result)``); either way the user goes to ``redirect_to``,
    or after a success to ``success_redirect_to`` when given (a page the user can still see)."""
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(redirect_to)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(success_redirect_to or redirect_to)
