"""Thin views: visibility helper, form, service, redirect. State changes are POST only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import record_event

from . import forms, permissions, roles, selectors, services
from .errors import DomainError
from .exports import XLSX_CONTENT_TYPE, proposals_xlsx
from .http import AuthenticatedHttpRequest
from .models import Proposal, ProposalStatus
from .view_actions import run_action

PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


SORT_KEYS = ("number", "title", "status", "due", "created")


def _sort_links(request: HttpRequest) -> dict[str, str]:
    """Per column, the query string that sorts by it (ascending, or descending when it already is)."""
    current = request.GET.get("o", "")
    params = [(k, v) for k, v in request.GET.items() if k not in ("o", "page") and v]
    return {key: urlencode([*params, ("o", f"-{key}" if current == key else key)]) for key in SORT_KEYS}


@login_required
@require_GET
def proposal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    proposals = selectors.proposal_list(request.user, request.GET)
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
            "is_staff": roles.is_staff(request.user),
        },
    )


@login_required
@require_GET
def proposal_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(selectors.proposal_export_rows(request.user, request.GET))
    record_event(event="export", request=request, user=request.user, detail=f"proposals.xlsx rows={len(rows)}")
    response = HttpResponse(proposals_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    filename = f"proposals-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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


# --- Filing --------------------------------------------------------------------------------
def _proposal_form_class(user):
    if roles.is_staff(user):
        return forms.StaffProposalForm
    if roles.is_member(user):
        return forms.MemberProposalForm
    raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def proposal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
Bound = tuple[str, int, BaseForm]


def _detail_context(
    request: AuthenticatedHttpRequest, proposal: Proposal, bound: Bound | None = None
) -> dict[str, Any]:
    """The proposal's page (``selectors.proposal_detail``) with the forms of the actions this user may take.

    ``bound`` is (form kind, object id, bound form) of an action that failed validation, so the
    page shows that form again with its errors.
    """
    detail = selectors.proposal_detail(request.user, proposal)

    def form_for(kind: str, obj_id: int, factory: Callable[[], BaseForm]) -> BaseForm:
        if bound is not None and bound[0] == kind and bound[1] == obj_id:
            return bound[2]
        return factory()

    def with_decision_form(row: selectors.ExtensionRow) -> selectors.ExtensionRow:
        if not row.can_decide:
            return row
        pk = row.extension.pk
        form = form_for("decide", pk, lambda: forms.ExtensionDecisionForm(prefix=f"dec{pk}"))
        return replace(row, decision_form=form)

    def with_forms(row: selectors.AssignmentRow) -> selectors.AssignmentRow:
        pk = row.assignment.pk
        return replace(
            row,
            return_form=form_for("return", pk, lambda: forms.ReturnForm(prefix=f"ret{pk}")) if row.can_return else None,
            reassign_form=form_for("reassign", pk, lambda: forms.ReassignForm(prefix=f"re{pk}"))
            if row.can_reassign
            else None,
            extension_form=form_for("extension", pk, lambda: forms.ExtensionRequestForm(prefix=f"ext{pk}"))
            if row.can_request_extension
            else None,
            extensions=tuple(with_decision_form(e) for e in row.extensions),
        )

    detail = replace(
        detail,
        assignments=tuple(with_forms(row) for row in detail.assignments),
        decline_form=form_for("decline", proposal.pk, forms.DeclineForm) if detail.can_review else None,
        key_form=form_for(
            "key", proposal.pk, lambda: forms.KeyForm(initial={"is_key": proposal.is_key, "note": proposal.key_note})
        )
        if detail.can_set_key
        else None,
        attachment_form=form_for("attachment", proposal.pk, forms.AttachmentForm)
        if detail.can_add_attachment
        else None,
    )
    return {"proposal": proposal, "detail": detail}


@login_required
@require_GET
def proposal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


def _invalid(request: AuthenticatedHttpRequest, proposal: Proposal, kind: str, obj_id: int, form) -> HttpResponse:
    # Re-read through the selector: the proposal came from an assignment, which is not the same check.
    proposal = selectors.get_proposal_for_user(request.user, proposal.pk)
    messages.error(request, _("提交的内容有误，请按提示修改。"))
    return render(request, "proposals/detail.html", _detail_context(request, proposal, (kind, obj_id, form)))


def _detail_url(proposal_id: int) -> str:
    return reverse("proposals:detail", args=[proposal_id])


@login_required
@require_POST
def proposal_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.proposal_submit(proposal=proposal, actor=request.user),
        success=_("提案已提交，等待提案委员会审查。"),
        redirect_to=_detail_url(proposal.pk),
    )


@login_required
@require_POST
def proposal_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.proposal_register(proposal=proposal, actor=request.user),
        success=_registered,
        redirect_to=_detail_url(proposal.pk),
    )


def _registered(proposal: Proposal) -> str:
    return _("已立案，编号 %(number)s。") % {"number": proposal.number}


@login_required
@require_POST
def proposal_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "decline", proposal.pk, form)
    return run_action(
        request,
        lambda: services.proposal_decline(
            proposal=proposal,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            convert_to_opinion=form.cleaned_data["convert_to_opinion"],
        ),
        success=_("已作不予立案处理，提案人可在“我的提案”中看到结果。"),
        redirect_to=_detail_url(proposal.pk),
    )


@login_required
@require_POST
def proposal_set_key(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.KeyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "key", proposal.pk, form)
    return run_action(
        request,
        lambda: services.proposal_set_key(
            proposal=proposal, actor=request.user, is_key=form.cleaned_data["is_key"], note=form.cleaned_data["note"]
        ),
        success=_("重点提案设置已保存。"),
        redirect_to=_detail_url(proposal.pk),
    )


@login_required
@require_POST
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, proposal, "attachment", proposal.pk, form)
    return run_action(
        request,
        lambda: services.attachment_add(proposal=proposal, actor=request.user, upload=form.cleaned_data["file"]),
        success=_("附件已上传。"),
        redirect_to=_detail_url(proposal.pk),
    )


@login_required
@require_GET
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
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
def proposal_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def assignment_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.assignment_accept(assignment=assignment, actor=request.user),
        success=_("已签收。"),
        redirect_to=_detail_url(assignment.proposal_id),
    )


@login_required
@require_POST
def assignment_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReturnForm(request.POST, prefix=f"ret{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "return", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_return(
            assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("已退回，等待提案委员会重新交办。"),
        redirect_to=_detail_url(assignment.proposal_id),
        # After a return the agency no longer sees the proposal: send its user to the inbox.
        success_redirect_to=None if roles.is_staff(request.user) else reverse("proposals:inbox"),
    )


@login_required
@require_POST
def assignment_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReassignForm(request.POST, prefix=f"re{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "reassign", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_reassign(
            assignment=assignment,
            actor=request.user,
            agency=form.cleaned_data["agency"],
            due_date=form.cleaned_data["due_date"],
        ),
        success=_("已重新交办。"),
        redirect_to=_detail_url(assignment.proposal_id),
    )


@login_required
@require_POST
def assignment_request_extension(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ExtensionRequestForm(request.POST, prefix=f"ext{assignment.pk}")
    if not form.is_valid():
        return _invalid(request, assignment.proposal, "extension", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_request_extension(
            assignment=assignment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            requested_due_date=form.cleaned_data["requested_due_date"],
        ),
        success=_("延期申请已提交，等待提案委员会审批。"),
        redirect_to=_detail_url(assignment.proposal_id),
    )


def _decide(request: AuthenticatedHttpRequest, pk: int, approve: bool) -> HttpResponse:
    extension = selectors.get_extension_for_user(request.user, pk)
    proposal = extension.assignment.proposal
    form = forms.ExtensionDecisionForm(request.POST, prefix=f"dec{extension.pk}")
    if not form.is_valid():
        return _invalid(request, proposal, "decide", extension.pk, form)
    if approve:
        return run_action(
            request,
            lambda: services.extension_approve(
                extension=extension,
                actor=request.user,
                new_due_date=form.cleaned_data["new_due_date"],
                note=form.cleaned_data["note"],
            ),
            success=_("已批准延期。"),
            redirect_to=_detail_url(proposal.pk),
        )
    return run_action(
        request,
        lambda: services.extension_refuse(extension=extension, actor=request.user, note=form.cleaned_data["note"]),
        success=_("已不批准延期。"),
        redirect_to=_detail_url(proposal.pk),
    )


@login_required
@require_POST
def extension_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def extension_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
