"""并案 pages: staff choose the proposals to merge into one (the similar ones of its meeting are
offered, others by number), and take a proposal out of its group or dissolve the group."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors
from ..errors import DomainError
from ..http import AuthenticatedHttpRequest
from ..models import Proposal
from ..services.merging import (
    MERGEABLE_STATES,
    can_merge,
    can_unmerge,
    proposal_name,
    proposal_unmerge,
    proposals_merge,
)
from ..similarity import similar_proposals
from ..view_actions import Confirmation, run_action

# How many similar proposals of the meeting the page offers.
SIMILAR_OFFERED = 10

NUMBER_UNKNOWN = gettext_lazy("本次会议没有编号为 %(numbers)s 的提案。")
NUMBERS_HELP = gettext_lazy("可填写本次会议其他提案的编号，多个编号以逗号、顿号或空格分隔。")


def _split_numbers(text: str) -> list[str]:
    return [n for n in re.split(r"[\s,，、;；]+", text.strip()) if n]


class MergeForm(forms.Form):
    """The proposals to merge into the page's proposal: ticked among the offered ones, or by number."""

    others = forms.TypedMultipleChoiceField(
        label=gettext_lazy("相似提案"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    numbers = forms.CharField(label=gettext_lazy("按编号添加"), required=False, max_length=500, help_text=NUMBERS_HELP)

    def __init__(self, *args, lead: Proposal, offered: list[tuple[Proposal, int]], user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.user = user
        others = self.fields["others"]
        assert isinstance(others, forms.TypedMultipleChoiceField)
        others.choices = [(p.pk, _offer_label(p, percent)) for p, percent in offered]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        chosen = set(data.get("others") or [])
        numbers = _split_numbers(data.get("numbers") or "")
        if numbers:
            # Through the user's own visibility rule, within the lead's meeting.
            found = dict(
                selectors.proposals_visible_to(self.user)
                .filter(meeting_id=self.lead.meeting_id, number__in=numbers)
                .values_list("number", "pk")
            )
            unknown = [n for n in numbers if n not in found]
            if unknown:
                self.add_error("numbers", NUMBER_UNKNOWN % {"numbers": "、".join(unknown)})
            chosen |= set(found.values())
        if not self.errors and not chosen:
            raise forms.ValidationError(_("请选择要并入的提案。"))
        data["chosen"] = chosen
        return data


def _offer_label(proposal: Proposal, percent: int) -> str:
    who = proposal.first_proposer.name if proposal.first_proposer_id and proposal.first_proposer else proposal.body_name
    number = proposal.display_number or _("未编号")
    similarity = _("相似度 %(percent)s%%") % {"percent": percent}
    return f"{number} {proposal.title}（{who}，{similarity}）" if who else f"{number} {proposal.title}（{similarity}）"


def _offered(proposal: Proposal) -> list[tuple[Proposal, int]]:
    """The similar proposals of the same meeting that may join the group, with their score in %."""
    pairs = similar_proposals(proposal, limit=SIMILAR_OFFERED * 2)
    candidates = [
        (other, score)
        for other, score in pairs
        if other.meeting_id == proposal.meeting_id and other.status in MERGEABLE_STATES and other.merged_into_id is None
    ]
    return [(other, round(score * 100)) for other, score in candidates[:SIMILAR_OFFERED]]


@login_required
@require_http_methods(["GET", "POST"])
def proposal_merge_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    if not can_merge(request.user, proposal):
        raise PermissionDenied
    offered = _offered(proposal)
    form = MergeForm(request.POST or None, lead=proposal, offered=offered, user=request.user)
    if request.method == "POST" and form.is_valid():
        others = list(Proposal.objects.filter(pk__in=form.cleaned_data["chosen"]))
        try:
            merged = proposals_merge(lead=proposal, others=others, actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已并案：%(names)s并入本提案，随本提案办理。")
                % {"names": "、".join(proposal_name(p) for p in merged)},
            )
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "proposals/merge.html", {"proposal": proposal, "form": form, "offered": offered})


# The group box's forms name the page they were sent from, to land back on it.
BACK_FIELD = "back"


def _back_page(request: AuthenticatedHttpRequest, proposal: Proposal, lead: Proposal) -> str:
    """The page the button was pressed on: a proposal of the group (the one taken out, the lead or
    another member) that the user sees; without one, the lead's page, which shows what is left."""
    group = {proposal.pk, lead.pk, *Proposal.objects.filter(merged_into_id=lead.pk).values_list("pk", flat=True)}
    try:
        back = int(request.POST.get(BACK_FIELD, ""))
    except ValueError:
        back = lead.pk
    if back not in group or not selectors.proposals_visible_to(request.user).filter(pk=back).exists():
        back = lead.pk
    return reverse("proposals:detail", args=[back])


@login_required
@require_POST
def proposal_unmerge_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """撤销并案 from the group box: on a merged proposal, it leaves the group; on the lead, the group
    is dissolved. Asked first (data-confirm-dialog, or the confirmation page without JavaScript);
    either way the user lands back on the page they pressed the button on, often the lead's."""
    proposal = selectors.get_proposal_for_user(request.user, pk)
    is_lead = proposal.merged_into_id is None  # on the lead, undo the whole group
    lead_id = proposal.merged_into_id
    lead = proposal if lead_id is None else selectors.get_proposal_for_user(request.user, lead_id)
    back = _back_page(request, proposal, lead)
    if is_lead:
        confirmation = Confirmation(
            title=_("撤销并案"),
            consequence=_("撤销后，并入本提案的各件提案恢复单独办理（已立案的保留编号），需要时可重新并案。"),
            submit_label=_("确认撤销并案"),
        )
    else:
        confirmation = Confirmation(
            title=_("移出并案"),
            consequence=_("移出后，本提案不再随%(lead)s办理，恢复单独办理（已立案的保留编号）。")
            % {"lead": proposal_name(lead)},
            submit_label=_("确认移出并案"),
        )
    return run_action(
        request,
        lambda: proposal_unmerge(proposal=proposal, actor=request.user),
        success=_("已撤销并案。")
        if is_lead
        else _("已移出并案：%(name)s恢复单独办理。") % {"name": proposal_name(proposal)},
        redirect_to=back,
        confirm=confirmation if can_unmerge(request.user, lead) else None,
    )
