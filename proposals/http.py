"""The request type of views behind ``@login_required``: its user is a ``User``, never anonymous."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrowed from User | AnonymousUser by @login_required
