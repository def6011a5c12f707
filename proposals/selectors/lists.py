"""The proposal list, its Excel export, a member's own proposals and the inbox. How these queries
were made fast, and what has to stay as it is: docs/PERFORMANCE.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Value, When
from django.http import QueryDict

from .. import roles
from ..choices import AssignmentStatus, ExtensionStatus
from ..models import Assignment, ExtensionRequest, Proposal, User
from ..paging import IdsFirstPaginator

if TYPE_CHECKING:
    from ..filters import ProposalFilter
from .registry import current_meeting
from .visibility import assignments_visible_to, proposals_visible_to

LIST_DEFERRED = ("search_text", "main_content", "reason", "suggestions", "key_note", "decline_note", "close_note")

# Replied assignments stay in the inbox (after the open ones) until the case is done: the agency
# still holds the consultation and waits for the member's feedback.
INBOX_STATES = (
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.REHANDLING,
    AssignmentStatus.REPLIED,
)


def prefetch_live_assignments(*only: str) -> Prefetch:
    """``live_assignments`` of each proposal with its agency, in role order (``only`` these fields)."""
    live = Assignment.objects.live().select_related("agency")
    if only:
        live = live.only(*only)
    return Prefetch("assignments", queryset=live.order_by("role", "id"), to_attr="live_assignments")


def list_rows(ids: Sequence[int]) -> QuerySet[Proposal]:
    """What a row of the list reads, for the page's ``ids``: the joins and the live assignments."""
    return (
        Proposal.objects.filter(pk__in=ids)
        .defer(*LIST_DEFERRED)
        .select_related("meeting", "committee", "first_proposer", "category")
        .prefetch_related(prefetch_live_assignments())
    )


def _filtered(
    user: User, params: Mapping[str, Any] | None, *, count_base: QuerySet[Proposal] | None = None
) -> tuple[ProposalFilter, QuerySet[Proposal]]:
    # proposals.filters imports this module (count_visible_with_agency): read it when a list is asked for.
    from ..filters import DEFAULT_ORDER, ProposalFilter

    base = proposals_visible_to(user).defer(*LIST_DEFERRED)
    flt = ProposalFilter(params or None, queryset=base, count_base=count_base, user=user)
    return flt, flt.qs if flt.is_bound else base.order_by(*DEFAULT_ORDER)


@dataclass(frozen=True)
class ProposalList:
    """The list page's proposals for one user and query: ``filter`` (its form), ``ordered`` (the
    visible proposals by the filters and the order) and ``page()``."""

    user: User
    filter: ProposalFilter
    ordered: QuerySet[Proposal]

    def page(self, number: Any, per_page: int) -> Page:
        """One page: its ids by ``ordered``, then those rows by ``list_rows`` (proposals.paging),
        counted by ``ProposalFilter.count``. The same number of queries at any page size."""
        # A copy: ``ordered`` may have been read already, and the paginator slices a QuerySet.
        paginator = IdsFirstPaginator(
            self.ordered.all(), per_page, rows=list_rows, count=lambda: self.filter.count(self.user)
        )
        return paginator.get_page(number)


def proposal_list(user: User, params: Mapping[str, Any] | None) -> ProposalList:
    """The proposal list as ``user`` sees it, filtered and sorted by ``params`` (the query string)."""
    count_base = proposals_visible_to(user, for_count=True)
    flt, ordered = _filtered(user, params, count_base=count_base)
    return ProposalList(user=user, filter=flt, ordered=ordered)


MEETING_PARAM = "meeting"


def with_default_meeting(user: User, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """The staff list's query with the current meeting (``registry.current_meeting``) when it names
    no meeting; ``meeting=`` (全部) asks for every meeting. Others' lists are not narrowed."""
    if MEETING_PARAM in params or not roles.is_staff(user):
        return params
    meeting = current_meeting(user)
    if meeting is None:
        return params
    if isinstance(params, QueryDict):
        narrowed = params.copy()
        narrowed[MEETING_PARAM] = str(meeting.pk)
        return narrowed
    return {**params, MEETING_PARAM: str(meeting.pk)}


def batch_rows(user: User, ids: Iterable[int]) -> QuerySet[Proposal]:
    """The proposals of ``ids`` that ``user`` may see, in the list's order, with what a batch's
    preview and result pages show of them (number, title, meeting)."""
    from ..filters import DEFAULT_ORDER

    return (
        proposals_visible_to(user)
        .filter(pk__in=list(ids))
        .defer(*LIST_DEFERRED)
        .select_related("meeting", "committee")
        .order_by(*DEFAULT_ORDER)
    )


def list_ids(user: User, params: Mapping[str, Any] | None, *, limit: int) -> list[int]:
    """The ids of the list's proposals ("all matching the filter"), in its order, at most ``limit``."""
    _flt, ordered = _filtered(user, params)
    return list(ordered.values_list("pk", flat=True)[:limit])


# What ``proposals.exports`` writes of a proposal, read as values (a meeting is thousands of rows:
# model instances took a third of the export's time). Names and 界别 only, never phones or work units.
EXPORT_FIELDS = (
    "pk",
    "number",
    "title",
    "proposer_kind",
    "body_name",
    "status",
    "is_key",
    "meeting__term",
    "meeting__session",
    "first_proposer__name",
    "first_proposer__sector",
    "category__name",
    "merged_into__number",
)


def proposal_export_rows(user: User, params: Mapping[str, Any] | None) -> QuerySet[Any]:
    """The list's proposals (same filters and order) as named rows of ``EXPORT_FIELDS``; their
    assignments and co-signers are read a batch at a time by ``proposals.exports``."""
    _flt, ordered = _filtered(user, params)
    return ordered.values_list(*EXPORT_FIELDS, named=True)


def recent_proposals(user: User) -> QuerySet[Proposal]:
    """The 我的提案 page: the proposals ``user`` may see (a member's own), newest first."""
    return (
        proposals_visible_to(user)
        .select_related("meeting", "committee", "first_proposer", "decline_reason")
        .order_by("-created_at", "-id")
    )


def inbox_assignments(user: User) -> QuerySet[Assignment]:
    """Handlers and leaders: their agency's assignments in hand, by due date, the replied ones last.
    Staff: what waits for them — returned assignments not yet re-assigned, and pending extension
    requests (``has_pending_extension``)."""
    visible = assignments_visible_to(user)
    qs: QuerySet[Assignment]
    if roles.is_staff(user):
        pending_extension = ExtensionRequest.objects.filter(assignment=OuterRef("pk"), status=ExtensionStatus.PENDING)
        waiting = Assignment.objects.returned_waiting() | Assignment.objects.filter(Exists(pending_extension))
        qs = (visible & waiting).annotate(has_pending_extension=Exists(pending_extension)).order_by("due_date", "id")
    else:
        replied_last = Case(When(status=AssignmentStatus.REPLIED, then=Value(1)), default=Value(0))
        qs = visible.filter(status__in=INBOX_STATES).order_by(replied_last, "due_date", "id")
    return qs.select_related("proposal", "proposal__meeting", "proposal__committee", "agency")
