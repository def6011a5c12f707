from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

from proposals import roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works from."""
    user = request.user
    if roles.is_staff(user) or roles.is_agency_user(user) or roles.is_member(user):
        return redirect("oversight:home")  # the role's work queues
    if roles.is_admin(user):
        return redirect("admin:index")
    if roles.is_auditor(user):
        return redirect("audit:events")
    return redirect("proposals:list")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error may have come from a context processor or the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
