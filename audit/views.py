from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .filters import AuditEventFilter
from .forms import LimitedPasswordChangeForm
from .models import AuditEvent
from .probes import record_out_of_scope
from .readers import may_read_trail

PAGE_SIZE = 50

LOCKOUT_MESSAGE = _("登录失败次数过多（%(limit)d 次），该地址已被锁定 %(minutes)d 分钟，请稍后再试。")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return str(LOCKOUT_MESSAGE) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers once an address is locked out, for the site login and /admin/."""
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "lockout_message": lockout_message(), "next": ""},
        status=429,
    )


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    # Only auditors read the trail in the browser; for everyone else the page does not exist.
    if not may_read_trail(request.user):
        record_out_of_scope(request.user, AuditEvent._meta.label)
        raise Http404
    filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.all())
    qs = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    page = Paginator(qs.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; the new key is indexed by AuditMiddleware and the other sessions are ended
    by the User post_save receiver (audit.signals). Wrong old passwords are limited by the form
    (audit.attempts); once the limit is reached the page answers 429 until the window has passed."""

    form_class = LimitedPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("old_password", "too_many_attempts"):
            response.status_code = 429
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
