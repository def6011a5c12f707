"""Assignment (交办) and the agency's answer to it: 签收, 退回, re-assignment, extensions, 催办."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import forms, permissions, roles, selectors, services
from ..errors import DomainError
from ..http import AuthenticatedHttpRequest
from ..models import AssignmentRole
from ..selectors import registry
from ..view_actions import Confirmation, confirmation_page, is_confirmed, run_action
from .proposal import detail_url, invalid_detail


def date_text(day: dt.date) -> str:
    """A date as the pages show it (2024年7月9日; the English screens' own format)."""
    return dateformat.format(day, _("Y年n月j日"))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not permissions.can_assign(request.user, proposal):
        raise PermissionDenied
    # What the proposer suggested (建议承办单位): shown above the form, the first one offered as the
    # lead; staff decide, and the assignment's rules do not change.
    suggested = list(proposal.suggested_agencies.order_by("name"))
    assignable = set(
        registry.active_agencies_of(proposal.committee_id)
        .filter(pk__in=[agency.pk for agency in suggested])
        .values_list("pk", flat=True)
    )
    offered = [agency for agency in suggested if agency.pk in assignable]
    initial = {"lead_agency": offered[0].pk} if offered else {}
    form = forms.AssignForm(request.POST or None, proposal=proposal, initial=initial)
    splits = forms.SplitFormSet(request.POST or None, prefix="split", form_kwargs={"proposal": proposal})
    if request.method == "POST" and form.is_valid() and splits.is_valid():
        specs = forms.assignment_specs(form, splits)
        if specs is not None and not is_confirmed(request):
            return confirmation_page(
                request, _assign_confirmation(specs), cancel_url=reverse("proposals:assign", args=[proposal.pk])
            )
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
        {
            "proposal": proposal,
            "form": form,
            "splits": splits,
            "meeting": meeting,
            "suggested_agencies": suggested,
            "inactive_suggestions": [agency for agency in suggested if agency.pk not in assignable],
        },
    )


def _assign_confirmation(specs: list[services.AssignmentSpec]) -> Confirmation:
    agencies = "、".join(f"{spec.agency.name}（{AssignmentRole(spec.role).label}）" for spec in specs)
    return Confirmation(
        title=_("交办"),
        consequence=_(
            "交办后，%(agencies)s 将收到交办通知并开始办理；交办不能撤销，承办单位认为交办不当的，可在退回期限内退回。"
        )
        % {"agencies": agencies},
        submit_label=_("确认交办"),
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
        redirect_to=detail_url(assignment.proposal_id),
        confirm=Confirmation(
            title=_("签收"),
            consequence=_(
                "签收后由本单位办理，办理时限为 %(due)s；签收后不能再退回。认为交办不当的，请退回而不要签收。"
            )
            % {"due": date_text(assignment.due_date)},
            submit_label=_("确认签收"),
        )
        if permissions.can_accept(request.user, assignment)
        else None,
    )


@login_required
@require_POST
def assignment_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReturnForm(request.POST, prefix=f"ret{assignment.pk}")
    if not form.is_valid():
        return invalid_detail(request, assignment.proposal, "return", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_return(
            assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("已退回，等待提案委员会重新交办。"),
        redirect_to=detail_url(assignment.proposal_id),
        # After a return the agency no longer sees the proposal: send its user to the inbox.
        success_redirect_to=None if roles.is_staff(request.user) else reverse("proposals:inbox"),
        confirm=Confirmation(
            title=_("退回"),
            consequence=_("退回后，该件交回提案委员会重新交办，本单位不能再查看和办理；退回不能撤销。"),
            submit_label=_("确认退回"),
        )
        if permissions.can_return(request.user, assignment)
        else None,
    )


@login_required
@require_POST
def assignment_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ReassignForm(request.POST, prefix=f"re{assignment.pk}", proposal=assignment.proposal)
    if not form.is_valid():
        return invalid_detail(request, assignment.proposal, "reassign", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_reassign(
            assignment=assignment,
            actor=request.user,
            agency=form.cleaned_data["agency"],
            due_date=form.cleaned_data["due_date"],
        ),
        success=_("已重新交办。"),
        redirect_to=detail_url(assignment.proposal_id),
        confirm=Confirmation(
            title=_("重新交办"),
            consequence=_("重新交办给 %(agency)s 后，该单位将收到交办通知并开始办理；重新交办不能撤销。")
            % {"agency": form.cleaned_data["agency"].name},
            submit_label=_("确认重新交办"),
        )
        if permissions.can_reassign(request.user, assignment)
        else None,
    )


@login_required
@require_POST
def assignment_request_extension(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.ExtensionRequestForm(request.POST, prefix=f"ext{assignment.pk}")
    if not form.is_valid():
        return invalid_detail(request, assignment.proposal, "extension", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_request_extension(
            assignment=assignment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            requested_due_date=form.cleaned_data["requested_due_date"],
        ),
        success=_("延期申请已提交，等待提案委员会审批。"),
        redirect_to=detail_url(assignment.proposal_id),
    )


@login_required
@require_POST
def assignment_urge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, pk)
    form = forms.UrgeForm(request.POST, prefix=f"urge{assignment.pk}")
    if not form.is_valid():
        return invalid_detail(request, assignment.proposal, "urge", assignment.pk, form)
    return run_action(
        request,
        lambda: services.assignment_urge(assignment=assignment, actor=request.user, note=form.cleaned_data["note"]),
        success=_("已催办，承办单位的经办人和负责人将收到通知。"),
        redirect_to=detail_url(assignment.proposal_id),
    )


def _decide(request: AuthenticatedHttpRequest, pk: int, approve: bool) -> HttpResponse:
    extension = selectors.get_extension_for_user(request.user, pk)
    proposal = extension.assignment.proposal
    form = forms.ExtensionDecisionForm(request.POST, prefix=f"dec{extension.pk}")
    if not form.is_valid():
        return invalid_detail(request, proposal, "decide", extension.pk, form)
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
            redirect_to=detail_url(proposal.pk),
            confirm=Confirmation(
                title=_("批准延期"),
                consequence=_("批准后，办理时限改为 %(date)s，承办单位将收到通知；审批结果不能撤销。")
                % {"date": date_text(form.cleaned_data["new_due_date"] or extension.requested_due_date)},
                submit_label=_("确认批准"),
            )
            if permissions.can_decide_extension(request.user, extension)
            else None,
        )
    return run_action(
        request,
        lambda: services.extension_refuse(extension=extension, actor=request.user, note=form.cleaned_data["note"]),
        success=_("已不批准延期。"),
        redirect_to=detail_url(proposal.pk),
        confirm=Confirmation(
            title=_("不批准延期"),
            consequence=_("不批准后，办理时限仍为 %(date)s，承办单位将收到通知；审批结果不能撤销。")
            % {"date": date_text(extension.assignment.due_date)},
            submit_label=_("确认不批准"),
        )
        if permissions.can_decide_extension(request.user, extension)
        else None,
    )


@login_required
@require_POST
def extension_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def extension_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
