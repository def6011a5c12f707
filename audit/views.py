from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from common.downloads import file_download
from common.spreadsheets import safe_row

from . import words
from .filters import AuditEventFilter
from .forms import LimitedPasswordChangeForm
from .log import record_event
from .models import AuditEvent
from .probes import record_out_of_scope
from .readers import may_read_trail

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2000
EXPORT_NAME = "audit.xlsx"
EXPORT_SHEET = _("审计日志")
EXPORT_TRUNCATED = _("仅导出了最新的 %(limit)d 行，请缩小筛选范围后再导出其余的行。")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def _trail(request: HttpRequest) -> tuple[AuditEventFilter, QuerySet[AuditEvent]]:
    """The filtered rows, newest first; a 404 (recorded) for anyone who may not read the trail."""
    # Only auditors read the trail in the browser; for everyone else the page does not exist.
    if not may_read_trail(request.user):
        record_out_of_scope(request.user, AuditEvent._meta.label)
        raise Http404
    filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.all(), request=request)
    qs = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    return filterset, qs.order_by("-id")


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    filterset, qs = _trail(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "filter": filterset,
            "page": page,
            # Every row in words; the people and objects of the whole page are described in bulk.
            "lines": words.lines(page.object_list, request.user),
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def event_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered rows as a workbook, in words like the page: at most ``EXPORT_LIMIT`` rows, read
    and described ``EXPORT_CHUNK`` at a time and written by openpyxl's write-only mode to a spooled
    file, so memory stays flat however many rows there are."""
    _filterset, qs = _trail(request)
    head = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    qs = qs.filter(id__lte=head)  # not this export's own row, written next
    total = min(qs.count(), EXPORT_LIMIT)
    record_event(event="export", request=request, user=request.user, detail=f"{EXPORT_NAME} rows={total}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(EXPORT_SHEET))
    sheet.append(safe_row(words.export_header()))
    written, before = 0, head + 1
    while written < total:
        chunk = list(qs.filter(id__lt=before)[: min(EXPORT_CHUNK, total - written)])
        if not chunk:
            break
        for line in words.lines(chunk, request.user):
            sheet.append(safe_row(words.export_cells(line)))
        written += len(chunk)
        before = chunk[-1].pk
    if total < qs.count():
        sheet.append(safe_row(["", "", "", "", str(EXPORT_TRUNCATED % {"limit": EXPORT_LIMIT})]))
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    filename = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    return file_download(out, content_type=XLSX_CONTENT_TYPE, filename=filename)


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
