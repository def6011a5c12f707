"""Who may see what. Every list, search, export, PDF and download goes through these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, TextField, Value, When
from django.forms import BaseForm
from django.http import Http404

from audit.probes import record_out_of_scope

from . import deadlines, permissions, roles
from .choices import AssignmentStatus, ExtensionStatus
from .models import (
    Assignment,
    Attachment,
    ExtensionRequest,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    TimelineEvent,
    User,
    is_known_action,
)
from .paging import IdsFirstPaginator

if TYPE_CHECKING:
    from .filters import ProposalFilter


def _is_anon(user) -> bool:
    return not roles.is_active_user(user)


def _live_of_agency(agency_id: int) -> QuerySet[Assignment]:
    """The agency's assignments that still count: the handlers' visibility rule rests on them."""
    return Assignment.objects.filter(agency_id=agency_id).live()


def proposals_visible_to(user: User, *, for_count: bool = False) -> QuerySet[Proposal]:
    """The proposals ``user`` may see. ``for_count`` gives the same rows written for ``COUNT(*)``:
    a handler's rule as ``IN (SELECT …)`` rather than ``EXISTS`` (see ``ProposalFilter.count_qs``)."""
    qs = Proposal.objects.all()
    if _is_anon(user):
        return qs.none()
    if roles.sees_all_proposals(user):
        # A draft belongs to its author until it is submitted.
        return qs.filter(~Q(status=ProposalStatus.DRAFT) | Q(created_by=user))
    if roles.is_agency_user(user) and user.agency_id is not None:
        live = _live_of_agency(user.agency_id)
        if for_count:
            return qs.filter(pk__in=live.values("proposal_id"))
        return qs.filter(Exists(live.filter(proposal=OuterRef("pk"))))
    if roles.is_member(user) and user.member_id is not None:
        # A member has a handful of proposals. Collect their ids with one UNION of three index
        # lookups: the same rule as an OR in one WHERE made both databases scan every proposal
        # (about 170 ms at 100,000 proposals).
        own_ids = list(
            Proposal.objects.filter(first_proposer_id=user.member_id)
            .order_by()
            .values_list("pk", flat=True)
            .union(
                ProposalCosigner.objects.filter(member_id=user.member_id)
                .order_by()
                .values_list("proposal_id", flat=True),
                Proposal.objects.filter(created_by=user).order_by().values_list("pk", flat=True),
            )
        )
        return qs.filter(pk__in=own_ids).filter(~Q(status=ProposalStatus.DRAFT) | Q(created_by=user))
    return qs.none()


def count_visible_with_agency(user: User, agency_id: int) -> int | None:
    """How many proposals ``user`` may see that ``agency_id`` holds a live assignment of — the count
    of the two commonest lists, a handler's own and the staff list filtered by one agency — read
    from the assignment index alone; None when ``user``'s rule has no such shortcut.

    An agency holds at most one live assignment per proposal (constraint
    ``assignment_agency_once``), so its live assignments count its proposals. Staff do not see other
    people's drafts: those few are subtracted. At 100,000 proposals this replaces 26,000 lookups of
    proposals by id (SQLite, slow period: 42–50 ms) with a range of one index.
    """
    if _is_anon(user):
        return None
    live = _live_of_agency(agency_id)
    if roles.sees_all_proposals(user):
        # From the drafts (few), each probed for the agency; ``IN`` would start from the 26,000 ids.
        hidden = (
            Proposal.objects.filter(status=ProposalStatus.DRAFT)
            .exclude(created_by=user)
            .filter(Exists(live.filter(proposal=OuterRef("pk"))))
            .count()
        )
        return live.count() - hidden
    if roles.is_agency_user_of(user, agency_id):
        return live.count()
    return None


def get_proposal_for_user(user: User, pk: int, *, write: bool = False) -> Proposal:
    """The proposal, or 404 — the same answer for "missing" and "not yours"."""
    qs = proposals_visible_to(user)
    if write:
        qs = qs.select_for_update()
    try:
        return qs.select_related("meeting", "first_proposer", "category").get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Proposal._meta.label, pk)
        raise Http404 from None


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.all()
    if _is_anon(user):
        return qs.none()
    if roles.is_agency_user(user) and user.agency_id is not None:
        # A returned assignment is no longer the agency's: staff re-assign it elsewhere.
        return qs.filter(agency_id=user.agency_id).live()
    return qs.filter(proposal__in=proposals_visible_to(user).values("pk"))


def get_assignment_for_user(user: User, pk: int, *, write: bool = False) -> Assignment:
    qs = assignments_visible_to(user)
    if write:
        qs = qs.select_for_update()
    try:
        return qs.select_related("proposal", "proposal__meeting", "agency").get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Assignment._meta.label, pk)
        raise Http404 from None


def get_extension_for_user(user: User, pk: int) -> ExtensionRequest:
    """An extension request of a visible assignment, or 404."""
    try:
        return ExtensionRequest.objects.select_related("assignment", "assignment__proposal").get(
            pk=pk, assignment__in=assignments_visible_to(user)
        )
    except (ExtensionRequest.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, ExtensionRequest._meta.label, pk)
        raise Http404 from None


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """An attachment of a visible proposal, or 404."""
    try:
        return Attachment.objects.select_related("proposal").get(pk=pk, proposal__in=proposals_visible_to(user))
    except (Attachment.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Attachment._meta.label, pk)
        raise Http404 from None


# --- Timeline -------------------------------------------------------------------------------------
# Members see the milestones of their proposal, not the working papers (drafts, the leader's return
# comments, extensions, supervision notes) nor other members' ratings. Each app names which of its
# actions a member sees (from its AppConfig.ready(); this app must not import them).


@dataclass(frozen=True)
class _MemberView:
    note: bool = False  # the event's note is shown too
    own_only: bool = False  # only the member's own event of this kind (a rating)


_MEMBER_TIMELINE: dict[str, _MemberView] = {}


def register_member_timeline(*actions: str, note: bool = False, own_only: bool = False) -> None:
    """Members see events of these action codes (registered ones only: a typo fails at start-up)."""
    for action in actions:
        if not is_known_action(str(action)):
            raise ValueError(f"unknown timeline action code: {action!r}")
        _MEMBER_TIMELINE[str(action)] = _MemberView(note=note, own_only=own_only)


def timeline_visible_to(user: User, proposal: Proposal) -> QuerySet[TimelineEvent]:
    """The proposal's events this user may read, each with ``visible_note`` (the note, or '')."""
    qs = TimelineEvent.objects.filter(proposal=proposal).select_related("actor", "assignment__agency")
    if _is_anon(user):
        return qs.none()
    if roles.sees_all_proposals(user):
        return qs.annotate(visible_note=F("note"))
    if roles.is_agency_user(user):
        # The proposal's own milestones and their own agency's work, not another agency's.
        own_work = Q(assignment__isnull=True) | Q(assignment__agency_id=user.agency_id)
        return qs.filter(own_work).annotate(visible_note=F("note"))
    if roles.is_member(user):
        shared = [a for a, v in _MEMBER_TIMELINE.items() if not v.own_only]
        own = [a for a, v in _MEMBER_TIMELINE.items() if v.own_only]
        with_note = [a for a, v in _MEMBER_TIMELINE.items() if v.note]
        return qs.filter(Q(action__in=shared) | Q(action__in=own, actor=user)).annotate(
            visible_note=Case(When(action__in=with_note, then=F("note")), default=Value(""), output_field=TextField())
        )
    return qs.none()


# --- The proposal list, its Excel export, the inbox -----------------------------------------------
# How these queries were made fast, and what has to stay as it is: docs/PERFORMANCE.md.

# The long texts are never shown in the list or the export; not reading them halves the row size.
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
        .select_related("meeting", "first_proposer", "category")
        .prefetch_related(prefetch_live_assignments())
    )


def _filtered(
    user: User, params: Mapping[str, Any] | None, *, count_base: QuerySet[Proposal] | None = None
) -> tuple[ProposalFilter, QuerySet[Proposal]]:
    # proposals.filters imports this module (count_visible_with_agency): read it when a list is asked for.
    from .filters import DEFAULT_ORDER, ProposalFilter

    base = proposals_visible_to(user).defer(*LIST_DEFERRED)
    flt = ProposalFilter(params or None, queryset=base, count_base=count_base)
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


def proposal_export_rows(user: User, params: Mapping[str, Any] | None) -> QuerySet[Proposal]:
    """The list's proposals (same filters and order) with the columns ``proposals.exports`` writes
    and nothing else: a meeting is thousands of rows."""
    _flt, ordered = _filtered(user, params)
    live = prefetch_live_assignments("proposal_id", "role", "scope", "assigned_at", "due_date", "agency__name")
    return (
        ordered.select_related("first_proposer")
        .only("number", "title", "proposer_kind", "body_name", "status", "first_proposer__name")
        .prefetch_related(live)
    )


def recent_proposals(user: User) -> QuerySet[Proposal]:
    """The 我的提案 page: the proposals ``user`` may see (a member's own), newest first."""
    return (
        proposals_visible_to(user)
        .select_related("meeting", "first_proposer", "decline_reason")
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
    return qs.select_related("proposal", "proposal__meeting", "agency")


# --- The proposal's page ----------------------------------------------------------------------------
# Plain values for the template, decided here from the predicates of permissions, roles and
# deadlines. The forms of the allowed actions are the view's: it adds them with dataclasses.replace.


@dataclass(frozen=True)
class ExtensionRow:
    extension: ExtensionRequest
    can_decide: bool
    decision_form: BaseForm | None = None


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    work_links: bool  # 答复 / 面商与测评: staff and the agency, while the assignment is live
    member_links: bool  # 查看答复: a member of the proposal, once the reply is issued
    member_can_rate: bool
    can_accept: bool
    can_return: bool
    return_deadline: dt.date | None  # the last day to return it, while it waits to be accepted
    can_reassign: bool
    can_request_extension: bool
    extensions: tuple[ExtensionRow, ...]  # staff and the agency only
    return_form: BaseForm | None = None
    reassign_form: BaseForm | None = None
    extension_form: BaseForm | None = None


@dataclass(frozen=True)
class ProposalDetail:
    proposal: Proposal
    cosigners: tuple[Member, ...]
    assignments: tuple[AssignmentRow, ...]
    attachments: tuple[Attachment, ...]
    timeline: tuple[TimelineEvent, ...]
    show_personal_data: bool
    show_key_note: bool
    show_working_notes: bool  # return reasons (退回理由): never to a member
    can_edit: bool
    can_review: bool
    can_assign: bool
    can_set_key: bool
    can_add_attachment: bool
    decline_form: BaseForm | None = None
    key_form: BaseForm | None = None
    attachment_form: BaseForm | None = None


def _assignment_row(user: User, assignment: Assignment, calendar: deadlines.WorkingCalendar | None) -> AssignmentRow:
    works_on = permissions.can_work_on(user, assignment)
    pending = assignment.status == AssignmentStatus.PENDING
    deadline = deadlines.return_deadline(assignment, calendar=calendar) if pending else None
    extensions = (
        tuple(ExtensionRow(e, permissions.can_decide_extension(user, e)) for e in assignment.extensions.all())
        if works_on
        else ()
    )
    return AssignmentRow(
        assignment=assignment,
        work_links=works_on and assignment.status != AssignmentStatus.RETURNED,
        member_links=permissions.can_read_reply_as_member(user, assignment),
        member_can_rate=permissions.can_rate_as_member(user, assignment),
        can_accept=permissions.can_accept(user, assignment),
        can_return=pending and permissions.can_return(user, assignment, deadline=deadline),
        return_deadline=deadline,
        can_reassign=permissions.can_reassign(user, assignment),
        can_request_extension=permissions.can_request_extension(user, assignment),
        extensions=extensions,
    )


def proposal_detail(user: User, proposal: Proposal) -> ProposalDetail:
    """What the proposal's page shows ``user``; ``proposal`` came from ``get_proposal_for_user``."""
    # Read through the related manager, every assignment's ``proposal`` is this one (with its
    # meeting): the return window costs no query per pending assignment.
    assignments = list(
        proposal.assignments.select_related("agency", "replaced_by__agency")
        .prefetch_related(Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("requested_by")))
        .order_by("assigned_at", "id")
    )
    # The return windows of every pending assignment from one read of the calendar.
    calendar = deadlines.calendar_for_returns([a for a in assignments if a.status == AssignmentStatus.PENDING])
    rows = tuple(_assignment_row(user, a, calendar) for a in assignments)
    return ProposalDetail(
        proposal=proposal,
        cosigners=tuple(proposal.cosigners.all()),
        assignments=rows,
        attachments=tuple(proposal.attachments.all()),
        timeline=tuple(timeline_visible_to(user, proposal)),
        show_personal_data=permissions.can_see_personal_data(user, proposal),
        show_key_note=permissions.can_see_key_note(user),
        show_working_notes=permissions.can_see_working_notes(user),
        can_edit=permissions.can_edit_draft(user, proposal),
        can_review=permissions.can_review(user, proposal),
        can_assign=permissions.can_assign(user, proposal),
        can_set_key=permissions.can_set_key(user, proposal),
        can_add_attachment=permissions.can_add_attachment(user, proposal),
    )
