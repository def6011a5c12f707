"""The proposal list's filters. Always applied on top of ``proposals_visible_to(user)``."""

from __future__ import annotations

from html import escape

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .choices import CosignStatus
from .forms import DateInput
from .models import (
    Agency,
    Assignment,
    Category,
    Meeting,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
)
from .search import search_proposals
from .selectors import count_visible_with_agency

BOOLEAN_CHOICES = [("true", _("是")), ("false", _("否"))]


def _live_assignments():
    """Assignments that still count (not returned), not yet tied to a proposal."""
    return Assignment.objects.live()


class PlainSelect(forms.Select):
    """A ``<select>`` written out in Python. Django renders a select with one template per option,
    and builds a dict of attributes per option before that: the list's filter form (the agency
    select has 80 options, on every list page) cost more than the 50 rows of the list. This reads
    the choices once and escapes each label and value: the same markup in a fraction of the time."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group: (group name, [(value, label), …])
                parts.append(f'<optgroup label="{escape(str(option_value))}">')
                parts.extend(_option(v, sub_label, chosen) for v, sub_label in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every name, value and label above is escaped


def _option(value, label, chosen: set[str]) -> str:
    value = "" if value is None else str(value)
    selected = " selected" if value in chosen else ""
    return f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>'


# Latest meeting first, then by number, the unnumbered ones (not yet registered) after the numbered
# ones of their meeting. PostgreSQL puts NULLs last in ascending order anyway and walks the
# ``proposal_committee_order`` index; SQLite puts them first, so it sorts the rows of a meeting
# (the index still gives the meetings' order, and the page stops after the first meeting or two).
DEFAULT_ORDER = (F("meeting_order").desc(), F("sequence").asc(nulls_last=True), F("id").asc())

# What an empty choice of a filter reads: no narrowing ("---------" says nothing to a user).
ALL_LABEL = _("全部")


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorting that puts rows without a value (no due date yet) last on every database, then by id."""

    def filter(self, qs, value):
        if not value:
            return qs.order_by(*DEFAULT_ORDER)
        exprs = []
        descending = False
        for param in value:
            name = self.get_ordering_value(param)
            field = name.lstrip("-")
            # NULLS LAST only where there can be NULLs: on a NOT NULL column it would keep SQLite and
            # PostgreSQL (descending) from walking the column's index (Proposal.Meta.indexes).
            nulls_last = True if Proposal._meta.get_field(field).null else None
            descending = name.startswith("-")
            exprs.append(F(field).desc(nulls_last=nulls_last) if descending else F(field).asc(nulls_last=nulls_last))
        # Ties by id in the same direction, so one index read backwards gives the whole order.
        return qs.order_by(*exprs, "-id" if descending else "id")


class ProposalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("标题或内容"), method="filter_text")
    meeting = django_filters.ModelChoiceFilter(queryset=Meeting.objects.all(), label=_("会议"), empty_label=ALL_LABEL)
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("状态"), empty_label=ALL_LABEL)
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("承办单位"), method="filter_agency", empty_label=ALL_LABEL
    )
    proposer = django_filters.CharFilter(label=_("提案人"), method="filter_proposer")
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("类别"), empty_label=ALL_LABEL)
    is_key = django_filters.BooleanFilter(
        label=_("重点提案"), widget=forms.Select(choices=[("", ALL_LABEL), *BOOLEAN_CHOICES])
    )
    overdue = django_filters.BooleanFilter(
        label=_("超期"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", ALL_LABEL), *BOOLEAN_CHOICES]),
    )
    cosign_pending = django_filters.BooleanFilter(
        label=_("联名待确认"),
        method="filter_cosign_pending",
        widget=forms.Select(choices=[("", ALL_LABEL), *BOOLEAN_CHOICES]),
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

    @property
    def form(self):
        """The filter form with Bootstrap's classes on its widgets, rendered by ``{{ field }}`` (no crispy).

        Crispy's field template and Django's one-template-per-option select took a third of the
        list page's time on this form of ten fields (``PlainSelect``).
        """
        styled = hasattr(self, "_form")  # FilterSet.form builds the form once, into _form
        form = super().form
        if not styled:
            for field in form.fields.values():
                widget = field.widget
                if type(widget) is forms.Select:  # not the ordering's CSV widget, which reads its value its own way
                    field.widget = widget = PlainSelect(attrs=widget.attrs, choices=widget.choices)
                    widget.attrs["class"] = "form-select form-select-sm"
                elif not isinstance(widget, forms.Select):
                    widget.attrs["class"] = "form-control form-control-sm"
        return form

    # Set while ``count_qs`` is built: filters on assignments are then written as ``IN (SELECT …)``.
    _counting = False

    def __init__(self, *args, count_base: QuerySet[Proposal] | None = None, user=None, **kwargs):
        """``count_base``: the rows of ``queryset`` written for counting (``proposals_visible_to(for_count=True)``);
        ``user``: whose committees' meetings, agencies and categories the choices offer."""
        super().__init__(*args, **kwargs)
        self.count_base = count_base
        self.user = user
        # The staff search's matches in replies and records, read once for the page and the count.
        self._related_ids: dict = {}
        from .selectors.registry import agencies_for, categories_for, meetings_for

        choices = {
            "meeting": meetings_for(user, read=True),
            "agency": agencies_for(user, active=False, read=True),
            "category": categories_for(user, active=False, read=True),
        }
        for name, queryset in choices.items():
            self.filters[name].queryset = queryset  # type: ignore[attr-defined]  # ModelChoiceFilter's

    @property
    def count_qs(self) -> QuerySet[Proposal]:
        """The proposals of ``qs``, written so that counting them does not probe every proposal.

        A filter on assignments is an ``EXISTS`` tied to each proposal in ``qs``: the page query
        walks the list's order index and stops after 50 rows that pass it. Counting with it probes
        the assignments once per proposal of the whole table (SQLite, busiest agency: 61 ms for
        100,000 probes). ``IN (SELECT proposal_id …)`` reads the agency's assignments once and looks
        their proposals up by id in ``proposal_id_visible`` (13 ms); PostgreSQL plans both forms as
        the same semi-join. Only for "with": "without" stays ``NOT EXISTS`` (``_with_assignment``).
        The page query keeps ``EXISTS``: with ``IN``, SQLite starts from the 26,000 ids and sorts
        them (3 → 89 ms).
        """
        base = self.count_base if self.count_base is not None else self.queryset
        if base is None:  # FilterSet.__init__ sets queryset (the model's default) when none is given
            raise TypeError("ProposalFilter has no queryset")
        if not self.is_bound:
            return base.all()
        self.is_valid()  # as in ``qs``: validate first, then filter by the fields that are valid
        self._counting = True
        try:
            return self.filter_queryset(base.all())
        finally:
            self._counting = False

    def count(self, user) -> int:
        """The number of proposals in ``qs``: from the assignment index when the list is one
        agency's and nothing else is asked (``selectors.count_visible_with_agency``), else
        ``count_qs``."""
        agency_id = None
        if self.is_bound and self.is_valid():
            asked = {n for n, v in self.form.cleaned_data.items() if n != "o" and v not in (None, "", [], ())}
            if asked == {"agency"}:
                agency_id = self.form.cleaned_data["agency"].pk
            elif not asked:
                agency_id = getattr(user, "agency_id", None)
        elif not self.is_bound:
            agency_id = getattr(user, "agency_id", None)
        if agency_id is not None:
            count = count_visible_with_agency(user, agency_id)
            if count is not None:
                return count
        return self.count_qs.count()

    def _with_assignment(self, qs, assignments, *, present: bool = True):
        """The proposals of ``qs`` with (``present``) or without at least one of ``assignments``."""
        if self._counting and present:
            return qs.filter(pk__in=assignments.values("proposal_id"))
        # NOT IN is no anti-join on PostgreSQL (a hashed subplan while it fits in work_mem, then a
        # rescan per row): "without" stays NOT EXISTS in the count too.
        match = Exists(assignments.filter(proposal=OuterRef("pk")))
        return qs.filter(match) if present else qs.exclude(match)

    def filter_text(self, qs, name, value):
        return search_proposals(qs, value, user=self.user, related_ids=self._related_ids)

    def filter_agency(self, qs, name, value):
        if not value:
            return qs
        return self._with_assignment(qs, _live_assignments().filter(agency=value))

    def filter_proposer(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        cosigned = ProposalCosigner.objects.filter(proposal=OuterRef("pk"), member__name__icontains=value)
        return qs.filter(Q(first_proposer__name__icontains=value) | Q(body_name__icontains=value) | Exists(cosigned))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = Assignment.objects.overdue()
        return self._with_assignment(qs, late, present=value)

    def filter_cosign_pending(self, qs, name, value):
        """Joint proposals with (or without) a co-signer still asked to confirm (联名确认)."""
        if value is None:
            return qs
        pending = Exists(ProposalCosigner.objects.filter(proposal=OuterRef("pk"), status=CosignStatus.PENDING))
        return qs.filter(pending) if value else qs.exclude(pending)

    def filter_due_after(self, qs, name, value):
        return self._with_assignment(qs, _live_assignments().filter(due_date__gte=value)) if value else qs

    def filter_due_before(self, qs, name, value):
        return self._with_assignment(qs, _live_assignments().filter(due_date__lte=value)) if value else qs
