from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENT_LABELS, AuditEvent, Outcome


class AuditEventFilter(django_filters.FilterSet):
    event = django_filters.ChoiceFilter(label=_("事件"), choices=list(EVENT_LABELS.items()))
    user = django_filters.CharFilter(label=_("用户名"), field_name="username", lookup_expr="iexact")
    outcome = django_filters.ChoiceFilter(label=_("结果"), choices=Outcome.choices)
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["event", "user", "outcome", "date_from", "date_to"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")
