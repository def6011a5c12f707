"""Thin views: visibility helper, form, service, redirect. State changes are POST only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import record_event

from . import deadlines, forms, permissions, roles, selectors, services
from .errors import DomainError
from .exports import XLSX_CONTENT_TYPE, proposals_xlsx
from .filters import DEFAULT_ORDER, ProposalFilter
from .models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Proposal,
    ProposalStatus,
)
from .paging import IdsFirstPaginator

PAGE_SIZE = 50
# Once an answering assignment has an issued reply, its proposer may read it (and rate it until closing).
MEMBER_LINK_STATES = (AssignmentStatus.REPLIED, AssignmentStatus.REHANDLING)
# Replied assignments stay in the inbox (after the open ones) until the case is done: the agency
# still holds the consultation and waits for the member's feedback.
INBOX_STATES = (
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.REHANDLING,
    AssignmentStatus.REPLIED,
)


def prefetch_live_assignments(*only: str) -> Prefetch:
    """``live_assignments`` of each proposal with its agency, in role order (``only`` these fields)."""
    live = Assignment.objects.live().select_related("agency")
    if only:
        live = live.only(*only)
    return Prefetch("assignments", queryset=live.order_by("role", "id"), to_attr="live_assignments")


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


# The long texts are never shown in the list or the export; not reading them halves the row size.
LIST_DEFERRED = ("search_text", "main_content", "reason", "suggestions", "key_note", "decline_note", "close_note")


def _list_rows(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a row of the list reads: the joins, the live assignments."""
    return (
        qs.defer(*LIST_DEFERRED)
        .select_related("meeting", "first_proposer", "category")
        .prefetch_related(prefetch_live_assignments())
    )


def _export_rows(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The columns proposals.exports writes and nothing else: a meeting is thousands of rows."""
    live = prefetch_live_assignments("proposal_id", "role", "scope", "assigned_at", "due_date", "agency__name")
    return (
        qs.select_related("first_proposer")
        .only("number", "title", "proposer_kind", "body_name", "status", "first_proposer__name")
        .prefetch_related(live)
    )


def _filtered(request: HttpRequest) -> tuple[ProposalFilter, QuerySet[Proposal]]:
    base = selectors.proposals_visible_to(request.user).defer(*LIST_DEFERRED)
    count_base = selectors.proposals_visible_to(request.user, for_count=True)
    flt = ProposalFilter(request.GET or None, queryset=base, request=request, count_base=count_base)
    qs = flt.qs if flt.is_bound else base.order_by(*DEFAULT_ORDER)
    return flt, qs


SORT_KEYS = ("number", "title", "status", "due", "created")


def _sort_links(request: HttpRequest) -> dict[str, str]:
    """Per column, the query string that sorts by it (ascending, or descending when it already is)."""
    current = request.GET.get("o", "")
    params = [(k, v) for k, v in request.GET.items() if k not in ("o", "page") and v]
    return {key: urlencode([*params, ("o", f"-{key}" if current == key else key)]) for key in SORT_KEYS}


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    flt, qs = _filtered(request)
    # The page's ids by the filters and order, then those rows with their joins (proposals.paging).
    rows = lambda ids: _list_rows(Proposal.objects.filter(pk__in=ids))  # noqa: E731
    paginator = IdsFirstPaginator(qs, PAGE_SIZE, rows=rows, count=lambda: flt.count(request.user))
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/list.html",
        {
            "page": page,
            "filter": flt,
            "query": _query_without_page(request),
            "sort_links": _sort_links(request),
            "sort": request.GET.get("o", ""),
            "can_file": permissions.can_file(request.user),
            "is_staff": roles.is_staff(request.user),
        },
    )


@login_required
@require_GET
def proposal_export(request: HttpRequest) -> HttpResponse:
    _flt, qs = _filtered(request)
    rows = list(_export_rows(qs))
    record_event(event="export", request=request, user=request.user, detail=f"proposals.xlsx rows={len(rows)}")
    response = HttpResponse(proposals_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    filename = f"proposals-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.proposals_visible_to(request.user)
        .select_related("meeting", "first_proposer", "decline_reason")
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/mine.html", {"page": page, "can_file": permissions.can_file(request.user)})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Handlers: their agency's open assignments by due date. Staff: what waits for them."""
    visible = selectors.assignments_visible_to(request.user)
    staff_view = roles.is_staff(request.user)
    if staff_view:
        pending_ext = ExtensionRequest.objects.filter(assignment=OuterRef("pk"), status=ExtensionStatus.PENDING)
        qs = visible.filter(
            Q(status=AssignmentStatus.RETURNED, replaced_by__isnull=True) | Exists(pending_ext)
        ).annotate(has_pending_extension=Exists(pending_ext))
        qs = qs.order_by("due_date", "id")
    else:
        replied_last = Case(When(status=AssignmentStatus.REPLIED, then=Value(1)), default=Value(0))
        qs = visible.filter(status__in=INBOX_STATES).order_by(replied_last, "due_date", "id")
    qs = qs.select_related("proposal", "proposal__meeting", "agency")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/inbox.html", {"page": page, "staff_view": staff_view})


# --- Filing --------------------------------------------------------------------------------
def _proposal_form_class(user):
    if roles.is_staff(user):
        return forms.StaffProposalForm
    if roles.is_member(user):
        return forms.MemberProposalForm
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    form_class = _proposal_form_class(request.user)
    author = None if roles.is_staff(request.user) else request.user.member
    form = form_class(request.POST or None, request.FILES or None, author=author)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if proposal.status == ProposalStatus.DRAFT:
                messages.success(request, _("草稿已保存。确认无误后请点击“提交”。"))
            else:
                messages.success(request, _("提案已录入，等待审查立案。"))
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "heading": _("新建提案")})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not permissions.can_edit_draft(request.user, proposal):
        raise PermissionDenied
    author = request.user.member
    if request.method == "POST":
        form = forms.MemberDraftForm(request.POST, request.FILES, author=author)
    else:
        form = forms.MemberDraftForm(initial=forms.MemberDraftForm.initial_for(proposal), author=author)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update_draft(proposal=proposal, actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "heading": _("修改草稿"), "proposal": proposal})


# --- Detail --------------------------------------------------------------------------------
def _detail_context(request: HttpRequest, proposal: Proposal, bound: tuple[str, int, object] | None = None) -> dict:
    """Everything the detail page shows, with the forms of the actions this user may take.

    ``bound`` is (form kind, object id, bound form) of an action that failed validation, so the
    page shows that form again with its errors.
    """
    user = request.user

    def form_for(kind: str, obj_id: int, factory):
        if bound is not None and bound[0] == kind and bound[1] == obj_id:
            return bound[2]
        return factory()

    assignments = list(
        Assignment.objects.filter(proposal=proposal)
        .select_related("agency", "replaced_by__agency")
        .prefetch_related(Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("requested_by")))
        .order_by("assigned_at", "id")
    )
    for a in assignments:
        a.show_work_links = permissions.can_work_on(user, a)
        # The proposing member reads the issued reply and rates it from here (the rating page checks again).
        a.member_links = roles.is_member(user) and a.answers_member and a.status in MEMBER_LINK_STATES
        a.member_can_rate = (
            a.member_links and a.status == AssignmentStatus.REPLIED and proposal.status != ProposalStatus.CLOSED
        )
        a.can_accept = permissions.can_accept(user, a)
        a.can_return = permissions.can_return(user, a)
        a.return_deadline = deadlines.return_deadline(a) if a.status == AssignmentStatus.PENDING else None
        a.can_reassign = permissions.can_reassign(user, a)
        a.can_request_extension = permissions.can_request_extension(user, a)
        if a.can_return:
            a.return_form = form_for("return", a.pk, lambda a=a: forms.ReturnForm(prefix=f"ret{a.pk}"))
        if a.can_reassign:
            a.reassign_form = form_for("reassign", a.pk, lambda a=a: forms.ReassignForm(prefix=f"re{a.pk}"))
        if a.can_request_extension:
            a.extension_form = form_for("extension", a.pk, lambda a=a: forms.ExtensionRequestForm(prefix=f"ext{a.pk}"))
        a.visible_extensions = list(a.extensions.all()) if a.show_work_links else []
        for e in a.visible_extensions:
            e.can_decide = permissions.can_decide_extension(user, e)
            if e.can_decide:
                e.decision_form = form_for("decide", e.pk, lambda e=e: forms.ExtensionDecisionForm(prefix=f"dec{e.pk}"))
    can_review = permissions.can_review(user, proposal)
    can_set_key = permissions.can_set_key(user, proposal)
    return {
        "proposal": proposal,
        "cosigners": list(proposal.cosigners.all()),
        "assignments": assignments,
        "attachments": list(proposal.attachments.all()),
        "timeline": selectors.timeline_visible_to(user, proposal),
        "show_personal_data": permissions.can_see_personal_data(user, proposal),
        "can_edit": permissions.can_edit_draft(user, proposal),
        "can_review": can_review,
        "decline_form": form_for("decline", proposal.pk, forms.DeclineForm) if can_review else None,
        "can_assign": permissions.can_assign(user, proposal),
        "can_set_key": can_set_key,
        "key_form": form_for(
            "key", proposal.pk, lambda: forms.KeyForm(initial={"is_key": proposal.is_key, "note": proposal.key_note})
        )
        if can_set_key
        else None,
        "can_add_attachment": permissions.can_add_attachment(user, proposal),
        "attachment_form": form_for("attachment", proposal.pk, forms.AttachmentForm),
        "show_key_note": not roles.is_member(user),
    }


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


def _invalid(request: HttpRequest, proposal: Proposal, kind: str, obj_id: int, form) -> HttpResponse:
    # Re-read through the selector: the proposal came from an assignment, which is not the same check.
    proposal = selectors.get_proposal_for_user(request.user, proposal.pk)
    messages.error(request, _("提交的内容有误，请按提示修改。"))
    return render(request, "proposals/detail.html", _detail_context(request, proposal, (kind, obj_id, form)))


def _done(request: HttpRequest, proposal_id: int, action, message: str) -> HttpResponse:
    """Run a service; on a refused move show its message. Either way, back to the proposal."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("proposals:detail", pk=proposal_id)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return _done(
        request,
        proposal.pk,
        lambda: services.proposal_submit(proposal=proposal, actor=request.user),
        _("提案已提交，等待提案委员会审查。"),
    )


@login_required
@require_POST
def proposal_register(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    try:
        proposal = services.proposal_register(proposal=proposal, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已立案，编号 %(number)s。") % {"number": proposal.number})
    return redirect("proposals:detail", pk=proposal.pk)


@login_required
@require_POST
def proposal_decline(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "decline", proposal.pk, form)
    return _done(
        request,
        proposal.pk,
        lambda: services.proposal_decline(
            proposal=proposal,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            convert_to_opinion=form.cleaned_data["convert_to_opinion"],
        ),
        _("已作不予立案处理，提案人可在“我的提案”中看到结果。"),
    )


@login_required
@require_POST
def proposal_set_key(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.KeyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "key", proposal.pk, form)
    return _done(
        request,
        proposal.pk,
        lambda: services.proposal_set_key(
            proposal=proposal, actor=request.user, is_key=form.cleaned_data["is_key"], note=form.cleaned_data["note"]
        ),
        _("重点提案设置已保存。"),
    )


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, proposal, "attachment", proposal.pk, form)
    return _done(
        request,
        proposal.pk,
        lambda: services.attachment_add(proposal=proposal, actor=request.user, upload=form.cleaned_data["file"]),
        _("附件已上传。"),
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.get_attachment_for_user(request.user, pk)
    record_event(event="download", request=request, user=request.user, obj=attachment)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_assign(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not permissions.can_assign(request.user, proposal):
        raise PermissionDenied
    form = forms.AssignForm(request.POST or None)
    splits = forms.SplitFormSet(request.POST or None, prefix="split")
    if request.method == "POST" and form.is_valid() and splits.is_valid():
        specs = forms.assignment_specs(form, splits)
        if specs is not None:
            try:
                services.proposal_assign(proposal=proposal, actor=request.user, specs=specs)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已交办。"))
                return redirect("proposals:detail", pk=proposal.pk)
    meeting = proposal.meeting
    return render(
        request,
        "proposals/assign.html",
        {"proposal": proposal, "form": form, "splits": splits, "meeting": meeting},
    )


# --- Assignment actions --------------------------------------------------------------------
@login_required
@require_POST
def assignment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    return _done(
        request,
        assignment.proposal_id,
        lambda: services.assignment_accept(assignment=assignment, actor=request.user),
        _("已签收。"),
    )


@login_required
@require_POST
def assignment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReturnForm(request.POST, prefix=f"ret{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "return", assignment.pk, form)
    response = _done(
        request,
        assignment.proposal_id,
        lambda: services.assignment_return(
            assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("已退回，等待提案委员会重新交办。"),
    )
    # After a return the agency no longer sees the proposal: send its user to the inbox.
    assignment.refresh_from_db(fields=["status"])
    if assignment.status == AssignmentStatus.RETURNED and not roles.is_staff(request.user):
        return redirect("proposals:inbox")
    return response


@login_required
@require_POST
def assignment_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReassignForm(request.POST, prefix=f"re{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "reassign", assignment.pk, form)
    return _done(
        request,
        assignment.proposal_id,
        lambda: services.assignment_reassign(
            assignment=assignment,
            actor=request.user,
            agency=form.cleaned_data["agency"],
            due_date=form.cleaned_data["due_date"],
        ),
        _("已重新交办。"),
    )


@login_required
@require_POST
def assignment_request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ExtensionRequestForm(request.POST, prefix=f"ext{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "extension", assignment.pk, form)
    return _done(
        request,
        assignment.proposal_id,
        lambda: services.assignment_request_extension(
            assignment=assignment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            requested_due_date=form.cleaned_data["requested_due_date"],
        ),
        _("延期申请已提交，等待提案委员会审批。"),
    )


def _decide(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    extension = selectors.get_extension_for_user(request.user, pk)
    proposal = extension.assignment.proposal
    form = forms.ExtensionDecisionForm(request.POST, prefix=f"dec{extension.pk}")
    if not form.is_valid():
        return _invalid(request, proposal, "decide", extension.pk, form)
    if approve:
        return _done(
            request,
            proposal.pk,
            lambda: services.extension_approve(
                extension=extension,
                actor=request.user,
                new_due_date=form.cleaned_data["new_due_date"],
                note=form.cleaned_data["note"],
            ),
            _("已批准延期。"),
        )
    return _done(
        request,
        proposal.pk,
        lambda: services.extension_refuse(extension=extension, actor=request.user, note=form.cleaned_data["note"]),
        _("已不批准延期。"),
    )


@login_required
@require_POST
def extension_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def extension_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
