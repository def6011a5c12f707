"""A proposal from a Word file: the .docx is read (``proposals.docx_form``), the filing form shown
prefilled for review, and the file kept as the new proposal's attachment.

Between the two steps the uploaded file waits in the storage under a random name; the user's
session maps a random token (a hidden field of the form) to it, so a token works only for the one
who uploaded it. Saving goes through the same form class and ``services.proposal_create`` as the
ordinary filing page, with the stored file added to the form's attachments.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import roles, services
from ..docx_form import (
    DOCX_TOO_LARGE,
    MAX_BYTES,
    NOT_A_WORD_FILE,
    DocxForm,
    DocxFormError,
    names_in,
    read_docx_form,
)
from ..errors import DomainError
from ..http import AuthenticatedHttpRequest
from ..models import Member, ProposalStatus, ProposerKind
from ..selectors import registry
from ..uploads import KINDS, check_upload
from .proposal import _proposal_form_class

FILE_REQUIRED = gettext_lazy("请选择要导入的 Word 文档（.docx）。")
FILE_GONE = gettext_lazy("上传的 Word 文档已失效，请重新上传；本次填写的内容仍在下方。")
MEMBER_NOT_FOUND = gettext_lazy("未找到名为“%(name)s”的委员，请手动选择。")
MEMBER_AMBIGUOUS = gettext_lazy("有多位名为“%(name)s”的委员，请手动选择。")
CATEGORY_NOT_FOUND = gettext_lazy("未找到类别“%(name)s”，请手动选择。")
AGENCY_NOT_FOUND = gettext_lazy("未找到建议承办单位“%(name)s”，请手动选择。")
NOT_YOUR_NAME = gettext_lazy("文档中的提案人为“%(name)s”；网上提交的提案，第一提案人为您本人。")
BODY_NOT_FOR_MEMBERS = gettext_lazy("文档中填有提案单位“%(name)s”；集体提案请由提案委员会工作人员录入。")
NUMBER_TAKEN = gettext_lazy("文档中的编号“%(number)s”在所选会议中已被使用或格式不符，未预填。")

SESSION_KEY = "proposals_word_imports"
# Files a user may have waiting at once; the oldest is dropped (and deleted) beyond this.
MAX_PENDING = 5
PENDING_FOLDER = "word-imports"


class WordUploadForm(django_forms.Form):
    file = django_forms.FileField(
        label=gettext_lazy("Word 文档"),
        help_text=gettext_lazy("按提案表格式填写的 .docx 文件，内容将预填到下面的表单，请核对后保存。"),
        error_messages={"required": FILE_REQUIRED},
        widget=django_forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )


def _pending(request: AuthenticatedHttpRequest) -> dict[str, dict[str, Any]]:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def _keep(request: AuthenticatedHttpRequest, data: bytes, original_name: str) -> str:
    """Store the file until the form is saved; the token names it in this user's session only."""
    pending = _pending(request)
    while len(pending) >= MAX_PENDING:
        oldest = next(iter(pending))
        default_storage.delete(pending.pop(oldest)["name"])
    token = uuid.uuid4().hex
    name = default_storage.save(f"{PENDING_FOLDER}/{uuid.uuid4().hex}.docx", ContentFile(data))
    pending[token] = {"name": name, "original_name": original_name, "user": request.user.pk}
    request.session[SESSION_KEY] = pending
    return token


def _kept_upload(request: AuthenticatedHttpRequest, token: str) -> SimpleUploadedFile | None:
    entry = _pending(request).get(token or "")
    if entry is None or entry.get("user") != request.user.pk:
        return None
    try:
        with default_storage.open(entry["name"], "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return SimpleUploadedFile(entry["original_name"], data, content_type=KINDS["docx"][1])


def _forget(request: AuthenticatedHttpRequest, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry is not None:
        default_storage.delete(entry["name"])
        request.session[SESSION_KEY] = pending


def _match_member(members, name: str, warnings: list[str]) -> Member | None:
    found = list(members.filter(name=name)[:2])
    if len(found) == 1:
        return found[0]
    warnings.append(str((MEMBER_AMBIGUOUS if found else MEMBER_NOT_FOUND) % {"name": name}))
    return None


def initial_from(parsed: DocxForm, *, user, author: Member | None, form_class) -> tuple[dict[str, Any], list[str]]:
    """The filing form's initial data from what the file says, and what the reader should check
    (names that match no member of the committee, or more than one)."""
    warnings = list(parsed.warnings)
    committee = author.committee_id if author is not None else roles.committee_scope(user)
    members = registry.members_for(user, committee)
    fields = parsed.fields
    initial: dict[str, Any] = {
        name: fields[name] for name in ("title", "main_content", "reason", "suggestions") if fields.get(name)
    }
    if fields.get("category"):
        category = registry.categories_for(user, committee).filter(name=fields["category"]).first()
        if category is not None:
            initial["category"] = category.pk
        else:
            warnings.append(str(CATEGORY_NOT_FOUND % {"name": fields["category"]}))
    if fields.get("suggested_agencies"):
        agencies = registry.agencies_for(user, committee)
        suggested: list[int] = []
        for name in names_in(fields["suggested_agencies"]):
            agency = agencies.filter(Q(name=name) | Q(short_name=name)).first()
            if agency is None:
                warnings.append(str(AGENCY_NOT_FOUND % {"name": name}))
            elif agency.pk not in suggested:
                suggested.append(agency.pk)
        if suggested:
            initial["suggested_agencies"] = suggested
    staff_form = "first_proposer" in form_class.base_fields
    if staff_form and fields.get("number"):
        current = registry.current_meeting(user, committee)
        number = fields["number"]
        taken = current is not None and current.proposals.filter(number=number).exists()
        if services.is_valid_number(number) and not taken:
            initial["number"] = number
        else:
            warnings.append(str(NUMBER_TAKEN % {"number": number}))
    body_name = fields.get("body_name", "")
    if body_name and staff_form:
        initial.update(
            proposer_kind=ProposerKind.BODY,
            body_name=body_name,
            body_contact=fields.get("body_contact", parsed.first_proposer),
            body_contact_phone=fields.get("body_contact_phone", ""),
        )
        return initial, warnings
    if body_name:
        warnings.append(str(BODY_NOT_FOR_MEMBERS % {"name": body_name}))
    if parsed.first_proposer:
        if staff_form:
            first = _match_member(members, parsed.first_proposer, warnings)
            if first is not None:
                initial["first_proposer"] = first.pk
        elif author is not None and parsed.first_proposer != author.name:
            warnings.append(str(NOT_YOUR_NAME % {"name": parsed.first_proposer}))
    cosigners = [m for name in parsed.cosigners if (m := _match_member(members, name, warnings)) is not None]
    if author is not None:
        cosigners = [m for m in cosigners if m.pk != author.pk]
    if cosigners:
        initial["cosigners"] = [m.pk for m in cosigners]
    if parsed.cosigners:
        initial["proposer_kind"] = ProposerKind.JOINT
    return initial, warnings


def _render(request, *, upload_form, filing_form=None, token: str = "", warnings=(), filename: str = ""):
    return render(
        request,
        "proposals/word_import.html",
        {
            "heading": _("从 Word 文档导入提案"),
            "upload_form": upload_form,
            "form": filing_form,
            "token": token,
            "warnings": list(warnings),
            "filename": filename,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_word_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the upload form. POST a file: the filing form prefilled from it. POST the filing form
    (``step=file``): the proposal is filed with the Word file as its attachment."""
    form_class = _proposal_form_class(request.user)  # staff or a member, else 403
    author = None if roles.is_staff(request.user) else request.user.member
    if request.method == "POST" and request.POST.get("step") == "file":
        return _file(request, form_class, author)
    if request.method != "POST":
        return _render(request, upload_form=WordUploadForm())

    upload_form = WordUploadForm(request.POST, request.FILES)
    empty_form = form_class(author=author, user=request.user)
    if not upload_form.is_valid():
        return _render(request, upload_form=upload_form, filing_form=empty_form)
    upload = upload_form.cleaned_data["file"]
    try:
        if upload.size and upload.size > MAX_BYTES:
            raise DocxFormError(DOCX_TOO_LARGE % {"limit": MAX_BYTES // (1024 * 1024)})
        try:
            check_upload(upload, kinds=("docx",))
        except ValidationError as exc:
            # Not a Word package by its content (or one with macros): said in this page's words.
            raise DocxFormError(NOT_A_WORD_FILE if exc.code == "type_mismatch" else "；".join(exc.messages)) from exc
        upload.seek(0)
        data = upload.read()
        parsed = read_docx_form(data)
    except DocxFormError as exc:
        upload_form.add_error("file", exc.message)
        return _render(request, upload_form=upload_form, filing_form=empty_form)
    initial, warnings = initial_from(parsed, user=request.user, author=author, form_class=form_class)
    filing_form = form_class(initial=initial, author=author, user=request.user)
    token = _keep(request, data, upload.name or "proposal.docx")
    return _render(
        request,
        upload_form=WordUploadForm(),
        filing_form=filing_form,
        token=token,
        warnings=warnings,
        filename=upload.name or "",
    )


def _file(request: AuthenticatedHttpRequest, form_class, author: Member | None) -> HttpResponse:
    token = request.POST.get("word_token", "")
    form = form_class(request.POST, request.FILES or None, author=author, user=request.user)
    kept = _kept_upload(request, token)
    if kept is None:
        form.add_error(None, FILE_GONE)
    if form.is_valid() and kept is not None:
        kwargs = form.service_kwargs()
        kwargs["attachments"] = [kept, *kwargs.get("attachments", [])]
        try:
            proposal = services.proposal_create(actor=request.user, **kwargs)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _forget(request, token)
            if proposal.status == ProposalStatus.DRAFT:
                messages.success(request, _("草稿已保存。确认无误后请点击“提交”。"))
            else:
                messages.success(request, _("提案已录入，等待审查立案。"))
            return redirect("proposals:detail", pk=proposal.pk)
    return _render(
        request,
        upload_form=WordUploadForm(),
        filing_form=form,
        token=token if kept is not None else "",
        filename=(kept.name or "") if kept is not None else "",
    )
