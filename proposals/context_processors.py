from __future__ import annotations

from django.http import HttpRequest

from .roles import navigation_flags


def navigation(request: HttpRequest) -> dict:
    return navigation_flags(getattr(request, "user", None))
