"""The workbook pages: export, template, upload → dry-run preview → commit, with the job's progress.

Committee staff work on their own committee's data; the reference sheets (the committee's rules
and the users) are an administrator's: left out of a staff export and skipped on a staff import.
Everyone else gets 404 (the pages do not reveal that they exist)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.log import record_event
from audit.probes import record_out_of_scope
from common.downloads import file_download
from proposals import roles
from proposals.errors import DomainError
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Committee

from . import jobs
from .export import export_workbook, template_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_staff_or_admin(user) -> None:
    if not (roles.is_staff(user) or roles.is_admin(user)):
        record_out_of_scope(user, "oversight (workbook)")
        raise Http404


def _committees(user) -> list[Committee]:
    """Whose data the user exports: their committee's, or every committee for an administrator
    of all of them."""
    scope = roles.committee_scope(user)
    qs = Committee.objects.order_by("pk")
    if scope is None:
        return list(qs) if roles.is_admin(user) else []
    return list(qs.filter(pk=scope))


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_admin(request.user)
    return render(
        request,
        "oversight/workbook/home.html",
        {
            "committees": _committees(request.user),
            "is_admin": roles.is_admin(request.user),
            "max_mb": jobs.MAX_BYTES // 2**20,
        },
    )


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _require_staff_or_admin(request.user)
    committees = _committees(request.user)
    out = io.BytesIO()
    counts = export_workbook(out, committees=committees, reference=roles.is_admin(request.user))
    record_event(
        event="export",
        request=request,
        detail="workbook " + " ".join(f"{code}={n}" for code, n in counts.items()),
    )
    name = committees[0].display_name if len(committees) == 1 else _("全部委员会")
    filename = _("%(name)s数据%(date)s") % {"name": name, "date": timezone.localdate().strftime("%Y%m%d")} + ".xlsx"
    return file_download(out.getvalue(), content_type=XLSX_CONTENT_TYPE, filename=filename)


@login_required
@require_GET
def template(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _require_staff_or_admin(request.user)
    out = io.BytesIO()
    template_workbook(out, reference=roles.is_admin(request.user))
    return file_download(out.getvalue(), content_type=XLSX_CONTENT_TYPE, filename=_("导入模板") + ".xlsx")


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_admin(request.user)
    try:
        token = jobs.job_create(actor=request.user, upload=request.FILES.get("file"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("oversight:workbook_home")
    return redirect("oversight:workbook_job", token=token)


@login_required
@require_GET
def job(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    _require_staff_or_admin(request.user)
    return render(request, "oversight/workbook/job.html", {"job": jobs.job_for_user(request.user, token)})


@login_required
@require_GET
def job_status(request: AuthenticatedHttpRequest, token: str) -> JsonResponse:
    _require_staff_or_admin(request.user)
    job = jobs.job_for_user(request.user, token)
    return JsonResponse({key: job.get(key) for key in ("step", "step_label", "done", "total", "percent", "active")})


@login_required
@require_POST
def commit(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    _require_staff_or_admin(request.user)
    try:
        jobs.job_commit(actor=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("oversight:workbook_job", token=token)
