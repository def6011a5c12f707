from __future__ import annotations

from django.http import HttpRequest

from .models import Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {
        "nav_role": role,
        "nav_is_staff": role == Role.STAFF,
        "nav_is_agency": role in (Role.HANDLER, Role.LEADER),
        "nav_is_member": role == Role.MEMBER,
        "nav_is_auditor": role == Role.AUDITOR,
        "nav_is_admin": role == Role.ADMIN or bool(user and user.is_authenticated and user.is_superuser),
    }
