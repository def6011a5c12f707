"""The proposal list's filters. Always applied on top of ``proposals_visible_to(user)``."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import DateInput
from .models import (
    OPEN_ASSIGNMENT_STATES,
    Agency,
    Assignment,
    AssignmentStatus,
    Category,
    Meeting,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
)
from .search import search_proposals

BOOLEAN_CHOICES = [("true", _("是")), ("false", _("否"))]


def _live_assignments():
    return Assignment.objects.filter(proposal=OuterRef("pk")).exclude(status=AssignmentStatus.RETURNED)


def with_next_due(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate the earliest due date of the live assignments, so the list can sort on it."""
    # A correlated subquery, not Min() over a join: an aggregate makes every list query and its count
    # GROUP BY all assignments (at 100,000 proposals: 1.4 s on SQLite instead of 30 ms).
    earliest = _live_assignments().order_by("due_date").values("due_date")[:1]
    return qs.annotate(next_due=Subquery(earliest))


DEFAULT_ORDER = ("-meeting__term", "-meeting__session", "sequence", "id")


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorting that puts rows without a value (no due date yet) last on every database, then by id."""

    def filter(self, qs, value):
        if not value:
            return qs.order_by(*DEFAULT_ORDER)
        ordering = [self.get_ordering_value(param) for param in value]
        exprs = [F(o[1:]).desc(nulls_last=True) if o.startswith("-") else F(o).asc(nulls_last=True) for o in ordering]
        return qs.order_by(*exprs, "id")


class ProposalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("标题或内容"), method="filter_text")
    meeting = django_filters.ModelChoiceFilter(queryset=Meeting.objects.all(), label=_("会议"))
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("状态"))
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("承办单位"), method="filter_agency"
    )
    proposer = django_filters.CharFilter(label=_("提案人"), method="filter_proposer")
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("类别"))
    is_key = django_filters.BooleanFilter(
        label=_("重点提案"), widget=forms.Select(choices=[("", "---------"), *BOOLEAN_CHOICES])
    )
    overdue = django_filters.BooleanFilter(
        label=_("超期"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", "---------"), *BOOLEAN_CHOICES]),
    )
    due_after = django_filters.DateFilter(label=_("办理时限自"), method="filter_due_after", widget=DateInput())
    due_before = django_filters.DateFilter(label=_("办理时限至"), method="filter_due_before", widget=DateInput())
    o = NullsLastOrderingFilter(
        label=_("排序"),
        fields=(
            ("sequence", "number"),
            ("title", "title"),
            ("created_at", "created"),
            ("status", "status"),
            ("next_due", "due"),
        ),
        field_labels={
            "sequence": _("编号"),
            "title": _("标题"),
            "created_at": _("录入时间"),
            "status": _("状态"),
            "next_due": _("办理时限"),
        },
    )

    class Meta:
        model = Proposal
        fields = ["q", "meeting", "status", "agency", "proposer", "category", "is_key"]

    def filter_text(self, qs, name, value):
        return search_proposals(qs, value)

    def filter_agency(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Exists(_live_assignments().filter(agency=value)))

    def filter_proposer(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        cosigned = ProposalCosigner.objects.filter(proposal=OuterRef("pk"), member__name__icontains=value)
        return qs.filter(Q(first_proposer__name__icontains=value) | Q(body_name__icontains=value) | Exists(cosigned))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = Assignment.objects.filter(
            proposal=OuterRef("pk"), status__in=OPEN_ASSIGNMENT_STATES, due_date__lt=timezone.localdate()
        )
        return qs.filter(Exists(late)) if value else qs.exclude(Exists(late))

    def filter_due_after(self, qs, name, value):
        return qs.filter(Exists(_live_assignments().filter(due_date__gte=value))) if value else qs

    def filter_due_before(self, qs, name, value):
        return qs.filter(Exists(_live_assignments().filter(due_date__lte=value))) if value else qs
