"""The lists: all proposals (filtered, sorted, paged), the Excel export, a member's own, the inbox."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.log import record_event
from common.downloads import file_download

from .. import permissions, roles, selectors
from ..batch import MAX_BATCH
from ..exports import BATCH_SIZE as EXPORT_BATCH_SIZE
from ..exports import XLSX_CONTENT_TYPE, proposals_xlsx_file
from ..http import AuthenticatedHttpRequest
from ..selectors.lists import MEETING_PARAM, with_default_meeting
from .batch import batch_choices

PAGE_SIZE = 50


def _kept(name: str, value: object) -> bool:
    # An empty meeting is a choice (全部: every meeting), not a blank: without it the staff list
    # would fall back to the current meeting on the next page.
    return bool(value) or name == MEETING_PARAM


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and _kept(k, v)])


SORT_KEYS = ("number", "title", "status", "due", "created")


def _sort_links(request: HttpRequest) -> dict[str, str]:
    """Per column, the query string that sorts by it (ascending, or descending when it already is)."""
    current = request.GET.get("o", "")
    params = [(k, v) for k, v in request.GET.items() if k not in ("o", "page") and _kept(k, v)]
    return {key: urlencode([*params, ("o", f"-{key}" if current == key else key)]) for key in SORT_KEYS}


@login_required
@require_GET
def proposal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    is_staff = roles.is_staff(request.user)
    params = with_default_meeting(request.user, request.GET)
    proposals = selectors.proposal_list(request.user, params)
    return render(
        request,
        "proposals/list.html",
        {
            "page": proposals.page(request.GET.get("page"), PAGE_SIZE),
            "filter": proposals.filter,
            "query": _query_without_page(request),
            "sort_links": _sort_links(request),
            "sort": request.GET.get("o", ""),
            "can_file": permissions.can_file(request.user),
            "is_staff": is_staff,
            "batch": batch_choices(request.user) if is_staff else None,
            "batch_max": MAX_BATCH,
            # Narrowed to the current meeting because the query named none: say so, with the way out.
            "meeting_defaulted": params is not request.GET,
        },
    )


@login_required
@require_GET
def proposal_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    # The rows of the list as it is shown: the staff's default meeting too.
    params = with_default_meeting(request.user, request.GET)
    rows = selectors.proposal_export_rows(request.user, params).iterator(chunk_size=EXPORT_BATCH_SIZE)
    content, count = proposals_xlsx_file(request.user, rows)
    record_event(event="export", request=request, user=request.user, detail=f"proposals.xlsx rows={count}")
    filename = f"proposals-{timezone.localdate():%Y%m%d}.xlsx"
    return file_download(content, content_type=XLSX_CONTENT_TYPE, filename=filename)


@login_required
@require_GET
def my_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.recent_proposals(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/mine.html", {"page": page, "can_file": permissions.can_file(request.user)})


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Handlers: their agency's open assignments by due date. Staff: what waits for them."""
    page = Paginator(selectors.inbox_assignments(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/inbox.html", {"page": page, "staff_view": roles.is_staff(request.user)})
