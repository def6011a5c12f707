"""Shape checks of the consultation forms; the services check rights, states and invariants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Committee, Member
from proposals.models.proposal import TEXT_MAX_CHARS
from proposals.validators import validate_phone
from replies import rules as reply_rules

from .models import ContactMethod, Method, Opinion, Satisfaction
from .ratings import TWO_SCORE_FIELDS, overall_value, rating_fields, reason_required
from .services.ratings import RATING_REASON_REQUIRED

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def handling_class_choices(proposal=None) -> list[tuple[str, StrOrPromise]]:
    """The classes of the proposal's committee (a callable: they follow the committee's rows)."""
    return [("", _("（未定）")), *((c.value, c.label) for c in reply_rules.enabled_reply_classes(proposal))]


class ScheduleForm(forms.Form):
    held_at = forms.DateTimeField(label=_("面商时间"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())
    place = forms.CharField(label=_("面商地点"), max_length=200)
    method = forms.ChoiceField(label=_("面商方式"), choices=Method.choices)
    host_name = forms.CharField(label=_("面商人"), max_length=50)
    host_phone = forms.CharField(label=_("面商人联系电话"), max_length=30, validators=[validate_phone])


class RecordForm(ScheduleForm):
    agency_name = forms.CharField(label=_("承办单位"), max_length=100)
    proposal_number = forms.CharField(label=_("提案编号"), max_length=20)
    member_name = forms.CharField(label=_("委员姓名"), max_length=50)
    work_unit = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    member_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False, validators=[validate_phone])
    # Copied from the proposal and the reply: no longer than they may be (issue 18, finding 11).
    main_content = forms.CharField(
        label=_("提案主要内容"), max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6})
    )
    reply_points = forms.CharField(
        label=_("答复意见要点"), max_length=reply_rules.TEXT_LIMITS["body"], widget=forms.Textarea(attrs={"rows": 6})
    )
    handling_class = forms.ChoiceField(
        label=_("办理情况"),
        required=False,
        choices=handling_class_choices,
    )
    # The version the editor started from: a save over someone else's newer save is refused.
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, proposal=None, other_proposers: Iterable[Member] = (), **kwargs) -> None:
        """``other_proposers``: a joint record's proposers after the first, in proposer order; the
        page lists them (read only: each has a line on the record and signs it) after the first's fields."""
        super().__init__(*args, **kwargs)
        self.fields["handling_class"].choices = handling_class_choices(proposal)  # type: ignore[attr-defined]
        self.other_proposers = list(other_proposers)
        if self.other_proposers:
            # The fields are the first proposer's; the others follow them on the page.
            self.fields["member_name"].label = _("第一提案人姓名")
            self.fields["work_unit"].label = _("第一提案人工作单位")
            self.fields["member_phone"].label = _("第一提案人联系电话")


class SignOnlineForm(forms.Form):
    opinion = forms.ChoiceField(label=_("委员意见"), choices=Opinion.choices, widget=forms.RadioSelect)
    opinion_text = forms.CharField(
        label=_("意见和要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-signature-input": ""}))
    password = forms.CharField(
        label=_("请输入登录密码确认签字"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignPaperForm(forms.Form):
    opinion = forms.ChoiceField(label=_("委员意见（按纸质记录表填写）"), choices=Opinion.choices)
    opinion_text = forms.CharField(
        label=_("意见和要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    scan = forms.FileField(
        label=_("纸质记录表扫描件（PDF、JPEG 或 PNG，不超过 20 MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, signers: Iterable[tuple[int, str]] = (), **kwargs) -> None:
        """``signers``: (member id, name) of a joint record's proposers not yet signed; the form
        then asks whose signature the scan is (a one-member record has nobody to choose). Not
        sent, it is the first of them, as the list preselects it."""
        super().__init__(*args, **kwargs)
        choices = list(signers)
        self.first_signer = choices[0][0] if choices else None
        if choices:
            self.fields = {
                "member": forms.TypedChoiceField(
                    label=_("签字的提案人"), coerce=int, choices=choices, required=False, empty_value=None
                ),
                **self.fields,
            }

    def clean_member(self) -> int | None:
        """Left empty: the first of the proposers still to sign, as the list preselects."""
        member = self.cleaned_data.get("member")
        return member if member is not None else self.first_signer


class RatingForm(forms.Form):
    """The rating in the committee's mode (``consultations.ratings.rating_fields``): one score
    (``value``), or 办理态度, 办理结果 and 沟通方式 — then ``cleaned_data["value"]`` is the derived
    overall score, so the page can ask before a 不满意 whichever the mode."""

    value = forms.ChoiceField(label=_("测评结果"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    attitude = forms.ChoiceField(label=_("办理态度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(
        label=_("办理结果"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        help_text=_("“办理结果”为不满意时，承办单位将重新办理。"),
    )
    contact_method = forms.ChoiceField(
        label=_("沟通方式"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        help_text=_("承办单位办理时与您沟通的方式。"),
    )
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("选择“基本满意”或“不满意”时必填，承办单位可以看到。"),
    )

    def __init__(self, *args, committee: Committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rating_fields = rating_fields(committee)
        for name in ("value", *TWO_SCORE_FIELDS):
            if name not in self.rating_fields:
                del self.fields[name]

    @property
    def two_scores(self) -> bool:
        return "value" not in self.rating_fields

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.two_scores and data.get("attitude") and data.get("result"):
            data["value"] = overall_value(attitude=data["attitude"], result=data["result"])
        scores = [data.get(name) or "" for name in ("value", "attitude", "result")]
        if reason_required(scores) and not data.get("comment", "").strip():
            self.add_error("comment", RATING_REASON_REQUIRED)
        return data

    def scores(self) -> dict[str, str]:
        """The scores for ``rating_submit``, as the mode asks them (the service derives ``value``)."""
        return {name: self.cleaned_data[name] for name in self.rating_fields}


class RatingOnBehalfForm(RatingForm):
    member = forms.TypedChoiceField(label=_("委员"), coerce=int)
    paper_form = forms.FileField(
        label=_("委员填写的纸质测评表扫描件（PDF、JPEG 或 PNG）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, committee: Committee, members: Iterable[Member] = (), **kwargs) -> None:
        super().__init__(*args, committee=committee, **kwargs)
        member_field = self.fields["member"]
        assert isinstance(member_field, forms.ChoiceField)  # declared above as a TypedChoiceField
        member_field.choices = [(m.pk, m.name) for m in members]


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("办结理由（未全部获满意或基本满意测评时必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
