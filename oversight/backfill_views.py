"""The staff page of back-dated entry (补录): one form for a past case, ``backfill.case_backfill``
behind it. The form checks the shape of each field; the service the order of the dates and the
rules, and says which field each problem is about."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from consultations.models import Method, Opinion, Satisfaction
from proposals import roles
from proposals.errors import DomainError
from proposals.forms import DateInput
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Agency, Category, Meeting, Member, ProposerKind
from proposals.models.proposal import TEXT_MAX_CHARS
from proposals.selectors import registry
from proposals.validators import validate_phone
from replies import rules as reply_rules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .backfill import BackfillConsultation, BackfillError, BackfillRating, BackfillReply, case_backfill

REPLY_DATE_REQUIRED = gettext_lazy("填写了答复内容，请填写成文日期。")
HELD_AT_REQUIRED = gettext_lazy("填写了面商内容，请填写面商时间。")
RATED_ON_REQUIRED = gettext_lazy("请填写测评日期。")
RATING_REQUIRED = gettext_lazy("填写了测评日期，请选择测评结果。")
SCAN_REQUIRED = gettext_lazy("选择上传原件时，请上传答复函原件（PDF）。")
CLOSED_ON_REQUIRED = gettext_lazy("填写了办结说明，请填写办结日期。")

PDF_REGENERATE = "regenerate"
PDF_UPLOAD = "upload"
# The letter's own fields, as the service names them (``reply_`` + the Reply field), on this form.
REPLY_FIELD_NAMES = {"reply_reply_class": "reply_class", "reply_reply_date": "reply_date"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _date(label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _text(label: StrOrPromise, rows: int = 4, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=TEXT_MAX_CHARS, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class BackfillForm(forms.Form):
    """A past case, step by step; a step left blank ends the case there (a running case)."""

    # --- The proposal ---
    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none(), label=gettext_lazy("会议"))
    between_meetings = forms.BooleanField(label=gettext_lazy("闭会期间提案"), required=False)
    number = forms.CharField(
        label=gettext_lazy("提案编号"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("按原件填写，例如 TA0207；已立案而留空的按本次会议的下一个编号。"),
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=300)
    proposer_kind = forms.ChoiceField(
        label=gettext_lazy("提案人类型"), choices=ProposerKind.choices, initial=ProposerKind.INDIVIDUAL
    )
    first_proposer = forms.ModelChoiceField(
        queryset=Member.objects.none(), label=gettext_lazy("第一提案人"), required=False
    )
    cosigners = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(), label=gettext_lazy("联名提案人"), required=False
    )
    body_name = forms.CharField(label=gettext_lazy("提案单位"), max_length=100, required=False)
    body_contact = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)
    body_contact_phone = forms.CharField(
        label=gettext_lazy("联系人电话"), max_length=30, required=False, validators=[validate_phone]
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=gettext_lazy("类别"), required=False)
    main_content = _text(gettext_lazy("主要内容"), 4, required=True)
    reason = _text(gettext_lazy("案由"))
    suggestions = _text(gettext_lazy("建议"))
    # --- Review and assignment ---
    submitted_on = _date(gettext_lazy("提交日期"), required=True)
    registered_on = _date(gettext_lazy("立案日期"))
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("主办单位"), required=False)
    assigned_on = _date(gettext_lazy("交办日期"))
    due_date = _date(gettext_lazy("办理时限"), help_text=gettext_lazy("留空则按会议的办理时限从交办日期起算。"))
    accepted_on = _date(gettext_lazy("签收日期"))
    # --- The reply ---
    reply_date = _date(gettext_lazy("成文日期"))
    reply_class = forms.ChoiceField(label=gettext_lazy("答复类别"), required=False)
    reply_body = _text(gettext_lazy("答复正文"), 8)
    reply_leader_name = forms.CharField(label=gettext_lazy("负责人"), max_length=50, required=False)
    reply_handler_name = forms.CharField(label=gettext_lazy("承办人"), max_length=50, required=False)
    reply_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30, required=False)
    reply_doc_number = forms.CharField(label=gettext_lazy("发文字号"), max_length=100, required=False)
    reply_is_public = forms.BooleanField(label=gettext_lazy("主动公开"), required=False, initial=True)
    reply_not_public_reason = forms.CharField(label=gettext_lazy("不公开理由"), max_length=2000, required=False)
    reply_pdf = forms.ChoiceField(
        label=gettext_lazy("答复函 PDF"),
        choices=[
            (PDF_REGENERATE, gettext_lazy("按以上内容重新生成（印原成文日期）")),
            (PDF_UPLOAD, gettext_lazy("上传原件扫描件作为签发文件")),
        ],
        initial=PDF_REGENERATE,
        widget=forms.RadioSelect,
    )
    reply_scan = forms.FileField(label=gettext_lazy("答复函原件（PDF）"), required=False)
    # --- The consultation record, signed on paper ---
    held_at = forms.DateTimeField(label=gettext_lazy("面商时间"), required=False, widget=DateTimeInput())
    place = forms.CharField(label=gettext_lazy("面商地点"), max_length=200, required=False)
    method = forms.ChoiceField(label=gettext_lazy("面商方式"), choices=Method.choices, initial=Method.IN_PERSON)
    host_name = forms.CharField(label=gettext_lazy("面商人"), max_length=50, required=False)
    host_phone = forms.CharField(label=gettext_lazy("面商人联系电话"), max_length=30, required=False)
    opinion = forms.ChoiceField(label=gettext_lazy("委员意见"), choices=Opinion.choices, initial=Opinion.AGREE)
    opinion_text = forms.CharField(
        label=gettext_lazy("委员意见和要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    record_scan = forms.FileField(label=gettext_lazy("签字的纸质面商记录表（可选）"), required=False)
    # --- Rating and closing ---
    rating = forms.ChoiceField(
        label=gettext_lazy("测评结果"),
        required=False,
        choices=[
            ("", "—"),
            (Satisfaction.SATISFIED, Satisfaction.SATISFIED.label),
            (Satisfaction.BASIC, Satisfaction.BASIC.label),
        ],
    )
    rated_on = _date(gettext_lazy("测评日期"))
    rating_comment = forms.CharField(
        label=gettext_lazy("测评意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rating_form = forms.FileField(label=gettext_lazy("纸质测评表（可选）"), required=False)
    closed_on = _date(gettext_lazy("办结日期"))
    close_note = forms.CharField(
        label=gettext_lazy("办结说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    GROUPS = (
        (
            gettext_lazy("提案"),
            (
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
            ),
        ),
        (
            gettext_lazy("审查和交办"),
            ("submitted_on", "registered_on", "agency", "assigned_on", "due_date", "accepted_on"),
        ),
        (
            gettext_lazy("答复函"),
            (
                "reply_date",
                "reply_class",
                "reply_body",
                "reply_leader_name",
                "reply_handler_name",
                "reply_phone",
                "reply_doc_number",
                "reply_is_public",
                "reply_not_public_reason",
                "reply_pdf",
                "reply_scan",
            ),
        ),
        (
            gettext_lazy("面商记录（纸质签字）"),
            ("held_at", "place", "method", "host_name", "host_phone", "opinion", "opinion_text", "record_scan"),
        ),
        (
            gettext_lazy("测评和办结"),
            ("rating", "rated_on", "rating_comment", "rating_form", "closed_on", "close_note"),
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        committee = roles.committee_scope(user)
        self.fields["meeting"].queryset = registry.meetings_for(user)  # type: ignore[attr-defined]
        members = registry.members_for(user)
        self.fields["first_proposer"].queryset = members  # type: ignore[attr-defined]
        self.fields["cosigners"].queryset = members  # type: ignore[attr-defined]
        self.fields["category"].queryset = registry.categories_for(user, active=False)  # type: ignore[attr-defined]
        # An old case may name an agency since merged or renamed (inactive now).
        self.fields["agency"].queryset = registry.agencies_for(user, active=False)  # type: ignore[attr-defined]
        classes = reply_rules.enabled_reply_classes(committee)
        self.fields["reply_class"].choices = [("", "—"), *((c.value, c.label) for c in classes)]  # type: ignore[attr-defined]

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        if (data.get("reply_body") or "").strip() and not data.get("reply_date"):
            self.add_error("reply_date", REPLY_DATE_REQUIRED)
        if data.get("reply_date") and data.get("reply_pdf") == PDF_UPLOAD and not data.get("reply_scan"):
            self.add_error("reply_scan", SCAN_REQUIRED)
        if ((data.get("place") or "").strip() or (data.get("host_name") or "").strip()) and not data.get("held_at"):
            self.add_error("held_at", HELD_AT_REQUIRED)
        if data.get("rating") and not data.get("rated_on"):
            self.add_error("rated_on", RATED_ON_REQUIRED)
        if data.get("rated_on") and not data.get("rating"):
            self.add_error("rating", RATING_REQUIRED)
        if (data.get("close_note") or "").strip() and not data.get("closed_on"):
            self.add_error("closed_on", CLOSED_ON_REQUIRED)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        reply = None
        if data.get("reply_date"):
            reply = BackfillReply(
                reply_date=data["reply_date"],
                body=data.get("reply_body", ""),
                reply_class=data.get("reply_class", ""),
                leader_name=data.get("reply_leader_name", ""),
                handler_name=data.get("reply_handler_name", ""),
                phone=data.get("reply_phone", ""),
                doc_number=data.get("reply_doc_number", ""),
                is_public=bool(data.get("reply_is_public")),
                not_public_reason=data.get("reply_not_public_reason", ""),
                scan=data.get("reply_scan") if data.get("reply_pdf") == PDF_UPLOAD else None,
            )
        consultation = None
        held_at: dt.datetime | None = data.get("held_at")
        if held_at is not None:
            consultation = BackfillConsultation(
                held_at=held_at if timezone.is_aware(held_at) else timezone.make_aware(held_at),
                place=data.get("place", ""),
                host_name=data.get("host_name", ""),
                host_phone=data.get("host_phone", ""),
                method=data.get("method") or Method.IN_PERSON,
                opinion=data.get("opinion") or Opinion.AGREE,
                opinion_text=data.get("opinion_text", ""),
                scan=data.get("record_scan"),
            )
        rating = None
        if data.get("rating") and data.get("rated_on"):
            rating = BackfillRating(
                value=data["rating"],
                rated_on=data["rated_on"],
                comment=data.get("rating_comment", ""),
                paper_form=data.get("rating_form"),
            )
        cosigners: list[Member] = list(data.get("cosigners") or [])
        return {
            "meeting": data["meeting"],
            "between_meetings": bool(data.get("between_meetings")),
            "number": data.get("number", ""),
            "title": data["title"],
            "main_content": data["main_content"],
            "reason": data.get("reason", ""),
            "suggestions": data.get("suggestions", ""),
            "proposer_kind": data["proposer_kind"],
            "first_proposer": data.get("first_proposer"),
            "cosigners": cosigners,
            "body_name": data.get("body_name", ""),
            "body_contact": data.get("body_contact", ""),
            "body_contact_phone": data.get("body_contact_phone", ""),
            "category": data.get("category"),
            "submitted_on": data["submitted_on"],
            "registered_on": data.get("registered_on"),
            "agency": data.get("agency"),
            "assigned_on": data.get("assigned_on"),
            "due_date": data.get("due_date"),
            "accepted_on": data.get("accepted_on"),
            "reply": reply,
            "consultation": consultation,
            "rating": rating,
            "closed_on": data.get("closed_on"),
            "close_note": data.get("close_note", ""),
        }

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        """The service's problems beside their fields (one it names that the form lacks: at the top)."""
        for name, message in problems:
            name = REPLY_FIELD_NAMES.get(name, name)
            self.add_error(name if name in self.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def case_backfill_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not roles.is_staff(request.user):
        raise PermissionDenied
    form = BackfillForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = case_backfill(actor=request.user, **form.service_kwargs())
        except BackfillError as exc:
            form.add_problems(exc.problems)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已补录：%(number)s %(title)s。各环节按原日期记入办理记录，并标注“补录”。")
                % {"number": proposal.display_number, "title": proposal.title},
            )
            return redirect("proposals:detail", pk=proposal.pk)
    return render(request, "oversight/backfill.html", {"form": form, "heading": _("补录已办提案")})
