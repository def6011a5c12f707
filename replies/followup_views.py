"""Pages of 跟踪办理 (``replies.followup``): an assignment's follow-ups with the report form, and
the list of follow-ups for staff and agencies. Thin: access helper, form, service, redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from proposals import roles
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Assignment, User
from proposals.selectors import get_assignment_for_user
from proposals.view_actions import Confirmation, run_action

from . import followup, rules
from .models import FollowUp, FollowUpStatus

PER_PAGE = 50


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("办理情况报告"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=followup.REPORT_MAX_CHARS,
    )
    new_class = forms.ChoiceField(
        label=gettext_lazy("现答复类别"),
        required=False,
        help_text=gettext_lazy("所提问题已解决等、类别有变化的，请选择现在的类别"),
    )

    def __init__(self, *args, assignment: Assignment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        classes = rules.enabled_reply_classes(assignment.proposal.committee_id)
        unchanged: list[tuple[str, str]] = [("", _("类别不变"))]
        field = self.fields["new_class"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = unchanged + [(c.value, f"{c.label} {c.definition}") for c in classes]


def follow_up_rows(user: User, assignment: Assignment) -> list[FollowUp]:
    """The assignment's follow-ups this user may see, newest first, each with its class labels."""
    rows = list(
        followup.follow_ups_visible_to(user)
        .filter(assignment=assignment)
        .select_related("filed_by", "reply")
        .order_by("-reply__round", "-round")
    )
    labels = followup.class_labels(assignment.proposal.committee_id)
    _label(rows, lambda row: labels)
    return rows


def _label(rows, labels_of) -> None:
    for row in rows:
        labels = labels_of(row)
        row.before_label = labels.get(row.class_before, row.class_before)
        row.after_label = labels.get(row.class_after, row.class_after)


def follow_up_panel(user: User, assignment: Assignment) -> dict:
    """What the assignment's page shows of its follow-ups: the rows, and whether to link the form."""
    rows = follow_up_rows(user, assignment)
    open_row = next((r for r in rows if r.status == FollowUpStatus.OPEN), None)
    return {"rows": rows, "open": open_row, "can_file": open_row is not None and followup.can_file(user, open_row)}


def _page_url(assignment: Assignment) -> str:
    return reverse("replies:follow_up", kwargs={"assignment_id": assignment.pk})


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_page(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    """GET: the assignment's follow-ups (and the report form for its agency). POST: file the report."""
    assignment = get_assignment_for_user(request.user, assignment_id)
    panel = follow_up_panel(request.user, assignment)
    form = None
    if request.method == "POST":
        open_row = panel["open"]
        if open_row is None:
            messages.error(request, str(followup.FOLLOW_UP_NOT_OPEN))
            return redirect(_page_url(assignment))
        form = FollowUpForm(request.POST, assignment=assignment)
        if form.is_valid():
            text = form.cleaned_data["text"]
            new_class = form.cleaned_data["new_class"]
            return run_action(
                request,
                lambda: followup.followup_file(followup=open_row, actor=request.user, text=text, new_class=new_class),
                success=_("跟踪办理情况已报告。"),
                redirect_to=_page_url(assignment),
                confirm=Confirmation(
                    title=_("报告跟踪办理情况"),
                    consequence=_("报告提交后不能修改，委员和提案委员会将收到通知。"),
                    submit_label=_("确认报告"),
                )
                if panel["can_file"]
                else None,
            )
    elif panel["can_file"]:
        form = FollowUpForm(assignment=assignment)
    return render(
        request,
        "replies/follow_up.html",
        {
            "assignment": assignment,
            "proposal": assignment.proposal,
            "follow_ups": panel,
            "form": form if panel["can_file"] else None,
        },
        status=200,
    )


FILTERS = {
    "open": lambda qs, today: qs.open(),
    "overdue": lambda qs, today: qs.overdue(today),
    "filed": lambda qs, today: qs.filter(status=FollowUpStatus.FILED),
    "all": lambda qs, today: qs,
}


@login_required
@require_GET
def follow_up_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff (their committees') and agencies (their own): follow-ups by deadline, open ones by default."""
    user = request.user
    if not (roles.sees_all_proposals(user) or roles.is_agency_user(user)):
        raise Http404
    shown = request.GET.get("status", "open")
    if shown not in FILTERS:
        shown = "open"
    today = timezone.localdate()
    qs = FILTERS[shown](followup.follow_ups_visible_to(user), today)
    qs = qs.select_related("assignment__proposal__committee", "assignment__proposal__meeting", "assignment__agency")
    page = Paginator(qs.order_by("due_date", "id"), PER_PAGE).get_page(request.GET.get("page"))
    by_committee: dict[int, dict[str, str]] = {}

    def labels_of(row: FollowUp) -> dict[str, str]:
        committee_id = row.assignment.proposal.committee_id
        if committee_id not in by_committee:
            by_committee[committee_id] = followup.class_labels(committee_id)
        return by_committee[committee_id]

    _label(page.object_list, labels_of)
    filters = [
        ("open", _("待报告")),
        ("overdue", _("已超期")),
        ("filed", _("已报告")),
        ("all", _("全部")),
    ]
    return render(
        request,
        "replies/follow_up_list.html",
        {"page": page, "shown": shown, "filters": filters, "today": today},
    )
