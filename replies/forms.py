"""Forms check the shape of the input; the services check the rules again."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment

from . import profiles, rules, services, verification
from .models import Reply

NEEDED_TO_ISSUE = _("签发前必须填写。")


class ReplyForm(forms.ModelForm):
    """The draft of a reply letter. ``version`` is the version the user started editing from."""

    # Missing or unreadable is None, which reply_save_draft refuses as a conflict (showing the latest
    # version beside the user's text), never a silent save nor an error on a field nobody can see.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Reply
        fields = list(services.EDITABLE_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "closing": forms.Textarea(attrs={"rows": 2}),
            "not_public_reason": forms.Textarea(attrs={"rows": 2}),
            "reply_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "printed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "body": _("一段一行。小标题以“一、”“（一）”“1.”“（1）”开头，会按公文格式排版。"),
            "reply_date": _("不能早于交办日期；留空则以签发当天为成文日期。"),
            "doc_number": _("可选，例如：晋发改函〔2024〕12号"),
            "copy_to": _("可选，多个单位用顿号或逗号分隔"),
            "not_public_reason": _("选择不公开时必填。"),
            "printed_on": _("留空则与成文日期相同。"),
            "signer_name": _("签发本函的负责人。"),
        }

    def __init__(self, *args, assignment: Assignment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        committee = assignment.proposal.committee
        # The committee's classes (the model field is free text: committees differ, A–D or B1/B2).
        self.fields["reply_class"] = forms.ChoiceField(
            label=self.fields["reply_class"].label,
            choices=[
                (c.value, f"{c.label}：{c.definition}" if c.definition else c.label)
                for c in rules.enabled_reply_classes(committee)
            ],
            widget=forms.RadioSelect,
            required=False,
        )
        # The letter profile's fields: the ones it does not print are not asked for, the labels are its own.
        profile = profiles.profile_for(assignment)
        for name in profiles.hidden_fields(profile):
            del self.fields[name]
        for name, label in (("leader_name", profile.leader_label), ("handler_name", profile.handler_label)):
            if name in self.fields:
                self.fields[name].label = label
        self.fields["phone"].label = profile.phone_label
        if "closing" in self.fields and len(profile.closing_presets) > 1:
            self.fields["closing"].help_text = _("常用结束语：%(presets)s") % {
                "presets": " / ".join(profile.closing_presets)
            }
        # What a draft needs is the rules' to say (with their message); the rest is checked in clean().
        needed_for_draft = rules.required_fields(rules.Stage.DRAFT, committee)
        needed_to_issue = rules.required_fields(rules.Stage.ISSUE, committee)
        for name in services.EDITABLE_FIELDS:
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.required = name in needed_for_draft
            if field.required:
                field.error_messages["required"] = rules.REQUIRED[name][1]
            elif name in needed_to_issue and not field.help_text:
                field.help_text = NEEDED_TO_ISSUE
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_version(self) -> int | None:
        raw = (self.cleaned_data.get("version") or "").strip()
        if not (raw.isascii() and raw.isdigit()):
            return None
        return int(raw) if int(raw) >= 1 else None

    def clean(self):
        data = super().clean()
        for problem in rules.field_problems(self.cleaned_data, assignment=self.assignment, stage=rules.Stage.DRAFT):
            # A field that failed its own check (required, length, choice) keeps that one message.
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data

    def service_data(self) -> dict:
        """The fields the form has (a field the letter profile does not print keeps its value)."""
        return {name: self.cleaned_data.get(name) for name in services.EDITABLE_FIELDS if name in self.fields}

    def _post_clean(self) -> None:
        # The service owns the model: it applies the data to a locked row and calls full_clean()
        # there, so the form does not touch the instance.
        pass


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("PDF 文件"), required=False)
    sha256 = forms.CharField(
        label=_("或粘贴 SHA-256"),
        required=False,
        max_length=100,
        help_text=_("64 位十六进制字符，可在答复页面上看到。"),
    )
    code = forms.CharField(
        label=_("或输入核验码"),
        required=False,
        max_length=100,
        help_text=_("面商记录表页脚的核验码，例如 25AB-C905-1C6F；不分大小写，空格和横线可有可无。"),
    )

    NEED_ONE = _("请上传一个 PDF 文件，粘贴一个 SHA-256 值，或输入面商记录表上的核验码。")
    BAD_HASH = _("SHA-256 应为 64 位十六进制字符（0–9、a–f）。")
    BAD_CODE = _("核验码应为 %(length)s 位字母或数字（0–9、A–F），空格和横线可有可无。")
    NOT_PDF = _("上传的文件不是 PDF。")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not verification.CODE_VERIFIERS:
            del self.fields["code"]  # no installed app prints a code
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_sha256(self) -> str:
        value = "".join((self.cleaned_data.get("sha256") or "").split()).lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise forms.ValidationError(self.BAD_HASH)
        return value

    def clean_code(self) -> str:
        value = verification.normalise_code(self.cleaned_data.get("code") or "")
        if value and not verification.is_code(value):
            lengths = "、".join(str(n) for n in verification.code_lengths())
            raise forms.ValidationError(self.BAD_CODE % {"length": lengths})
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns; the stub allows None for overrides
        upload = data.get("file")
        if not upload and not data.get("sha256") and not data.get("code") and not self.errors:
            raise forms.ValidationError(self.NEED_ONE)
        if upload:
            upload.seek(0)
            if not upload.read(5).startswith(b"%PDF-"):
                self.add_error("file", self.NOT_PDF)
            upload.seek(0)
        return data
