"""Which replies a user may see. Every page, PDF and download of a reply goes through these.

- staff (and administrators): every reply of the committees they may read
  (``roles.readable_committees``, as ``proposals_visible_to``);
- a handler or leader: the replies of their own agency's assignments, drafts included, plus the
  issued co-handlers' views (会办意见) on proposals their agency leads;
- a member: only issued replies that answer a proposal they proposed or co-signed (never drafts,
  never a co-handler's view, which goes to the lead agency and not to the member).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from audit.probes import record_out_of_scope
from proposals import roles
from proposals.models import Assignment, AssignmentRole, ProposalStatus, User, live_assignment_q
from proposals.selectors import assignments_visible_to

from .models import Reply, ReplyStatus


def replies_visible_to(user: User) -> QuerySet[Reply]:
    qs = Reply.objects.all()
    if not roles.is_active_user(user):
        return qs.none()
    if roles.sees_all_proposals(user):
        # The staff rule of proposals_visible_to, as a join (an IN over every visible assignment
        # made one issued-PDF download take 56 ms at 100,000 proposals instead of 3 ms).
        # The same committees as proposals_visible_to: their own, children read-only, or all.
        readable = roles.readable_committees(user)
        if readable is not None:
            qs = qs.filter(assignment__proposal__committee_id__in=readable)
        return qs.filter(
            ~Q(assignment__proposal__status=ProposalStatus.DRAFT) | Q(assignment__proposal__created_by=user)
        )
    if roles.is_agency_user(user) and user.agency_id is not None:  # is_agency_user checks it; this narrows
        lead_here = Assignment.objects.filter(
            proposal_id=OuterRef("assignment__proposal_id"), agency_id=user.agency_id, role=AssignmentRole.LEAD
        ).live()
        own = Q(assignment__agency_id=user.agency_id) & live_assignment_q("assignment__")
        cohandler_view = Q(assignment__role=AssignmentRole.CO, status=ReplyStatus.ISSUED) & Q(Exists(lead_here))
        return qs.filter(own | cohandler_view)
    if roles.is_member(user):
        return qs.filter(
            assignment__in=assignments_visible_to(user),
            status=ReplyStatus.ISSUED,
            assignment__role__in=[AssignmentRole.LEAD, AssignmentRole.SPLIT],
        )
    return qs.none()


def get_reply_for_user(user: User, pk: int, *, write: bool = False) -> Reply:
    """The reply, or 404 — the same answer for "missing" and "not yours"."""
    qs = replies_visible_to(user)
    if write:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.select_related(
            "assignment", "assignment__agency", "assignment__proposal", "assignment__proposal__meeting"
        ).get(pk=pk)
    except (Reply.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Reply._meta.label, pk)
        raise Http404 from None


def cohandler_views(assignment) -> QuerySet[Reply]:
    """The co-handlers' issued views on the proposal, which the lead agency reads while drafting."""
    return (
        Reply.objects.filter(
            assignment__proposal_id=assignment.proposal_id,
            assignment__role=AssignmentRole.CO,
            status=ReplyStatus.ISSUED,
        )
        .filter(live_assignment_q("assignment__"))
        .select_related("assignment__agency")
        .order_by("assignment__agency__name", "round")
    )


def issued_reply_by_sha256(digest: str) -> Reply | None:
    """The issued reply whose stored PDF has this SHA-256 (the verification page; any logged-in user)."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64:
        return None
    return (
        Reply.objects.filter(status=ReplyStatus.ISSUED, pdf_sha256=digest)
        .select_related("assignment__agency", "assignment__proposal__meeting", "assignment__proposal__committee")
        .first()
    )
