"""Forms check the shape of the input; the services decide whether the move is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from . import roles, services
from .models import Agency, AssignmentRole, Category, DeclineReason, Meeting, Member, Proposal, ProposerKind
from .models.proposal import REFUSAL_REASON_MAX_CHARS, TEXT_MAX_CHARS
from .proposers import cosigner_rows
from .selectors import pickers, registry
from .services.filing import REFUSAL_REASON_REQUIRED
from .uploads import check_upload
from .validators import validate_phone

LEAD_REQUIRED = _("请选择主办单位。")
SPLIT_REQUIRED = _("分办请至少指定一个承办单位。")
SCOPE_REQUIRED = _("请填写该单位负责答复的部分，例如“第二条”。")
MODE_LEAD = "lead"
MODE_SPLIT = "split"
# What the search-as-you-type pickers (static/js/pickers.js) say; without JavaScript they are plain selects.
PICKER_HINT_MEMBER = _("输入姓名、拼音首字母、界别或工作单位查找")
PICKER_HINT_MEMBER_NO_UNIT = _("输入姓名、拼音首字母或界别查找")
PICKER_HINT_AGENCY = _("输入单位名称或简称查找")
PICKER_LOADING = _("正在查找…")
PICKER_NO_RESULTS = _("没有找到匹配的结果")
PICKER_FOUND = _("找到 %(n)s 项")
PICKER_FAILED = _("查找失败，请重试")
PICKER_REMOVE = _("移除")
CONSENT_YES = "yes"
CONSENT_NO = "no"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each one is checked by content (``proposals.uploads``)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        errors: list[str] = []
        for upload in cleaned:
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors.extend(f"{upload.name}：{m}" for m in exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _members():
    """Nobody until the form knows whose committee it is for (``registry.members_for``)."""
    return Member.objects.none()


def picker_attrs(kind: str, *, hint) -> dict[str, object]:
    """The attributes that turn a select into a search-as-you-type picker loading from the
    ``proposals:picker_<kind>`` endpoint, with the texts it shows and announces."""
    return {
        "data-picker": reverse_lazy(f"proposals:picker_{kind}"),
        "data-picker-hint": hint,
        "data-picker-loading": PICKER_LOADING,
        "data-picker-empty": PICKER_NO_RESULTS,
        "data-picker-found": PICKER_FOUND,
        "data-picker-failed": PICKER_FAILED,
        "data-picker-remove": PICKER_REMOVE,
    }


class _MemberLabels:
    """A member is named with 界别, and work unit for those who see personal data, so that namesakes
    can be told apart in a plain select as in the picker (``pickers.member_label``)."""

    with_work_unit = False

    def label_from_instance(self, obj: Member) -> str:
        return pickers.member_label(obj, with_work_unit=self.with_work_unit)


class MemberChoiceField(_MemberLabels, forms.ModelChoiceField):
    pass


class OrderedSelectMultiple(forms.SelectMultiple):
    """A multiple select whose chosen options come first, in the order of its value: the browser
    sends the chosen options in the list's order, so a form opened again and saved unchanged keeps
    the co-signers' order instead of re-sorting them by name."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        place = {str(v): i for i, v in reversed(list(enumerate(value or [])))}

        def key(item):
            position, (group_name, options, _index) = item
            if group_name is None and len(options) == 1 and str(options[0]["value"]) in place:
                return (0, place[str(options[0]["value"])])
            return (1, position)

        return [group for _position, group in sorted(enumerate(groups), key=key)]


class MemberMultipleChoiceField(_MemberLabels, forms.ModelMultipleChoiceField):
    """The chosen members in the order they were sent, which is the order they were picked (the
    picker appends each choice to the select): the filing services store co-signers in this order,
    and the record, the letter and the ratings follow it. A plain select sends its list's order."""

    def clean(self, value) -> list[Member]:  # type: ignore[override]  # an ordered list, not a queryset
        chosen = super().clean(value)
        key = self.to_field_name or "pk"
        sent = [str(v) for v in (value or [])]
        position = {v: i for i, v in reversed(list(enumerate(sent)))}  # a value sent twice: its first place
        return sorted(chosen, key=lambda m: position.get(str(getattr(m, key)), len(sent)))


class MemberProposalForm(forms.Form):
    """What a member fills in online: they are the first proposer of their own proposal."""

    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none(), label=_("会议"))
    between_meetings = forms.BooleanField(label=_("闭会期间提案"), required=False)
    title = forms.CharField(label=_("标题"), max_length=300)
    proposer_kind = forms.ChoiceField(
        label=_("提案人类型"),
        choices=[
            (ProposerKind.INDIVIDUAL, ProposerKind.INDIVIDUAL.label),
            (ProposerKind.JOINT, ProposerKind.JOINT.label),
        ],
        initial=ProposerKind.INDIVIDUAL,
    )
    cosigners = MemberMultipleChoiceField(
        queryset=_members(),
        label=_("联名提案人"),
        required=False,
        # Without JavaScript: a list of all members, more than four rows of it in view.
        widget=OrderedSelectMultiple(attrs={"size": 10}),
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("类别"), required=False)
    main_content = forms.CharField(
        label=_("主要内容"), max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5})
    )
    reason = forms.CharField(
        label=_("案由"), max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    suggestions = forms.CharField(
        label=_("建议"), max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    suggested_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label=_("建议承办单位"),
        required=False,
        help_text=_("可多选；供提案委员会交办时参考，由提案委员会确定承办单位。"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    # Two choices, not a checkbox: a form sent without the field (an older page, a script) means
    # the default, agreement, never a refusal by omission.
    publication_consent = forms.ChoiceField(
        label=_("是否同意公开"),
        choices=[(CONSENT_YES, _("同意公开")), (CONSENT_NO, _("不同意公开"))],
        required=False,
        initial=CONSENT_YES,
        widget=forms.RadioSelect,
        help_text=_("同意的，答复可在公开页面发布（不含联系电话等个人信息）。"),
    )
    publication_refusal_reason = forms.CharField(
        label=_("不同意公开的理由"),
        max_length=REFUSAL_REASON_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不同意公开时必填。"),
    )
    attachments = MultipleFileField(
        label=_("附件"), help_text=_("可多选；允许 PDF、JPG、PNG、DOC、DOCX、XLSX，单个不超过 20 MB。")
    )

    # Members file into the meeting whose intake is open; staff may also type in old records.
    open_meeting_only = True

    def __init__(self, *args, author: Member | None = None, user=None, **kwargs) -> None:
        """``user``: who files; the choices are their committee's meetings, members and categories."""
        self.author = author
        super().__init__(*args, **kwargs)
        committee = author.committee_id if author is not None else None
        current = registry.current_meeting(user, committee)
        for name, queryset in (
            ("meeting", registry.meetings_for(user, committee)),
            ("cosigners", registry.members_for(user, committee)),
            ("first_proposer", registry.members_for(user, committee)),
            ("category", registry.categories_for(user, committee)),
            ("suggested_agencies", registry.agencies_for(user, committee)),
        ):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = queryset
        with_work_unit = roles.sees_personal_data(user)
        hint = PICKER_HINT_MEMBER if with_work_unit else PICKER_HINT_MEMBER_NO_UNIT
        for name in ("first_proposer", "cosigners"):
            field = self.fields.get(name)
            if isinstance(field, _MemberLabels) and isinstance(field, forms.Field):
                field.with_work_unit = with_work_unit
                field.widget.attrs.update(picker_attrs("members", hint=hint))
        if roles.is_staff(user):
            # The agency picker answers staff only; members choose from the plain list.
            self.fields["suggested_agencies"].widget.attrs.update(picker_attrs("agencies", hint=PICKER_HINT_AGENCY))
        meeting_field = self.fields.get("meeting")
        if self.open_meeting_only and isinstance(meeting_field, forms.ModelChoiceField):
            meeting_field.queryset = (
                Meeting.objects.filter(pk=current.pk) if current is not None else Meeting.objects.none()
            )
        if current is not None and not self.is_bound and "meeting" in self.fields:
            self.fields["meeting"].initial = current.pk

    def proposer_first(self) -> Member | None:
        return self.author

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        kind = data.get("proposer_kind")
        cosigners = list(data.get("cosigners") or [])
        first = self.proposer_first()
        if kind == ProposerKind.INDIVIDUAL and cosigners:
            self.add_error("cosigners", services.COSIGNERS_NOT_ALLOWED)
        if kind == ProposerKind.JOINT:
            if not cosigners:
                self.add_error("cosigners", services.COSIGNERS_REQUIRED)
            elif first is not None and first in cosigners:
                self.add_error("cosigners", services.FIRST_PROPOSER_IN_COSIGNERS)
        if data.get("publication_consent") == CONSENT_NO and not (data.get("publication_refusal_reason") or "").strip():
            self.add_error("publication_refusal_reason", REFUSAL_REASON_REQUIRED)
        return data

    def choices_kwargs(self) -> dict:
        """The proposer's choices (建议承办单位, 是否同意公开) as the filing services take them."""
        data = self.cleaned_data
        return {
            "suggested_agencies": list(data.get("suggested_agencies") or []),
            "publication_consent": data.get("publication_consent") != CONSENT_NO,
            "publication_refusal_reason": data.get("publication_refusal_reason", ""),
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **self.choices_kwargs(),
            "meeting": data["meeting"],
            "between_meetings": data["between_meetings"],
            "title": data["title"],
            "proposer_kind": data["proposer_kind"],
            "cosigners": list(data.get("cosigners") or []),
            "category": data.get("category"),
            "main_content": data["main_content"],
            "reason": data.get("reason", ""),
            "suggestions": data.get("suggestions", ""),
            "attachments": data.get("attachments") or [],
        }


class MemberDraftForm(MemberProposalForm):
    """Editing a draft: the meeting stays as it was."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["meeting"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **self.choices_kwargs(),
            "between_meetings": data["between_meetings"],
            "title": data["title"],
            "proposer_kind": data["proposer_kind"],
            "cosigners": list(data.get("cosigners") or []),
            "category": data.get("category"),
            "main_content": data["main_content"],
            "reason": data.get("reason", ""),
            "suggestions": data.get("suggestions", ""),
            "attachments": data.get("attachments") or [],
        }

    @staticmethod
    def initial_for(proposal: Proposal) -> dict:
        return {
            "between_meetings": proposal.between_meetings,
            "title": proposal.title,
            "proposer_kind": proposal.proposer_kind,
            "cosigners": [row.member for row in cosigner_rows(proposal)],  # in the proposal's order
            "category": proposal.category_id,
            "main_content": proposal.main_content,
            "reason": proposal.reason,
            "suggestions": proposal.suggestions,
            "suggested_agencies": list(proposal.suggested_agencies.all()),
            "publication_consent": CONSENT_YES if proposal.publication_consent else CONSENT_NO,
            "publication_refusal_reason": proposal.publication_refusal_reason,
        }


class StaffProposalForm(MemberProposalForm):
    """Staff type in a proposal from paper: any proposer, including a body, and an existing number."""

    open_meeting_only = False

    proposer_kind = forms.ChoiceField(
        label=_("提案人类型"), choices=ProposerKind.choices, initial=ProposerKind.INDIVIDUAL
    )
    first_proposer = MemberChoiceField(queryset=_members(), label=_("第一提案人"), required=False)
    body_name = forms.CharField(
        label=_("提案单位"), max_length=100, required=False, help_text=_("党派、界别、专门委员会或人民团体")
    )
    body_contact = forms.CharField(label=_("联系人"), max_length=50, required=False)
    body_contact_phone = forms.CharField(
        label=_("联系人电话"), max_length=30, required=False, validators=[validate_phone]
    )
    number = forms.CharField(
        label=_("原提案编号"),
        max_length=20,
        required=False,
        help_text=_("仅在补录已有编号的旧提案时填写；留空则在立案时自动编号。"),
    )

    field_order = [
        "meeting",
        "between_meetings",
        "number",
        "title",
        "proposer_kind",
        "first_proposer",
        "cosigners",
        "body_name",
        "body_contact",
        "body_contact_phone",
        "category",
        "main_content",
        "reason",
        "suggestions",
        "suggested_agencies",
        "publication_consent",
        "publication_refusal_reason",
        "attachments",
    ]

    def proposer_first(self) -> Member | None:
        return self.cleaned_data.get("first_proposer")

    def clean_number(self) -> str:
        number = self.cleaned_data.get("number", "").strip()
        if number and not services.is_valid_number(number):
            raise ValidationError(services.NUMBER_INVALID)
        return number

    def clean(self):
        data = super().clean()
        kind = data.get("proposer_kind")
        if kind == ProposerKind.BODY:
            if not data.get("body_name", "").strip() or not data.get("body_contact", "").strip():
                self.add_error("body_name", services.BODY_REQUIRED)
        elif kind and not data.get("first_proposer"):
            self.add_error("first_proposer", services.PROPOSER_REQUIRED)
        number, meeting = data.get("number"), data.get("meeting")
        if number and meeting and Proposal.objects.filter(meeting=meeting, number=number).exists():
            self.add_error("number", services.DUPLICATE_NUMBER)
        return data

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        data = self.cleaned_data
        kwargs.update(
            first_proposer=data.get("first_proposer"),
            body_name=data.get("body_name", ""),
            body_contact=data.get("body_contact", ""),
            body_contact_phone=data.get("body_contact_phone", ""),
            number=data.get("number", ""),
        )
        return kwargs


class DeclineForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=DeclineReason.objects.none(),
        label=_("不予立案理由"),
        # No reason preselected: staff choose one on purpose (issue 19).
        empty_label=_("（请选择）"),
        error_messages={"required": services.DECLINE_REASON_REQUIRED},
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    convert_to_opinion = forms.BooleanField(label=_("转为意见建议"), required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = registry.active_decline_reasons_of(proposal.committee_id)  # type: ignore[attr-defined]


class KeyForm(forms.Form):
    is_key = forms.BooleanField(label=_("列为重点提案"), required=False)
    note = forms.CharField(label=_("督办说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


def _agencies():
    """None until the form is given the proposal (its committee's agencies: ``_CommitteeAgencies``)."""
    return Agency.objects.none()


class _CommitteeAgencies:
    """A form whose agency fields offer the active agencies of the proposal's committee."""

    fields: dict[str, forms.Field]

    def set_agencies(self, proposal: Proposal | None) -> None:
        queryset = registry.active_agencies_of(proposal.committee_id) if proposal is not None else Agency.objects.none()
        for field in self.fields.values():
            if (
                isinstance(field, forms.ModelChoiceField)
                and field.queryset is not None
                and field.queryset.model is Agency
            ):
                field.queryset = queryset


class AssignForm(_CommitteeAgencies, forms.Form):
    mode = forms.ChoiceField(
        label=_("办理方式"),
        choices=[(MODE_LEAD, _("主办（可加会办）")), (MODE_SPLIT, _("分办"))],
        widget=forms.RadioSelect(attrs={"data-assign-mode": True}),
        initial=MODE_LEAD,
    )
    lead_agency = forms.ModelChoiceField(
        queryset=_agencies(),
        label=_("主办单位"),
        required=False,
        widget=forms.Select(attrs=picker_attrs("agencies", hint=PICKER_HINT_AGENCY)),
    )
    cohandlers = forms.ModelMultipleChoiceField(
        queryset=_agencies(),
        label=_("会办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, **picker_attrs("agencies", hint=PICKER_HINT_AGENCY)}),
    )
    due_date = forms.DateField(
        label=_("办理时限"), required=False, widget=DateInput(), help_text=_("留空则按会议设置（默认交办后 3 个月）。")
    )
    cohandler_due_date = forms.DateField(
        label=_("会办意见时限"), required=False, widget=DateInput(), help_text=_("留空则按会议设置（默认 1 个月）。")
    )

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_agencies(proposal)


class SplitForm(_CommitteeAgencies, forms.Form):
    agency = forms.ModelChoiceField(
        queryset=_agencies(),
        label=_("分办单位"),
        required=False,
        widget=forms.Select(attrs=picker_attrs("agencies", hint=PICKER_HINT_AGENCY)),
    )
    scope = forms.CharField(label=_("负责答复的部分"), max_length=200, required=False)

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_agencies(proposal)

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        if data.get("agency") and not data.get("scope", "").strip():
            self.add_error("scope", SCOPE_REQUIRED)
        return data


SplitFormSet = forms.formset_factory(SplitForm, extra=4)


def assignment_specs(form: AssignForm, splits) -> list[services.AssignmentSpec] | None:
    """The specs of a valid assign form and split formset; None after adding errors to the form."""
    data = form.cleaned_data
    due = data.get("due_date")
    if data["mode"] == MODE_LEAD:
        if data.get("lead_agency") is None:
            form.add_error("lead_agency", LEAD_REQUIRED)
            return None
        specs = [services.AssignmentSpec(agency=data["lead_agency"], role=AssignmentRole.LEAD, due_date=due)]
        specs += [
            services.AssignmentSpec(agency=a, role=AssignmentRole.CO, due_date=data.get("cohandler_due_date"))
            for a in data.get("cohandlers") or []
        ]
        return specs
    specs = [
        services.AssignmentSpec(agency=row["agency"], role=AssignmentRole.SPLIT, scope=row["scope"], due_date=due)
        for row in splits.cleaned_data
        if row.get("agency")
    ]
    if not specs:
        form.add_error(None, SPLIT_REQUIRED)
        return None
    return specs


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(_CommitteeAgencies, forms.Form):
    agency = forms.ModelChoiceField(queryset=_agencies(), label=_("改交单位"))
    due_date = forms.DateField(label=_("办理时限"), required=False, widget=DateInput())

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_agencies(proposal)


class ExtensionRequestForm(forms.Form):
    requested_due_date = forms.DateField(label=_("申请延至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class UrgeForm(forms.Form):
    note = forms.CharField(
        label=_("催办说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("将通过电子邮件发给承办单位的经办人和负责人。"),
    )


class ExtensionDecisionForm(forms.Form):
    new_due_date = forms.DateField(
        label=_("批准延至"), required=False, widget=DateInput(), help_text=_("留空则按申请的日期。")
    )
    note = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
