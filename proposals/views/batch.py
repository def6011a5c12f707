"""Batch actions on the staff list (issue 20): choose rows, see what will happen, confirm, read each
row's outcome. The rows go through the single action's service one by one (``proposals.batch``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import roles, services
from ..batch import MAX_BATCH, NOTHING_CHOSEN, TOO_MANY, BatchAction, BatchSpec, run_batch
from ..filters import PlainSelect
from ..http import AuthenticatedHttpRequest
from ..selectors.lists import batch_rows, list_ids, with_default_meeting
from ..selectors.registry import active_agencies_of, active_decline_reasons_of
from ..view_actions import CONFIRM_FIELD, is_confirmed

SCOPE_SELECTED = "selected"
SCOPE_ALL = "all"

AGENCY_REQUIRED = gettext_lazy("请选择主办单位。")
BAD_IDS = gettext_lazy("所选提案有误，请返回列表重新选择。")


class IdsField(forms.Field):
    """The ticked rows: every ``ids`` value of the POST, as integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise ValidationError(BAD_IDS) from None


class BatchForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("批量操作"), choices=BatchAction.choices, widget=PlainSelect)
    scope = forms.ChoiceField(
        label=gettext_lazy("范围"),
        choices=[
            (SCOPE_SELECTED, gettext_lazy("所选提案")),
            (SCOPE_ALL, gettext_lazy("符合筛选条件的全部提案")),
        ],
        initial=SCOPE_SELECTED,
        widget=PlainSelect,
    )
    ids = IdsField(required=False)
    # The list's query string: which rows "all matching the filter" are.
    filter = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.ModelChoiceField(
        label=gettext_lazy("不予立案理由"),
        queryset=active_decline_reasons_of(0),
        required=False,
        empty_label=gettext_lazy("（请选择）"),
        widget=PlainSelect,
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("主办单位"),
        queryset=active_agencies_of(0),
        required=False,
        empty_label=gettext_lazy("（请选择）"),
        widget=PlainSelect,
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        committee_id = roles.committee_scope(user) or 0
        self.fields["reason"].queryset = active_decline_reasons_of(committee_id)  # type: ignore[attr-defined]
        self.fields["agency"].queryset = active_agencies_of(committee_id)  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field.widget, PlainSelect):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(field.widget, forms.HiddenInput | forms.MultipleHiddenInput):
                field.widget.attrs["class"] = "form-control form-control-sm"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        # The shape of the input only; the services decide every rule again for each row.
        if action == BatchAction.DECLINE and not data.get("reason"):
            self.add_error("reason", services.DECLINE_REASON_REQUIRED)
        if action == BatchAction.ASSIGN and not data.get("agency"):
            self.add_error("agency", AGENCY_REQUIRED)
        if action == BatchAction.URGE and not (data.get("note") or "").strip():
            self.add_error("note", services.URGE_NOTE_REQUIRED)
        if data.get("scope") == SCOPE_SELECTED and not data.get("ids") and "ids" not in self.errors:
            self.add_error(None, NOTHING_CHOSEN)
        return data

    def spec(self) -> BatchSpec:
        data = self.cleaned_data
        return BatchSpec(action=data["action"], reason=data["reason"], agency=data["agency"], note=data["note"])


def batch_choices(user: Any) -> BatchForm:
    """The batch bar of the staff list (an unbound form)."""
    return BatchForm(user=user)


def _target(spec: BatchSpec) -> str:
    """To whom or with what the action is taken, as the preview says it."""
    parts = []
    if spec.action == BatchAction.DECLINE and spec.reason is not None:
        parts.append(_("理由：%(reason)s") % {"reason": spec.reason.text})
    if spec.action == BatchAction.ASSIGN and spec.agency is not None:
        parts.append(_("主办单位：%(agency)s（办理时限按本次会议的默认规则）") % {"agency": spec.agency.name})
    # 立案 and 交办 take no note: it would not be written anywhere.
    if spec.note and spec.action in (BatchAction.DECLINE, BatchAction.KEY, BatchAction.URGE):
        parts.append(_("说明：%(note)s") % {"note": spec.note})
    return "；".join(parts)


def _list_url(filter_query: str) -> str:
    url = reverse("proposals:list")
    return f"{url}?{filter_query}" if filter_query else url


def _error_page(
    request: AuthenticatedHttpRequest, form: BatchForm, filter_query: str, message: str = ""
) -> HttpResponse:
    errors = [message] if message else [str(e) for errs in form.errors.values() for e in errs]
    return render(request, "proposals/batch_preview.html", {"errors": errors, "cancel_url": _list_url(filter_query)})


@login_required
@require_POST
def proposal_batch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Without ``confirm=1``: the preview (which rows, which action, to whom). With it: run and list
    each row's outcome. Staff only; rows limited to what they may see and to ``MAX_BATCH``."""
    if not roles.is_staff(request.user):
        raise PermissionDenied
    form = BatchForm(request.POST, user=request.user)
    filter_query = request.POST.get("filter", "")
    if not form.is_valid():
        return _error_page(request, form, filter_query)
    if form.cleaned_data["scope"] == SCOPE_ALL:
        params = with_default_meeting(request.user, QueryDict(filter_query))
        ids = list_ids(request.user, params, limit=MAX_BATCH + 1)
    else:
        ids = list(dict.fromkeys(form.cleaned_data["ids"]))
    if len(ids) > MAX_BATCH:
        return _error_page(request, form, filter_query, str(TOO_MANY % {"max": MAX_BATCH}))
    rows = list(batch_rows(request.user, ids))
    if not rows:
        return _error_page(request, form, filter_query, str(NOTHING_CHOSEN))
    spec = form.spec()
    action_label = BatchAction(spec.action).label
    if not is_confirmed(request):
        data = form.cleaned_data
        fields = [
            ("action", spec.action),
            ("scope", SCOPE_SELECTED),
            ("filter", filter_query),
            ("reason", str(data["reason"].pk) if data["reason"] else ""),
            ("agency", str(data["agency"].pk) if data["agency"] else ""),
            ("note", data["note"]),
            *(("ids", str(row.pk)) for row in rows),
        ]
        return render(
            request,
            "proposals/batch_preview.html",
            {
                "rows": rows,
                "action_label": action_label,
                "target": _target(spec),
                "fields": fields,
                "confirm_field": CONFIRM_FIELD,
                "cancel_url": _list_url(filter_query),
            },
        )
    outcomes = run_batch(spec=spec, proposals=rows, actor=request.user)
    succeeded = sum(1 for o in outcomes if o.ok)
    return render(
        request,
        "proposals/batch_result.html",
        {
            "outcomes": outcomes,
            "action_label": action_label,
            "target": _target(spec),
            "succeeded": succeeded,
            "failed": len(outcomes) - succeeded,
            "back_url": _list_url(filter_query),
        },
    )
