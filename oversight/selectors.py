"""Reads of the oversight pages: who is staff here, the dashboard, the public replies, failed work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.probes import record_out_of_scope
from proposals import roles
from proposals.models import (
    ANSWERING_ROLES,
    Assignment,
    ExtensionRequest,
    ExtensionStatus,
    Meeting,
    Member,
    Proposal,
    ProposalStatus,
    User,
)
from proposals.selectors import registry
from replies.models import Reply, ReplyStatus

from .models import BuildStatus, DeliveryStatus, Notification, PublicReplyPdf, SentNotification, VolumeBuild
from .redaction import FULLWIDTH, contains_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DASHBOARD_LIST_LIMIT = 50


def require_staff(user: User | None) -> None:
    """The dashboard, statistics, volumes and failed tasks are committee staff's only: 404 for
    everyone else, so the staff pages do not reveal that they exist."""
    if not roles.is_staff(user):
        record_out_of_scope(user, "oversight (staff pages)")
        raise Http404


def meeting_for(user: User, meeting_id: str | int | None) -> Meeting | None:
    """The meeting of ``user``'s committee asked for, else its current one, else its latest; None
    when it has none at all. Another committee's meeting answers 404."""
    if meeting_id not in (None, ""):
        try:
            return get_meeting(user, int(meeting_id))
        except (ValueError, TypeError):
            raise Http404 from None
    return registry.current_meeting(user)


def get_meeting(user: User, pk: int) -> Meeting:
    """A meeting whose figures ``user`` may read (a parent committee's staff: its children's too)."""
    try:
        return registry.meetings_for(user, read=True).get(pk=pk)
    except Meeting.DoesNotExist:
        record_out_of_scope(user, Meeting._meta.label, pk)
        raise Http404 from None


def volume_builds_visible_to(user: User) -> QuerySet[VolumeBuild]:
    """The compiled volumes of the meetings of ``user``'s committee."""
    return VolumeBuild.objects.filter(meeting__in=registry.meetings_for(user, read=True)).select_related(
        "meeting", "requested_by"
    )


# --- Dashboard -------------------------------------------------------------------------------
@dataclass
class Dashboard:
    meeting: Meeting
    today: dt.date
    week_end: dt.date
    status_counts: dict[str, int]
    total: int
    due_this_week: list[Assignment]
    due_this_week_count: int
    overdue: list[Assignment]
    overdue_count: int
    extended: list[Assignment]
    extended_count: int
    pending_extensions: int
    returned_waiting: int
    key_proposals: list[Proposal]

    @property
    def status_rows(self) -> list[tuple[str, StrOrPromise, int]]:
        """Every status but 草稿: a draft is its author's until it is submitted."""
        return [(v, label, self.status_counts.get(v, 0)) for v, label in ProposalStatus.choices if v != "draft"]


def _assignment_rows(qs: QuerySet[Assignment]) -> list[Assignment]:
    return list(qs.select_related("proposal__committee", "agency").order_by("due_date", "id")[:DASHBOARD_LIST_LIMIT])


def dashboard(meeting: Meeting, *, today: dt.date | None = None) -> Dashboard:
    """Where the meeting's work stands. "This week" is today and the six days after it."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6)
    submitted = Proposal.objects.filter(meeting=meeting).exclude(status=ProposalStatus.DRAFT)
    by_status = submitted.values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in by_status}
    of_meeting = Assignment.objects.filter(proposal__meeting=meeting)
    open_ = of_meeting.open()
    due_week = open_.filter(due_date__gte=today, due_date__lte=week_end)
    overdue = of_meeting.overdue(today)
    extended = of_meeting.live().filter(due_date__gt=F("original_due_date"))
    key = (
        Proposal.objects.filter(meeting=meeting, is_key=True)
        .select_related("first_proposer", "committee")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.live().select_related("agency"),
            )
        )
        .order_by("sequence", "id")[:DASHBOARD_LIST_LIMIT]
    )
    return Dashboard(
        meeting=meeting,
        today=today,
        week_end=week_end,
        status_counts=counts,
        total=sum(counts.values()),
        due_this_week=_assignment_rows(due_week),
        due_this_week_count=due_week.count(),
        overdue=_assignment_rows(overdue),
        overdue_count=overdue.count(),
        extended=_assignment_rows(extended),
        extended_count=extended.count(),
        pending_extensions=ExtensionRequest.objects.filter(
            assignment__proposal__meeting=meeting, status=ExtensionStatus.PENDING
        ).count(),
        returned_waiting=of_meeting.returned_waiting().count(),
        key_proposals=list(key),
    )


# --- Public replies --------------------------------------------------------------------------
def public_replies() -> QuerySet[Reply]:
    """Issued answers to the member that the agency published and staff did not take down, of the
    committees whose public pages are on: all the public sees. A co-handler's view (会办意见) is
    written for the lead agency, not for the member, and is never public whatever its 主动公开 box says;
    nor is the answer to a proposal whose proposer refused publication (是否同意公开), even when the
    agency ticked 主动公开 by mistake. The public list, search, page and PDF all read this."""
    return Reply.objects.filter(
        status=ReplyStatus.ISSUED,
        is_public=True,
        unpublished_at__isnull=True,
        assignment__role__in=ANSWERING_ROLES,
        assignment__proposal__committee__public_pages=True,
        assignment__proposal__publication_consent=True,
    )


def names_personal_data(q: str) -> bool:
    """Whether the query overlaps a member's work unit or phone (either contains the other)."""
    if Member.objects.filter(Q(work_unit__icontains=q) | Q(phone__icontains=q)).exists():
        return True
    units = Member.objects.exclude(work_unit="").values_list("work_unit", flat=True)
    return any(len(unit) >= 2 and unit in q for unit in units)


def search_public_replies(
    *, committee_id: int | None = None, meeting_id: int | None = None, agency_id: int | None = None, q: str = ""
) -> QuerySet[Reply]:
    qs = public_replies().select_related(
        "assignment",
        "assignment__agency",
        "assignment__proposal",
        "assignment__proposal__meeting",
        "assignment__proposal__committee",
    )
    if committee_id:
        qs = qs.filter(assignment__proposal__committee_id=committee_id)
    if meeting_id:
        qs = qs.filter(assignment__proposal__meeting_id=meeting_id)
    if agency_id:
        qs = qs.filter(assignment__agency_id=agency_id)
    # Full-width digits are the same digits: the public copy shows them as ASCII (mask_phones).
    q = (q or "").translate(FULLWIDTH).strip()
    if q:
        if contains_phone(q) or names_personal_data(q):
            # Searching for a phone number or a work unit would tell whether it appears in a reply
            # whose public copy hides it: answer nothing.
            return qs.none()
        # Only the text the public sees (redacted, PublicReplyText), never the letter as issued: a
        # fragment of a masked number must not find the reply, or it could be guessed digit by digit.
        qs = qs.filter(
            Q(public_text__title__icontains=q)
            | Q(public_text__body__icontains=q)
            | Q(assignment__proposal__number__iexact=q)
        )
    return qs.order_by("-issued_at", "-id")


def get_public_reply(pk: int) -> Reply:
    try:
        return (
            public_replies()
            .select_related(
                "assignment",
                "assignment__agency",
                "assignment__proposal",
                "assignment__proposal__meeting",
                "assignment__proposal__committee",
            )
            .get(pk=pk)
        )
    except (Reply.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def public_pdf_of(reply: Reply) -> PublicReplyPdf | None:
    """The stored public PDF of a reply that ``get_public_reply`` returned; None until it is rendered."""
    return PublicReplyPdf.objects.filter(reply=reply).first()


# --- Background work -------------------------------------------------------------------------
def failed_volume_builds(user: User) -> QuerySet[VolumeBuild]:
    return (
        volume_builds_visible_to(user)
        .filter(status__in=[BuildStatus.FAILED, BuildStatus.RETRYING])
        .select_related("meeting", "requested_by")
    )


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications in the app (the bell): nobody reads another's."""
    if not roles.is_active_user(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def failed_notifications(user: User) -> QuerySet[SentNotification]:
    """The failed messages about ``user``'s committee's work."""
    failed = SentNotification.objects.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.RETRYING])
    scope = roles.committee_scope(user)
    if scope is None:
        return failed if roles.is_admin(user) else failed.none()
    return failed.filter(committee_id=scope)


def failed_task_results(limit: int = 50) -> list:
    """Failed runs recorded by the database task backend (empty with another backend)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the backend is a declared dependency
        return []
    return list(DBTaskResult.objects.failed().order_by("-finished_at")[:limit])
