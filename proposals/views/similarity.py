"""Similar proposals: staff mark a pair "不相似" from the proposal's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import roles, selectors
from ..http import AuthenticatedHttpRequest
from ..services.similarity import similarity_dismiss
from ..view_actions import Confirmation, run_action

OTHER_REQUIRED = gettext_lazy("请选择要标记为不相似的提案。")


@login_required
@require_POST
def similarity_dismiss_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_proposal_for_user(request.user, pk)
    back = reverse("proposals:detail", args=[proposal.pk])
    try:
        other_id = int(request.POST.get("other", ""))
    except ValueError:
        messages.error(request, OTHER_REQUIRED)
        return redirect(back)
    # The other proposal through the same rule: one the user may not see is "missing".
    other = selectors.get_proposal_for_user(request.user, other_id)
    return run_action(
        request,
        lambda: similarity_dismiss(proposal=proposal, other=other, actor=request.user),
        success=_("已标记为不相似，该提案不再列入相似提案。"),
        redirect_to=back,
        # Asked first: a pair marked 不相似 is never listed again, and the mark cannot be taken back.
        confirm=Confirmation(
            title=_("标记为不相似"),
            consequence=_("标记后，“%(title)s”不再列入本提案的相似提案（反之亦然），标记不能撤销。")
            % {"title": other.title},
            submit_label=_("确认标记为不相似"),
        )
        if roles.is_staff_of(request.user, proposal.committee_id)
        else None,
    )
