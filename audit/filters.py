from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from . import describe
from .models import AuditEvent
from .words import OUTCOME_WORDS, event_choices


class AuditEventFilter(django_filters.FilterSet):
    """The auditor's filters: person (name or username), event, date range, outcome."""

    user = django_filters.CharFilter(label=_("人员"), method="filter_person")
    event = django_filters.ChoiceFilter(label=_("事件"), choices=event_choices)
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = django_filters.ChoiceFilter(label=_("结果"), choices=list(OUTCOME_WORDS.items()))

    class Meta:
        model = AuditEvent
        fields = ["user", "event", "date_from", "date_to", "outcome"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["user"].widget.attrs["placeholder"] = _("姓名或用户名")
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")

    def filter_person(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        text = value.strip()
        if not text:
            return queryset
        # The username as typed (also a failed login's, which has no user), or the users it names.
        match = Q(username__iexact=text)
        people = describe.find_people(text, getattr(self.request, "user", None))
        if people is not None:
            match |= Q(user_id__in=people)
        return queryset.filter(match)
