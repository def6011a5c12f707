"""Pages of the consultation record, the member's sign-off, ratings and closing. Thin: access, form, service."""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.kept_posts import keeps_typed_text, take_kept_post
from audit.log import record_event
from common.downloads import file_download
from documents.formats import document_date
from proposals import deadlines, roles
from proposals.errors import DomainError
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Assignment, ProposalStatus
from proposals.proposers import assignment_proposers
from proposals.selectors import get_assignment_for_user, get_proposal_for_user
from proposals.view_actions import Confirmation, confirmation_page, is_confirmed, is_preview, run_action
from replies.models import ReplyStatus
from replies.selectors import replies_visible_to

from . import selectors, services
from .forms import CloseForm, RatingForm, RatingOnBehalfForm, RecordForm, ScheduleForm, SignOnlineForm, SignPaperForm
from .models import Consultation, Satisfaction
from .pdf import record_pdf_for_download, record_title
from .services.signers import line_of_member, unsigned_lines

PAGE_SIZE = 50


def _status_for(error: DomainError) -> int:
    return 403 if error.code == "forbidden" else 409 if error.code == "conflict" else 400


def _assignment_url(assignment_id: int) -> str:
    return reverse("consultations:assignment", args=[assignment_id])


def _attach_lines(consultation: Consultation) -> Consultation:
    """A joint record's proposers, for the record's summary (empty on a one-member record)."""
    lines = services.signer_lines(consultation)
    consultation.joint_lines = lines if len(lines) > 1 else []
    return consultation


def _rounds(request: AuthenticatedHttpRequest, assignment: Assignment) -> list[dict]:
    """Each round's reply, records and ratings side by side; earlier rounds stay readable."""
    user = request.user
    replies = replies_visible_to(user).filter(assignment=assignment)
    replies_by_round = {r.round: r for r in replies}
    records = (
        selectors.consultations_visible_to(user)
        .filter(assignment=assignment)
        .select_related("reply", "signed_by", "entered_by", "member")
        .prefetch_related("signers__member", "signers__signed_by", "signers__entered_by")
    )
    ratings = selectors.ratings_visible_to(user).filter(assignment=assignment).select_related("member", "entered_by")
    rounds = []
    for number in range(assignment.round, 0, -1):
        round_records = [c for c in records if c.round == number]
        for c in round_records:
            c.can_edit = selectors.can_edit_record(user, c)
            c.can_sign = selectors.can_sign_online(user, c)
            c.can_sign_paper = selectors.can_sign_paper(user, c)
            _attach_lines(c)
        rounds.append(
            {
                "number": number,
                "is_current": number == assignment.round,
                "reply": replies_by_round.get(number),
                "records": round_records,
                "ratings": [r for r in ratings if r.round == number],
            }
        )
    return rounds


def _assignment_page(
    request: AuthenticatedHttpRequest, assignment: Assignment, *, schedule_form=None, status: int = 200
):
    user = request.user
    can_record = selectors.can_record(user, assignment)
    rounds = _rounds(request, assignment)
    if schedule_form is None and selectors.can_schedule(user, assignment):
        schedule_form = ScheduleForm()
    context = {
        "assignment": assignment,
        "proposal": assignment.proposal,
        "rounds": rounds,
        "can_record": can_record,
        # A form sent with errors is shown again whatever the state, so its errors are seen.
        "schedule_form": schedule_form,
        "can_rate": selectors.can_rate(user, assignment),
        "can_rate_on_behalf": selectors.can_rate_on_behalf(user, assignment),
        "can_close": selectors.can_close(user, assignment.proposal),
    }
    return render(request, "consultations/assignment.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    return _assignment_page(request, assignment)


@login_required
@require_POST
def schedule(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, assignment_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _assignment_page(request, assignment, schedule_form=form, status=400)
    try:
        consultation = services.consultation_schedule(assignment=assignment, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _assignment_page(request, assignment, schedule_form=form, status=_status_for(exc))
    messages.success(request, _("已安排面商。"))
    for warning in consultation.warnings:
        messages.warning(request, warning)
    return redirect(_assignment_url(assignment.pk))


def _record_initial(consultation: Consultation) -> dict:
    prefill = services.record_prefill(consultation)
    initial = {name: getattr(consultation, name) or prefill.get(name, "") for name in services.RECORD_FIELDS}
    initial["held_at"] = consultation.held_at
    initial["loaded_at"] = consultation.updated_at.isoformat()
    return initial


@keeps_typed_text()
@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    if consultation.is_locked:
        messages.error(request, services.RECORD_LOCKED)
        return redirect(_assignment_url(consultation.assignment_id))
    if not selectors.can_edit_record(request.user, consultation):
        raise PermissionDenied
    proposal = consultation.assignment.proposal
    # Every proposer is on the record (services.signers.sync_signers): the first in the form's
    # fields, the others as they will be on it once saved, in proposer order.
    others = [m for m in assignment_proposers(consultation.assignment) if m.pk != consultation.member_id]
    if request.method == "POST":
        form = RecordForm(request.POST, proposal=proposal, other_proposers=others)
        if form.is_valid():
            data = dict(form.cleaned_data)
            loaded_at = data.pop("loaded_at", "")
            # No readable version is None, which the service refuses as a conflict (never "no check").
            try:
                expected = dt.datetime.fromisoformat(loaded_at) if loaded_at else None
            except ValueError:
                expected = None
            try:
                saved = services.consultation_record(
                    consultation=consultation, actor=request.user, expected_updated_at=expected, **data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = _status_for(exc)
            else:
                messages.success(request, _("面商记录已保存，等待委员签字。"))
                for warning in saved.warnings:
                    messages.warning(request, warning)
                return redirect(_assignment_url(consultation.assignment_id))
        else:
            status = 400
    elif (kept := take_kept_post(request)) is not None:
        form = RecordForm(kept, proposal=proposal, other_proposers=others)
        status = 200
    else:
        form = RecordForm(initial=_record_initial(consultation), proposal=proposal, other_proposers=others)
        status = 200
    # A joint record some proposers signed already: saving clears their signatures (the service says so too).
    signed_names = "、".join(line.name for line in services.signer_lines(consultation) if line.is_signed)
    return render(
        request,
        "consultations/record_form.html",
        {"consultation": consultation, "form": form, "signed_names": signed_names},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    status = 200
    form = None
    if request.method == "POST":
        form = SignOnlineForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_sign_online(
                    consultation=consultation,
                    actor=request.user,
                    password=form.cleaned_data["password"],
                    opinion=form.cleaned_data["opinion"],
                    opinion_text=form.cleaned_data["opinion_text"],
                    signature_data_url=form.cleaned_data["signature"],
                    ip=request.META.get("REMOTE_ADDR"),
                )
            except DomainError as exc:
                form.add_error("password" if exc.code == "wrong_password" else None, exc.message)
                status = _status_for(exc)
            else:
                consultation.refresh_from_db()
                if consultation.is_locked:
                    messages.success(request, _("签字成功，面商记录已锁定。"))
                else:
                    messages.success(request, _("签字成功。其他提案人全部签字后，面商记录锁定。"))
                return redirect(reverse("consultations:sign", args=[consultation.pk]))
        else:
            status = 400
        consultation.refresh_from_db()
    _attach_lines(consultation)
    can_sign = selectors.can_sign_online(request.user, consultation)
    if form is None and can_sign:
        form = SignOnlineForm()
    # A joint record: the viewer's own line, the one they sign (None for anyone not on it).
    own_line = next(
        (line for line in consultation.joint_lines if roles.is_member_of(request.user, line.member_id)), None
    )
    return render(
        request,
        "consultations/sign.html",
        {
            "consultation": consultation,
            "form": form,
            "can_sign": can_sign,
            "own_line": own_line,
            "own_signed": own_line is not None and own_line.is_signed,
            "record_title": record_title(consultation),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    if not selectors.can_sign_paper(request.user, consultation) and request.method == "GET":
        if consultation.is_locked:
            messages.error(request, services.RECORD_LOCKED)
            return redirect(_assignment_url(consultation.assignment_id))
        raise PermissionDenied
    status = 200
    _attach_lines(consultation)
    # A joint record: whose signature the scan is, among the proposers not signed yet.
    signers = [(line.member_id, line.name) for line in consultation.joint_lines if not line.is_signed]
    if request.method == "POST":
        form = SignPaperForm(request.POST, request.FILES, signers=signers)
        if form.is_valid():
            try:
                signed = services.consultation_sign_paper(
                    consultation=consultation,
                    actor=request.user,
                    scan=form.cleaned_data["scan"],
                    opinion=form.cleaned_data["opinion"],
                    opinion_text=form.cleaned_data["opinion_text"],
                    member_id=form.cleaned_data.get("member"),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = _status_for(exc)
            else:
                if signed.is_locked:
                    messages.success(request, _("纸质签字的面商记录已录入并锁定。"))
                else:
                    messages.success(request, _("纸质签字已录入。其他提案人全部签字后，面商记录锁定。"))
                return redirect(_assignment_url(consultation.assignment_id))
        else:
            status = 400
    else:
        form = SignPaperForm(signers=signers)
    # The record locks with its last signature: only then does entering this one lock it.
    locks = len(unsigned_lines(consultation)) <= 1
    return render(
        request,
        "consultations/paper.html",
        {"consultation": consultation, "form": form, "locks": locks},
        status=status,
    )


def _attachment(
    request: AuthenticatedHttpRequest, data_or_file, *, filename: str, content_type: str, obj
) -> HttpResponseBase:
    record_event(event="download", request=request, user=request.user, obj=obj, detail=filename)
    return file_download(data_or_file, content_type=content_type, filename=filename)


@login_required
@require_GET
def record_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    data = record_pdf_for_download(consultation)
    filename = f"面商记录表-{consultation.proposal_number or consultation.pk}-第{consultation.round}轮.pdf"
    return _attachment(request, data, filename=filename, content_type="application/pdf", obj=consultation)


@login_required
@require_GET
def record_scan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    scan_name = consultation.paper_scan.name
    if not scan_name:
        raise Http404
    ext = PurePath(scan_name).suffix
    filename = f"面商记录表扫描件-{consultation.proposal_number or consultation.pk}{ext}"
    content_type = consultation.paper_scan_type or mimetypes.guess_type(scan_name)[0]
    return _attachment(
        request,
        consultation.paper_scan.open("rb"),
        filename=filename,
        content_type=content_type or "application/octet-stream",
        obj=consultation,
    )


@login_required
@require_GET
def record_signature(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    if not consultation.signature:
        raise Http404
    record_event(event="download", request=request, user=request.user, obj=consultation, detail="signature")
    # A person's handwriting, shown in the page (inline).
    return file_download(consultation.signature.open("rb"), content_type="image/png", inline=True)


@login_required
@require_GET
def signer_scan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The paper form one of a joint record's other proposers signed."""
    row = selectors.get_signer_for_user(request.user, pk)
    consultation = row.consultation
    if not row.paper_scan.name:
        raise Http404
    ext = PurePath(row.paper_scan.name).suffix
    # Numbered by the proposer's place on the record: the download's audit row names no one.
    filename = f"面商记录表扫描件-{consultation.proposal_number or consultation.pk}-{row.order + 1}{ext}"
    content_type = row.paper_scan_type or mimetypes.guess_type(row.paper_scan.name)[0]
    return _attachment(
        request,
        row.paper_scan.open("rb"),
        filename=filename,
        content_type=content_type or "application/octet-stream",
        obj=consultation,
    )


@login_required
@require_GET
def signer_signature(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    row = selectors.get_signer_for_user(request.user, pk)
    consultation = row.consultation
    if not row.signature:
        raise Http404
    record_event(event="download", request=request, user=request.user, obj=consultation, detail="signature")
    return file_download(row.signature.open("rb"), content_type="image/png", inline=True)


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.awaiting_signature(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    signed = list(
        selectors.signed_by_member(request.user)  # none for anyone but a member
        .select_related("assignment__proposal__meeting", "assignment__proposal__committee", "assignment__agency")
        .prefetch_related("signers__member")
        .order_by("-held_at", "-pk")[:20]
    )
    for c in signed:
        c.my_line = line_of_member(c, request.user.member_id)  # type: ignore[attr-defined]  # for the template
    return render(request, "consultations/mine.html", {"page": page, "signed": signed})


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    user = request.user
    assignment = get_assignment_for_user(user, assignment_id)
    on_behalf = roles.is_staff_of(user, assignment.proposal.committee_id)
    members = selectors.assignment_raters(assignment)
    committee = assignment.proposal.committee  # its rating mode decides the form's scores
    status = 200
    if request.method == "POST":
        form = (
            RatingOnBehalfForm(request.POST, request.FILES, committee=committee, members=members)
            if on_behalf
            else RatingForm(request.POST, request.FILES, committee=committee)
        )
        if form.is_valid():
            data = form.cleaned_data
            # 不满意 starts re-handling: the member confirms first. Not on behalf: staff enter a
            # paper form the member filled in, and a file cannot be carried over the step.
            if (
                data["value"] == Satisfaction.UNSATISFIED
                and not on_behalf
                and selectors.can_rate(user, assignment)
                and not is_confirmed(request)
            ):
                cancel_url = reverse("consultations:rate", args=[assignment.pk])
                return confirmation_page(request, _unsatisfied_confirmation(assignment), cancel_url=cancel_url)
            try:
                services.rating_submit(
                    assignment=assignment,
                    actor=user,
                    member_id=data["member"] if on_behalf else user.member_id,
                    **form.scores(),
                    comment=data["comment"],
                    paper_form=data.get("paper_form"),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = _status_for(exc)
            else:
                messages.success(request, _("测评已提交。"))
                return redirect(_assignment_url(assignment.pk))
        else:
            status = 400
    else:
        is_rater = roles.is_member(user) and user.member_id in {m.pk for m in members}
        if not (is_rater or on_behalf):
            raise PermissionDenied
        if not selectors.rating_open(assignment):
            closed = assignment.proposal.status == ProposalStatus.CLOSED
            messages.error(request, services.RATING_CLOSED if closed else services.RATING_BEFORE_ISSUE)
            return redirect(_assignment_url(assignment.pk))
        initial = {}
        if not on_behalf:
            existing = selectors.ratings_visible_to(user).filter(assignment=assignment, round=assignment.round).first()
            if existing is not None:
                initial = {
                    "value": existing.value,
                    "attitude": existing.attitude,
                    "result": existing.result,
                    "contact_method": existing.contact_method,
                    "comment": existing.comment,
                }
        form = (
            RatingOnBehalfForm(initial=initial, committee=committee, members=members)
            if on_behalf
            else RatingForm(initial=initial, committee=committee)
        )
    reply = selectors.round_reply(assignment)
    if reply is not None and reply.status != ReplyStatus.ISSUED:
        reply = None
    return render(
        request,
        "consultations/rate.html",
        {"assignment": assignment, "form": form, "on_behalf": on_behalf, "reply": reply},
        status=status,
    )


def _unsatisfied_confirmation(assignment: Assignment) -> Confirmation:
    due = deadlines.rehandle_due_date(assignment.proposal.meeting, timezone.localdate())
    return Confirmation(
        title=_("测评：不满意"),
        consequence=_("选择“不满意”后，该件将退回承办单位重新办理，办理时限为 %(due)s。") % {"due": document_date(due)},
        submit_label=_("确认不满意"),
    )


@login_required
@require_GET
def rating_form_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    rating = selectors.get_rating_for_user(request.user, pk)
    form_name = rating.paper_form.name
    if not form_name:
        raise Http404
    ext = PurePath(form_name).suffix
    return _attachment(
        request,
        rating.paper_form.open("rb"),
        filename=f"纸质测评表-{rating.pk}{ext}",
        content_type=rating.paper_form_type or "application/octet-stream",
        obj=rating,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: AuthenticatedHttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, proposal_id)
    if not roles.is_staff_of(request.user, proposal.committee_id):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = CloseForm(request.POST)
        if form.is_valid() and selectors.can_close(request.user, proposal) and not is_confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("办结"),
                    consequence=_("办结后提案状态为“已办结”，各承办单位的测评不能再修改；办结不能撤销。"),
                    submit_label=_("确认办结"),
                ),
                cancel_url=reverse("consultations:close", args=[proposal.pk]),
            )
        if is_preview(request):  # the page's dialog asked: nothing to confirm, so nothing is done
            return HttpResponse(status=409)
        if form.is_valid():
            try:
                services.proposal_close(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = _status_for(exc)
            else:
                messages.success(request, _("提案已办结。"))
                return redirect(reverse("proposals:detail", args=[proposal.pk]))
        else:
            status = 400
    else:
        form = CloseForm()
    assignments = services.answering_assignments(proposal)
    return render(
        request,
        "consultations/close.html",
        {
            "proposal": proposal,
            "form": form,
            "problems": services.close_readiness(proposal),
            "assignments": assignments,
            "can_close": selectors.can_close(request.user, proposal),
        },
        status=status,
    )


@login_required
@require_POST
def request_resign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The reply changed after the member signed: the record goes back for a new signature."""
    consultation = selectors.get_consultation_for_user(request.user, pk)
    back = reverse("replies:assignment", args=[consultation.assignment_id])
    may_act = roles.is_agency_user_of(request.user, consultation.assignment.agency_id)
    return run_action(
        request,
        lambda: services.consultation_request_resign(
            consultation=consultation, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=_("已请委员重新签字，委员将收到通知。"),
        redirect_to=back,
        confirm=Confirmation(
            title=_("请委员重新签字"),
            consequence=_(
                "面商记录将回到“已面商”状态，委员原来的签字作废（历史记录中仍可查看），"
                "委员须在当前版本的答复基础上重新签字；需要签字的，签字前答复不能签发。"
            ),
            submit_label=_("确认请委员重新签字"),
        )
        if may_act
        else None,
    )
