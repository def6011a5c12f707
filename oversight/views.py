"""Thin views of the oversight pages. Staff pages answer 404 to everyone else; the public pages
need no login and show only published replies, with personal data removed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.log import record_event
from audit.probes import record_out_of_scope
from common.downloads import file_download
from proposals import roles
from proposals.errors import DomainError
from proposals.http import AuthenticatedHttpRequest
from proposals.models import Agency, Committee, Meeting
from proposals.selectors import registry
from proposals.view_actions import Confirmation, confirmation_page, is_confirmed, is_preview
from replies import rules as reply_rules
from replies import services as reply_services
from replies.models import Reply, ReplyStatus
from replies.selectors import replies_visible_to

from . import selectors, services
from .charts import Bar, bar_chart, percent_bars, ranked, ranked_bar_chart
from .excel import workbook
from .models import BuildStatus, Notification, VolumeBuild, VolumeFormat
from .public import filter_by_category, public_categories, public_reply_context, redact_titles
from .queues import queues_for
from .stats import FORMULAS, follow_up_stats, meeting_stats
from .volume import volume_filename

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC_PAGE_SIZE = 20


def _meetings(user) -> list[Meeting]:
    """The meetings to choose among on the staff pages: the user's committee's, and a parent
    committee's staff who oversee them also their child committees' (read-only)."""
    return list(registry.meetings_for(user, read=True))


# --- Dashboard and statistics ------------------------------------------------------------------
@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    meeting = selectors.meeting_for(request.user, request.GET.get("meeting"))
    data = selectors.dashboard(meeting) if meeting else None
    return render(
        request, "oversight/dashboard.html", {"meeting": meeting, "meetings": _meetings(request.user), "d": data}
    )


@login_required
@require_GET
def statistics(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    selectors.require_staff(request.user)
    meeting = selectors.get_meeting(request.user, meeting_id)
    stats = meeting_stats(meeting)
    t = stats.totals
    classes = reply_rules.class_codes(reply_rules.enabled_reply_classes(meeting.committee_id))
    charts = {
        "rates": bar_chart(
            percent_bars(
                [
                    (_("立案率"), stats.registration_rate),
                    (_("办复率"), stats.reply_rate),
                    (_("按时办复率"), t.on_time_rate),
                    (_("满意率"), t.satisfaction_rate),
                    (_("满意占比"), t.satisfied_rate),
                ]
            ),
            title=_("主要指标"),
            maximum=100,
        ),
        "classes": bar_chart(
            percent_bars([(_("%(c)s 类") % {"c": c}, ratio) for c, ratio in t.class_shares()]),
            title=_("答复类别占比"),
            maximum=100,
        ),
        "status": bar_chart(
            [Bar(str(label), n, str(n)) for _value, label, n in stats.status_rows],
            title=_("各状态提案数"),
        ),
        "agencies": ranked_bar_chart(
            percent_bars(ranked([(row.agency.name, row.tally.on_time_rate) for row in stats.agencies])),
            title=_("各承办单位按时办复率（从高到低）"),
        ),
    }
    return render(
        request,
        "oversight/statistics.html",
        {
            "meeting": meeting,
            "meetings": _meetings(request.user),
            "stats": stats,
            "t": t,
            "classes": classes,
            "class_shares": t.class_shares(),
            "charts": charts,
            "formulas": FORMULAS,
            "follow_ups": follow_up_stats(meeting),
        },
    )


@login_required
@require_GET
def statistics_xlsx(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponseBase:
    selectors.require_staff(request.user)
    meeting = selectors.get_meeting(request.user, meeting_id)
    scorecard_only = request.GET.get("part") == "scorecard"
    classes = reply_rules.class_codes(reply_rules.enabled_reply_classes(meeting.committee_id))
    data = workbook(meeting_stats(meeting), classes, scorecard_only=scorecard_only)
    record_event(event="export", request=request, obj=meeting, detail="statistics xlsx")
    name = _("%(meeting)s承办单位办理情况") if scorecard_only else _("%(meeting)s提案办理统计")
    filename = (name % {"meeting": meeting.display_name}) + ".xlsx"
    return file_download(data, content_type=XLSX_CONTENT_TYPE, filename=filename)


# --- Compiled volumes --------------------------------------------------------------------------
@login_required
@require_GET
def volumes(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    meeting = selectors.meeting_for(request.user, request.GET.get("meeting"))
    builds = selectors.volume_builds_visible_to(request.user)
    if meeting:
        builds = builds.filter(meeting=meeting)
    return render(
        request,
        "oversight/volumes.html",
        {
            "meeting": meeting,
            "meetings": _meetings(request.user),
            "builds": builds[:30],
            "formats": VolumeFormat.choices,
        },
    )


@login_required
@require_POST
def volume_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    meeting = selectors.meeting_for(request.user, request.POST.get("meeting") or "0")
    if meeting is None:  # meeting_for returns None only when asked for none, and "0" is a (missing) meeting
        raise Http404
    try:
        build = services.volume_request(meeting=meeting, actor=request.user, fmt=request.POST.get("format", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('oversight:volumes')}?{urlencode({'meeting': meeting.pk})}")
    return redirect("oversight:volume_detail", pk=build.pk)


def _get_build(user, pk: int) -> VolumeBuild:
    try:
        return selectors.volume_builds_visible_to(user).get(pk=pk)
    except VolumeBuild.DoesNotExist:
        record_out_of_scope(user, VolumeBuild._meta.label, pk)
        raise Http404 from None


@login_required
@require_GET
def volume_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    return render(request, "oversight/volume_detail.html", {"build": _get_build(request.user, pk)})


@login_required
@require_GET
def volume_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    selectors.require_staff(request.user)
    build = _get_build(request.user, pk)
    return JsonResponse(
        {
            "status": build.status,
            "status_label": str(build.get_status_display()),
            "done": build.done,
            "total": build.total,
            "percent": build.percent,
            "active": build.is_active,
            "error": build.error,
            "download": reverse("oversight:volume_download", args=[build.pk])
            if build.status == BuildStatus.DONE
            else "",
        }
    )


@login_required
@require_GET
def volume_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    selectors.require_staff(request.user)
    build = _get_build(request.user, pk)
    if build.status != BuildStatus.DONE or not build.file:
        raise Http404
    record_event(event="export", request=request, obj=build, detail=f"volume {build.format}")
    content_type = "application/zip" if build.format == VolumeFormat.ZIP else "application/pdf"
    return file_download(build.file.open("rb"), content_type=content_type, filename=volume_filename(build))


# --- Failed background work --------------------------------------------------------------------
@login_required
@require_GET
def failed_tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    return render(
        request,
        "oversight/failed_tasks.html",
        {
            "builds": selectors.failed_volume_builds(request.user)[:50],
            "notifications": selectors.failed_notifications(request.user)[:50],
            "task_results": selectors.failed_task_results(),
        },
    )


# --- Unpublishing -----------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def reply_unpublish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    reply = selectors.get_public_reply(pk)
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if reason.strip() and not is_confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("撤销公开"),
                    consequence=_(
                        "撤销后，公众页面不再显示该答复及其 PDF；答复本身不变，"
                        "办理记录中留下撤销的时间、操作人和理由“%(reason)s”。"
                    )
                    % {"reason": reason.strip()},
                    submit_label=_("确认撤销公开"),
                ),
                cancel_url=reverse("oversight:public_detail", args=[reply.pk]),
            )
        if is_preview(request):  # the page's dialog asked: nothing to confirm, so nothing is done
            return HttpResponse(status=409)
        try:
            services.reply_unpublish(reply=reply, actor=request.user, reason=reason)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已撤销公开，公众页面不再显示该答复。"))
            return redirect("oversight:public_list")
    return render(
        request,
        "oversight/unpublish.html",
        {"reply": reply, "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


# --- Public pages (no login) -------------------------------------------------------------------
def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    committee_id = _int_or_none(request.GET.get("committee"))
    meeting_id = _int_or_none(request.GET.get("meeting"))
    agency_id = _int_or_none(request.GET.get("agency"))
    category_id = _int_or_none(request.GET.get("category"))
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.search_public_replies(committee_id=committee_id, meeting_id=meeting_id, agency_id=agency_id, q=q)
    qs = filter_by_category(qs, category_id)
    page = Paginator(qs, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    redact_titles(list(page.object_list))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    published = selectors.public_replies()
    return render(
        request,
        "oversight/public_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "committee_id": committee_id,
            "meeting_id": meeting_id,
            "agency_id": agency_id,
            "category_id": category_id,
            "categories": public_categories(published),
            "committees": Committee.objects.filter(public_pages=True, proposals__assignments__replies__in=published)
            .distinct()
            .order_by("pk"),
            "meetings": Meeting.objects.filter(proposals__assignments__replies__in=published)
            .select_related("committee")
            .distinct(),
            "agencies": Agency.objects.filter(assignments__replies__in=published).distinct().order_by("name"),
        },
    )


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reply = selectors.get_public_reply(pk)
    return render(
        request,
        "oversight/public_detail.html",
        {
            "reply": reply,
            "letter": public_reply_context(reply),
            "can_unpublish": roles.is_staff_of(request.user, reply.assignment.proposal.committee_id),
        },
    )


@require_GET
def public_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    reply: Reply = selectors.get_public_reply(pk)
    # Only the copy stored when the reply became public: rendering on an anonymous request would let
    # anyone load the server (a long letter takes seconds).
    stored = selectors.public_pdf_of(reply)
    if stored is None:
        raise Http404
    try:
        content = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    number = reply.assignment.proposal.number or str(reply.pk)
    # The redacted public copy: anyone may read it, so caches may keep it.
    return file_download(
        content, content_type="application/pdf", filename=f"reply-{number}-{reply.pk}.pdf", inline=True, personal=False
    )


# --- Home: each role's work queues (issue 19) --------------------------------------------------
@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for the user, queue by queue; roles without queues go to the page they work from."""
    queues = queues_for(request.user)
    if queues is None:
        raise Http404
    leader_replies: list[dict] = []
    if roles.is_leader_of(request.user, request.user.agency_id):
        # The letters waiting for this leader's 签发, readable here without opening each one, with
        # 签发 and 退回修改 right here; what would stop the issue is shown first (at most five
        # letters, so these few reads per letter are bounded).
        waiting = (
            replies_visible_to(request.user)
            .filter(status=ReplyStatus.SUBMITTED)
            .select_related("assignment__proposal__committee", "assignment__agency")
            .order_by("submitted_at", "id")[:5]
        )
        leader_replies = [
            {
                "reply": reply,
                "refusal": reply_services.issue_refusal(request.user, reply),
                "problems": reply_services.issue_problems(reply),
            }
            for reply in waiting
        ]
    return render(
        request,
        "oversight/home.html",
        {
            "queues": queues,
            "leader_replies": leader_replies,
            "today": timezone.localdate(),
        },
    )


# --- Notifications in the app (the bell) --------------------------------------------------------
@login_required
@require_GET
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "oversight/notifications.html", {"page": page})


@login_required
@require_GET
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notification read and go to its page (which applies its own 404 rules)."""
    note = selectors.notifications_of(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    return redirect(note.url if note.url.startswith("/") else "oversight:notifications")


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.notifications_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("已全部标为已读。"))
    return redirect("oversight:notifications")
