"""Co-signer confirmation (联名确认): the co-signer's page (confirm or decline), and staff's paper
confirmation and removal of those who let the window pass. Thin: visibility, service, redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .. import roles, selectors
from ..errors import DomainError
from ..http import AuthenticatedHttpRequest
from ..models import Member
from ..selectors.cosign import can_see_cosign, cosign_panel
from ..services import cosign
from ..view_actions import Confirmation, run_action

MEMBER_REQUIRED = gettext_lazy("请选择联名人。")


def _page_url(pk: int) -> str:
    return reverse("proposals:cosign", args=[pk])


def _detail_url(pk: int) -> str:
    return reverse("proposals:detail", args=[pk])


@login_required
@require_GET
def cosign_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The co-signers' states; for a pending co-signer, 确认联名 and 退出联名."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not can_see_cosign(request.user):
        raise PermissionDenied
    return render(
        request,
        "proposals/cosign.html",
        {
            "proposal": proposal,
            "cosign": cosign_panel(request.user, proposal),
            "reason_max": cosign.DECLINE_REASON_MAX_CHARS,
        },
    )


@login_required
@require_POST
def cosign_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    may_act = cosign.can_confirm(cosign.own_pending_row(request.user, proposal), proposal)
    return run_action(
        request,
        lambda: cosign.cosign_confirm(proposal=proposal, actor=request.user),
        success=_("您已确认联名。"),
        redirect_to=_page_url(proposal.pk),
        success_redirect_to=_detail_url(proposal.pk),
        # Asked first: a co-signer who has confirmed can no longer withdraw (退出联名).
        confirm=Confirmation(
            title=_("确认联名"),
            consequence=_("确认后您将作为“%(title)s”的联名人，不能再退出联名。") % {"title": proposal.title},
            submit_label=_("确认联名"),
        )
        if may_act
        else None,
    )


@login_required
@require_POST
def cosign_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    may_act = cosign.can_decline(cosign.own_pending_row(request.user, proposal), proposal)
    return run_action(
        request,
        lambda: cosign.cosign_decline(proposal=proposal, actor=request.user, reason=request.POST.get("reason", "")),
        success=_("您已退出联名，本提案不再列入您的提案。"),
        redirect_to=_page_url(proposal.pk),
        # Once out, the member no longer sees the proposal: back to their own page.
        success_redirect_to=reverse("oversight:home"),
        # Asked first: a co-signer who leaves cannot come back (the first proposer would file anew).
        confirm=Confirmation(
            title=_("退出联名"),
            consequence=_("退出后您将不再是“%(title)s”的联名人，也不能再查看本提案；此操作不能撤销。")
            % {"title": proposal.title},
            submit_label=_("确认退出联名"),
        )
        if may_act
        else None,
    )


class PaperConfirmForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(), label=gettext_lazy("联名人"), error_messages={"required": MEMBER_REQUIRED}
    )
    scan = forms.FileField(label=gettext_lazy("纸质确认书扫描件"), required=False)

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]  # ModelChoiceField's


@login_required
@require_POST
def cosign_paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff record a co-signer's signed paper confirmation, with its scan (required by the service)."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    back = _detail_url(proposal.pk)
    if not roles.is_staff_of(request.user, proposal.committee_id):
        raise PermissionDenied
    form = PaperConfirmForm(request.POST, request.FILES, members=proposal.cosigners.all())
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect(back)
    try:
        row = cosign.cosign_record_paper(
            proposal=proposal,
            actor=request.user,
            member=form.cleaned_data["member"],
            scan=form.cleaned_data["scan"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已录入%(name)s的纸质确认。") % {"name": row.member.name})
    return redirect(back)


@login_required
@require_POST
def cosign_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff remove the co-signers whose window passed unconfirmed (asked first: it cannot be undone)."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    overdue = cosign.overdue_rows(proposal) if roles.is_staff_of(request.user, proposal.committee_id) else []
    names = "、".join(row.member.name for row in overdue)
    return run_action(
        request,
        lambda: cosign.cosign_remove_unconfirmed(proposal=proposal, actor=request.user),
        success=lambda removed: _("已将%(names)s移出联名。") % {"names": "、".join(removed)},
        redirect_to=_detail_url(proposal.pk),
        confirm=Confirmation(
            title=_("移除未确认的联名人"),
            consequence=_(
                "%(names)s未在确认期限内确认，将被移出联名；如不再有联名人，本提案改为个人提案。此操作不能撤销。"
            )
            % {"names": names},
            submit_label=_("确认移除"),
        )
        if overdue
        else None,
    )
