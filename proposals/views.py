from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import Assignment, AssignmentStatus

PAGE_SIZE = 50


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.proposals_visible_to(request.user).select_related("meeting", "first_proposer", "category")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/list.html", {"page": page})


@login_required
@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    qs = selectors.proposals_visible_to(request.user).select_related("meeting", "first_proposer")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/mine.html", {"page": page})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.assignments_visible_to(request.user)
        .filter(status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING])
        .select_related("proposal", "proposal__meeting", "agency")
        .order_by("due_date", "id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/inbox.html", {"page": page})


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    assignments = Assignment.objects.filter(proposal=proposal).select_related("agency")
    timeline = proposal.timeline.select_related("actor", "assignment__agency")
    return render(
        request,
        "proposals/detail.html",
        {"proposal": proposal, "assignments": assignments, "timeline": timeline},
    )
