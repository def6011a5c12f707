"""One proposal: filing and editing, its page, review (立案 / 不予立案), the key flag, attachments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.kept_posts import keeps_typed_text, take_kept_post
from audit.log import record_event
from common.downloads import file_download

from .. import forms, permissions, roles, selectors, services
from ..errors import DomainError
from ..http import AuthenticatedHttpRequest
from ..models import Proposal, ProposalStatus
from ..numbers import display_number
from ..services.numbering import format_number, next_sequence
from ..view_actions import Confirmation, run_action


# --- Filing --------------------------------------------------------------------------------
def _proposal_form_class(user):
    if roles.is_staff(user):
        return forms.StaffProposalForm
    if roles.is_member(user):
        return forms.MemberProposalForm
    raise PermissionDenied


@keeps_typed_text()
@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form_class = _proposal_form_class(request.user)
    author = None if roles.is_staff(request.user) else request.user.member
    kept = take_kept_post(request) if request.method == "GET" else None
    form = form_class(request.POST or kept, request.FILES or None, author=author, user=request.user)
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


@keeps_typed_text()
@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not permissions.can_edit_draft(request.user, proposal):
        raise PermissionDenied
    author = request.user.member
    if request.method == "POST":
        form = forms.MemberDraftForm(request.POST, request.FILES, author=author, user=request.user)
    elif (kept := take_kept_post(request)) is not None:
        form = forms.MemberDraftForm(kept, author=author, user=request.user)
    else:
        form = forms.MemberDraftForm(
            initial=forms.MemberDraftForm.initial_for(proposal), author=author, user=request.user
        )
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
            reassign_form=form_for("reassign", pk, lambda: forms.ReassignForm(prefix=f"re{pk}", proposal=proposal))
            if row.can_reassign
            else None,
            extension_form=form_for("extension", pk, lambda: forms.ExtensionRequestForm(prefix=f"ext{pk}"))
            if row.can_request_extension
            else None,
            urge_form=form_for("urge", pk, lambda: forms.UrgeForm(prefix=f"urge{pk}")) if row.can_urge else None,
            extensions=tuple(with_decision_form(e) for e in row.extensions),
        )

    detail = replace(
        detail,
        assignments=tuple(with_forms(row) for row in detail.assignments),
        decline_form=form_for("decline", proposal.pk, lambda: forms.DeclineForm(proposal=proposal))
        if detail.can_review
        else None,
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


def invalid_detail(request: AuthenticatedHttpRequest, proposal: Proposal, kind: str, obj_id: int, form) -> HttpResponse:
    # Re-read through the selector: the proposal came from an assignment, which is not the same check.
    proposal = selectors.get_proposal_for_user(request.user, proposal.pk)
    messages.error(request, _("提交的内容有误，请按提示修改。"))
    return render(request, "proposals/detail.html", _detail_context(request, proposal, (kind, obj_id, form)))


def detail_url(proposal_id: int) -> str:
    return reverse("proposals:detail", args=[proposal_id])


@login_required
@require_POST
def proposal_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.proposal_submit(proposal=proposal, actor=request.user),
        success=_("提案已提交，等待提案委员会审查。"),
        redirect_to=detail_url(proposal.pk),
    )


@login_required
@require_POST
def proposal_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.proposal_register(proposal=proposal, actor=request.user),
        success=_registered,
        redirect_to=detail_url(proposal.pk),
        confirm=_register_confirmation(proposal) if permissions.can_review(request.user, proposal) else None,
    )


def _register_confirmation(proposal: Proposal) -> Confirmation:
    if proposal.number:
        consequence = _("立案后编号为 %(number)s（录入时填写的编号），不能撤销。") % {"number": proposal.display_number}
    else:
        # A preview: the service takes the number under the meeting's lock, so it may differ if
        # someone else registers first.
        number = display_number(
            format_number(proposal.meeting, next_sequence(proposal.meeting)), proposal.committee.number_style
        )
        consequence = _("立案后将编号为 %(number)s（按本次会议顺序自动编号），不能撤销。") % {"number": number}
    return Confirmation(title=_("立案"), consequence=consequence, submit_label=_("确认立案"))


def _registered(proposal: Proposal) -> str:
    return _("已立案，编号 %(number)s。") % {"number": proposal.number}


@login_required
@require_POST
def proposal_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.DeclineForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return invalid_detail(request, proposal, "decline", proposal.pk, form)
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
        redirect_to=detail_url(proposal.pk),
        confirm=_decline_confirmation(form.cleaned_data) if permissions.can_review(request.user, proposal) else None,
    )


def _decline_confirmation(data: dict[str, Any]) -> Confirmation:
    consequence = _("不予立案后，提案人将看到理由“%(reason)s”，不能撤销。") % {"reason": data["reason"]}
    if data["convert_to_opinion"]:
        consequence = f"{consequence}{_('本提案将转为意见建议，转有关部门参考。')}"
    return Confirmation(title=_("不予立案"), consequence=consequence, submit_label=_("确认不予立案"))


@login_required
@require_POST
def proposal_set_key(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.KeyForm(request.POST)
    if not form.is_valid():
        return invalid_detail(request, proposal, "key", proposal.pk, form)
    return run_action(
        request,
        lambda: services.proposal_set_key(
            proposal=proposal, actor=request.user, is_key=form.cleaned_data["is_key"], note=form.cleaned_data["note"]
        ),
        success=_("重点提案设置已保存。"),
        redirect_to=detail_url(proposal.pk),
    )


@login_required
@require_POST
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return invalid_detail(request, proposal, "attachment", proposal.pk, form)
    return run_action(
        request,
        lambda: services.attachment_add(proposal=proposal, actor=request.user, upload=form.cleaned_data["file"]),
        success=_("附件已上传。"),
        redirect_to=detail_url(proposal.pk),
    )


@login_required
@require_GET
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    attachment = selectors.get_attachment_for_user(request.user, pk)
    record_event(event="download", request=request, user=request.user, obj=attachment)
    return file_download(
        attachment.file.open("rb"), filename=attachment.original_name, content_type=attachment.content_type
    )
