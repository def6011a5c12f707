"""Pages of reply letters. Thin: access helper, form, service, redirect."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.kept_posts import keeps_typed_text, take_kept_post
from audit.log import record_event
from common.downloads import file_download
from documents.formats import balanced_lines
from proposals import roles
from proposals.errors import ConflictError, DomainError
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Assignment, AssignmentRole
from proposals.selectors import get_assignment_for_user
from proposals.view_actions import Confirmation, run_action

from . import selectors, services, verification
from .diffs import version_diff
from .followup_views import follow_up_panel
from .forms import ReplyForm, ReturnForm, VerifyForm
from .models import Reply, ReplyStatus
from .notices import reply_notices
from .pdf import TITLE_MAX_EMS, render_reply_context, reply_context, reply_pdf_bytes
from .services.defaults import reply_copies


def _assignment_page(
    request: AuthenticatedHttpRequest,
    assignment: Assignment,
    *,
    form: ReplyForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
    conflict_reply: Reply | None = None,
    kept: QueryDict | None = None,
) -> HttpResponse:
    user = request.user
    if kept is not None and "comment" in kept and "title" not in kept:
        # A leader's 退回意见 typed before the session ended: back in the return form, not the letter's.
        return_form = return_form or ReturnForm(initial={"comment": kept.get("comment", "")})
        kept = None
    visible = selectors.replies_visible_to(user).filter(assignment=assignment).order_by("-round")
    replies = list(visible.select_related("signed_by", "created_by", "submitted_by"))
    current = next((r for r in replies if r.round == assignment.round), None)
    earlier = [r for r in replies if r is not current]
    can_create = current is None and services.can_create(user, assignment)
    can_edit = current is not None and services.can_edit(user, current)
    if form is None and can_create:
        initial = {**services.new_draft_defaults(assignment, user), "version": 1}
        form = ReplyForm(kept, initial=initial, assignment=assignment)
    elif form is None and can_edit:
        form = ReplyForm(kept, instance=current, assignment=assignment)
    can_submit = current is not None and services.can_submit(user, current)
    issue_problems = services.issue_problems(current) if current is not None else []
    cohandler_views = []
    if assignment.role == AssignmentRole.LEAD and not roles.is_member(user):
        cohandler_views = list(selectors.cohandler_views(assignment))
    context = {
        "assignment": assignment,
        "proposal": assignment.proposal,
        "reply": current,
        "earlier": earlier,
        "form": form,
        "return_form": return_form or ReturnForm(),
        "can_create": can_create,
        "can_edit": can_edit,
        "can_submit": can_submit,
        # The edit form saves and submits in one request, so nothing typed is left behind.
        "can_save_and_submit": can_create or can_submit,
        # What 签发 will refuse, shown to the handler before the draft is handed over.
        "submit_readiness": issue_problems if can_submit else [],
        "can_issue": current is not None and services.can_issue(user, current),
        "issue_refusal": services.issue_refusal(user, current) if current is not None else "",
        "issue_problems": issue_problems,
        "cohandler_views": cohandler_views,
        "conflict_reply": conflict_reply,
        "notices": reply_notices(user, current),
        "follow_ups": follow_up_panel(user, assignment),  # 跟踪办理
        # The on-screen letter is shown only when there is no form in its place.
        "letter": reply_context(current) if current is not None and form is None else None,
    }
    return render(request, "replies/assignment.html", context, status=status)


@login_required
@require_GET
def assignment_page(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    return _assignment_page(request, assignment, kept=take_kept_post(request))


def _page_of_assignment(request: AuthenticatedHttpRequest, assignment_id: int) -> str:
    return reverse("replies:assignment", kwargs={"assignment_id": assignment_id})


def _page_of_reply(request: AuthenticatedHttpRequest, pk: int) -> str:
    return _assignment_url(selectors.get_reply_for_user(request.user, pk))


def _submit_if_asked(request: AuthenticatedHttpRequest, reply: Reply) -> None:
    """The edit form's "提交负责人签发" button: the draft is submitted after the save, in the same request."""
    if request.POST.get("action") != "submit":
        return
    try:
        services.reply_submit(reply=reply, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交负责人签发。"))


@keeps_typed_text(_page_of_assignment)
@login_required
@require_POST
def reply_create_view(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    form = ReplyForm(request.POST, assignment=assignment)
    if not form.is_valid():
        return _assignment_page(request, assignment, form=form)
    try:
        reply = services.reply_create(assignment=assignment, actor=request.user, data=form.service_data())
    except ValidationError as exc:
        _add_errors(form, exc)
        return _assignment_page(request, assignment, form=form)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("replies:assignment", assignment_id=assignment.pk)
    messages.success(request, _("答复草稿已保存（第 %(version)s 版）。") % {"version": reply.version})
    _submit_if_asked(request, reply)
    return redirect("replies:assignment", assignment_id=assignment.pk)


def _add_errors(form: ReplyForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@keeps_typed_text(_page_of_reply)
@login_required
@require_POST
def reply_save_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_reply_for_user(request.user, pk)
    assignment = reply.assignment
    form = ReplyForm(request.POST, instance=reply, assignment=assignment)
    if not form.is_valid():
        return _assignment_page(request, assignment, form=form)
    try:
        saved = services.reply_save_draft(
            reply=reply, actor=request.user, data=form.service_data(), expected_version=form.cleaned_data["version"]
        )
    except ConflictError as exc:
        # Keep the user's text in the form; show the saved version beside it. The form now names
        # the latest version, so saving again is a deliberate choice, never a silent overwrite.
        reply.refresh_from_db()
        data = request.POST.copy()
        data["version"] = str(reply.version)
        form = ReplyForm(data, instance=reply, assignment=assignment)
        form.is_valid()
        form.add_error(None, exc.message)
        return _assignment_page(request, assignment, form=form, status=409, conflict_reply=reply)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _assignment_page(request, assignment, form=form)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("replies:assignment", assignment_id=assignment.pk)
    messages.success(request, _("答复草稿已保存（第 %(version)s 版）。") % {"version": saved.version})
    _submit_if_asked(request, saved)
    return redirect("replies:assignment", assignment_id=assignment.pk)


def _assignment_url(reply: Reply) -> str:
    return reverse("replies:assignment", kwargs={"assignment_id": reply.assignment_id})


@login_required
@require_POST
def reply_submit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_reply_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.reply_submit(reply=reply, actor=request.user),
        success=_("已提交负责人签发。"),
        redirect_to=_assignment_url(reply),
    )


@login_required
@require_POST
def reply_issue_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_reply_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.reply_issue(reply=reply, actor=request.user),
        success=_("答复已签发，正式文件已生成并存档。"),
        redirect_to=_assignment_url(reply),
        confirm=Confirmation(
            title=_("签发"),
            consequence=_("签发后答复冻结并生成正式 PDF，不能再修改。"),
            submit_label=_("确认签发"),
        )
        # What the service would refuse is told at once, not after a confirmation.
        if services.can_issue(request.user, reply) and not services.issue_problems(reply)
        else None,
    )


@keeps_typed_text(_page_of_reply)
@login_required
@require_POST
def reply_return_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_reply_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _assignment_page(request, reply.assignment, return_form=form)
    return run_action(
        request,
        lambda: services.reply_return(reply=reply, actor=request.user, comment=form.cleaned_data["comment"]),
        success=_("答复已退回经办人修改。"),
        redirect_to=_assignment_url(reply),
    )


@login_required
@require_GET
def reply_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_reply_for_user(request.user, pk)
    return render(
        request,
        "replies/detail.html",
        {
            "reply": reply,
            "assignment": reply.assignment,
            "proposal": reply.assignment.proposal,
            "letter": reply_context(reply),
            "can_see_versions": _can_see_versions(request.user, reply),
            "merge_copies": reply_copies(reply.assignment, reply.title, reply.addressee),
        },
    )


def _can_see_versions(user, reply: Reply) -> bool:
    """Drafts are the agency's (and staff's) working papers; members see only the issued letter."""
    return not roles.is_member(user)


def _versions_reply(request: AuthenticatedHttpRequest, pk: int) -> Reply:
    reply = selectors.get_reply_for_user(request.user, pk)
    if not _can_see_versions(request.user, reply):
        raise Http404
    return reply


@login_required
@require_GET
def reply_versions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = _versions_reply(request, pk)
    versions = list(reply.versions.select_related("saved_by").order_by("-version"))
    return render(request, "replies/versions.html", {"reply": reply, "versions": versions})


@login_required
@require_GET
def reply_diff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = _versions_reply(request, pk)
    versions = {v.version: v for v in reply.versions.select_related("saved_by")}
    try:
        new_no = int(request.GET.get("b") or reply.version)
        old_no = int(request.GET.get("a") or new_no - 1)
    except ValueError:
        raise Http404 from None
    if old_no not in versions or new_no not in versions:
        raise Http404
    old, new = versions[old_no], versions[new_no]
    return render(
        request,
        "replies/diff.html",
        {
            "reply": reply,
            "old": old,
            "new": new,
            "changes": version_diff(old, new),
            "version_numbers": sorted(versions),
        },
    )


def _pdf_filename(reply: Reply) -> str:
    proposal = reply.assignment.proposal
    kind = "会办意见" if not reply.assignment.answers_member else "答复"
    state = "" if reply.status == ReplyStatus.ISSUED else "-草稿"
    return f"{proposal.number or proposal.pk}-{kind}-{reply.assignment.agency.name}{state}.pdf"


@login_required
@require_GET
def reply_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    reply = selectors.get_reply_for_user(request.user, pk)
    filename = _pdf_filename(reply)
    record_event(event="download", request=request, user=request.user, obj=reply, detail="reply_pdf")
    if reply.status == ReplyStatus.ISSUED and reply.pdf.name:
        # Served from storage as issued, byte for byte.
        return file_download(
            default_storage.open(reply.pdf.name, "rb"), filename=filename, content_type="application/pdf"
        )
    return file_download(reply_pdf_bytes(reply), filename=filename, content_type="application/pdf")


@login_required
@require_GET
def reply_copy_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """并案 answered a copy each (``MergedReplyStyle.COPY_EACH``): the copy of the letter for the
    group's proposal ``?proposal=<id>``, with its number and its proposers, set from the same reply
    as the letter is (not stored: the issued letter with its SHA-256 is the record; see
    ``reply_copies``)."""
    reply = selectors.get_reply_for_user(request.user, pk)
    try:
        proposal_pk = int(request.GET.get("proposal", ""))
    except ValueError:
        raise Http404 from None
    copy = next(
        (c for c in reply_copies(reply.assignment, reply.title, reply.addressee) if c.proposal.pk == proposal_pk), None
    )
    if copy is None:
        raise Http404
    record_event(
        event="download", request=request, user=request.user, obj=reply, detail=f"reply_pdf copy {proposal_pk}"
    )
    context = reply_context(reply)
    context.update(title=copy.title, title_lines=balanced_lines(copy.title, TITLE_MAX_EMS), addressee=copy.addressee)
    state = "" if reply.status == ReplyStatus.ISSUED else "-草稿"
    filename = f"{copy.proposal.number or copy.proposal.pk}-答复-{reply.assignment.agency.name}{state}.pdf"
    return file_download(render_reply_context(context), filename=filename, content_type="application/pdf")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = None
    digest = ""
    code = ""
    document: verification.VerifiedDocument | None = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            if upload:
                if upload.size > getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024):
                    form.add_error("file", _("文件过大。"))
                else:
                    hasher = hashlib.sha256()
                    for chunk in upload.chunks():
                        hasher.update(chunk)
                    digest = hasher.hexdigest()
            elif form.cleaned_data["sha256"]:
                digest = form.cleaned_data["sha256"]
            else:
                code = form.cleaned_data.get("code", "")
            if digest:
                result = selectors.issued_reply_by_sha256(digest)
                record_event(
                    event="verify",
                    request=request,
                    user=request.user,
                    obj=result,
                    outcome="ok" if result else "failed",
                    detail="issued reply" if result else "no issued reply with this SHA-256",
                )
            elif code:
                document = verification.document_by_code(code)
                if document is None:
                    detail = "no signed document with this code"
                elif document.intact:
                    detail = f"{document.obj._meta.label} by code"
                else:
                    detail = f"{document.obj._meta.label} by code: changed since signing"
                record_event(
                    event="verify",
                    request=request,
                    user=request.user,
                    obj=document.obj if document else None,
                    outcome="ok" if document and document.intact else "failed",
                    detail=detail,
                )
    else:
        form = VerifyForm()
    return render(
        request,
        "replies/verify.html",
        {
            "form": form,
            "result": result,
            "digest": digest,
            "checked": bool(digest),
            "code": code,
            "document": document,
            "code_checked": bool(code),
        },
    )
