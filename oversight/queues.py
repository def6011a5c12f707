"""The work queues of each role's home page (issue 19): what waits for the user, most urgent first.

Every queue is a queryset built on the visibility selectors (``assignments_visible_to`` and
friends), so a queue never shows what its user may not open; the home page reads a count and the
first ``QUEUE_ROWS`` rows of each, a fixed number of queries whatever the number of rows. Staff
queues are their own committee's work (a parent committee's readers act on their own only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, ConsultationStatus, Rating
from consultations.selectors import awaiting_signature, consultations_visible_to, schedulable
from proposals import roles
from proposals.choices import CosignStatus
from proposals.models import (
    ANSWERING_ROLES,
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    User,
)
from proposals.proposers import answered_by
from proposals.selectors import assignments_visible_to, proposals_visible_to
from proposals.services.cosign import COSIGN_OPEN_STATES
from replies.followup import follow_ups_visible_to
from replies.models import FollowUp, Reply, ReplyStatus
from replies.selectors import replies_visible_to

QUEUE_ROWS = 10
DUE_SOON_DAYS = 7
WORKING = (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING)


@dataclass(frozen=True)
class Item:
    """One row: what it is, where the action is done, and its deadline (None: none applies)."""

    title: str
    url: str
    note: str = ""
    due: dt.date | None = None

    @property
    def days_left(self) -> int | None:
        return None if self.due is None else (self.due - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    count: int
    items: list[Item]


@dataclass(frozen=True)
class QueueSpec:
    key: str
    label: Any
    rows: Callable[[], QuerySet]
    item: Callable[[Any], Item]


def _read(spec: QueueSpec) -> Queue:
    qs = spec.rows()
    return Queue(spec.key, spec.label, qs.count(), [spec.item(row) for row in qs[:QUEUE_ROWS]])


def _proposal_item(p: Proposal, note: str = "") -> Item:
    return Item(f"{p.display_number} {p.title}".strip(), reverse("proposals:detail", args=[p.pk]), note)


def _assignment_item(a: Assignment, url: str | None = None) -> Item:
    p = a.proposal
    return Item(
        f"{p.display_number} {p.title}".strip(),
        url or reverse("proposals:detail", args=[p.pk]),
        f"{a.agency.name} · {a.get_role_display()} · {a.get_status_display()}",
        a.due_date,
    )


def _reply_item(r: Reply) -> Item:
    a = r.assignment
    return Item(r.title, reverse("replies:assignment", args=[a.pk]), a.agency.name, a.due_date)


def _consultation_item(c: Consultation, url_name: str) -> Item:
    a = c.assignment
    return Item(
        f"{a.proposal.display_number} {a.proposal.title}".strip(),
        reverse(url_name, args=[c.pk]),
        f"{a.agency.name} · {c.member.name}",
        a.due_date,
    )


def _follow_up_item(f: FollowUp) -> Item:
    a = f.assignment
    return Item(
        f"{a.proposal.display_number} {a.proposal.title}".strip(),
        reverse("replies:assignment", args=[a.pk]),
        f"{a.agency.name} · {_('跟踪办理')}",
        f.due_date,
    )


def _follow_ups(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return qs.select_related("assignment__proposal__committee", "assignment__agency").order_by("due_date", "id")


def _assignments(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.select_related("proposal", "proposal__committee", "agency")


def staff_queues(user: User) -> list[Queue]:
    committee_id = roles.committee_scope(user)
    if committee_id is None:
        return []  # staff without a committee have no committee's work
    proposals = proposals_visible_to(user).filter(committee_id=committee_id).select_related("committee")
    assignments = Assignment.objects.filter(proposal__committee_id=committee_id)
    today = timezone.localdate()
    pending_extension = ExtensionRequest.objects.filter(assignment=OuterRef("pk"), status=ExtensionStatus.PENDING)
    specs = [
        QueueSpec(
            "review",
            _("待审查"),
            lambda: proposals.filter(status=ProposalStatus.SUBMITTED).order_by("submitted_at", "id"),
            _proposal_item,
        ),
        QueueSpec(
            "assign",
            _("待交办"),
            lambda: proposals.filter(status=ProposalStatus.REGISTERED).order_by("registered_at", "id"),
            _proposal_item,
        ),
        QueueSpec(
            "returned",
            _("退回待重新交办"),
            lambda: _assignments(assignments.returned_waiting()).order_by("returned_at", "id"),
            _assignment_item,
        ),
        QueueSpec(
            "extension",
            _("延期待审批"),
            lambda: _assignments(assignments.filter(Exists(pending_extension))).order_by("due_date", "id"),
            _assignment_item,
        ),
        QueueSpec(
            "due_soon",
            _("本周到期"),
            lambda: _assignments(
                assignments.open().filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
            ).order_by("due_date", "id"),
            _assignment_item,
        ),
        QueueSpec(
            "overdue",
            _("超期"),
            lambda: _assignments(assignments.overdue(today)).order_by("due_date", "id"),
            _assignment_item,
        ),
        QueueSpec(
            "follow_up_overdue",
            _("跟踪办理超期"),
            lambda: _follow_ups(
                FollowUp.objects.overdue(today).filter(assignment__proposal__committee_id=committee_id)
            ),
            _follow_up_item,
        ),
        QueueSpec(
            "close",
            _("待办结"),
            lambda: proposals.filter(status=ProposalStatus.REPLIED).order_by("registered_at", "id"),
            lambda p: Item(
                f"{p.display_number} {p.title}".strip(), reverse("consultations:close", args=[p.pk]), "", None
            ),
        ),
    ]
    return [_read(spec) for spec in specs]


def handler_queues(user: User) -> list[Queue]:
    mine = assignments_visible_to(user)
    this_round_reply = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round"))
    answering = mine.filter(role__in=ANSWERING_ROLES, status__in=WORKING)
    replies = (
        replies_visible_to(user)
        .filter(assignment__in=mine.values("pk"))
        .select_related("assignment", "assignment__agency", "assignment__proposal")
    )
    records = (
        consultations_visible_to(user)
        .filter(assignment__in=mine.values("pk"))
        .select_related("assignment", "assignment__agency", "assignment__proposal__committee", "member")
    )
    specs = [
        QueueSpec(
            "accept",
            _("待签收"),
            lambda: _assignments(mine.filter(status=AssignmentStatus.PENDING)).order_by("assigned_at", "id"),
            _assignment_item,
        ),
        QueueSpec(
            "draft",
            _("待起草答复"),
            lambda: _assignments(mine.filter(status__in=WORKING).filter(~Exists(this_round_reply))).order_by(
                "due_date", "id"
            ),
            lambda a: _assignment_item(a, reverse("replies:assignment", args=[a.pk])),
        ),
        QueueSpec(
            "sent_back",
            _("退回修改"),
            lambda: replies.filter(status=ReplyStatus.DRAFT).exclude(leader_comment="").order_by("updated_at", "id"),
            _reply_item,
        ),
        QueueSpec(
            "schedule",
            _("待安排面商"),
            lambda: _assignments(schedulable(answering)).order_by("due_date", "id"),
            lambda a: _assignment_item(a, reverse("consultations:assignment", args=[a.pk])),
        ),
        QueueSpec(
            "record",
            _("待填写面商记录"),
            lambda: records.filter(status=ConsultationStatus.SCHEDULED).order_by("held_at", "id"),
            lambda c: _consultation_item(c, "consultations:record"),
        ),
        QueueSpec(
            "member_sign",
            _("待委员签字"),
            lambda: records.filter(status=ConsultationStatus.HELD).order_by("held_at", "id"),
            lambda c: _consultation_item(c, "consultations:paper"),
        ),
        QueueSpec(
            "submit",
            _("待提交签发"),
            lambda: replies.filter(status=ReplyStatus.DRAFT, leader_comment="").order_by("updated_at", "id"),
            _reply_item,
        ),
        QueueSpec(
            "issue",
            _("待签发"),
            lambda: replies.filter(status=ReplyStatus.SUBMITTED).order_by("submitted_at", "id"),
            _reply_item,
        ),
        QueueSpec(
            "follow_up",
            _("跟踪办理待报告"),
            lambda: _follow_ups(follow_ups_visible_to(user).open()),
            _follow_up_item,
        ),
        QueueSpec(
            "rehandle",
            _("重新办理"),
            lambda: _assignments(mine.filter(status=AssignmentStatus.REHANDLING)).order_by("due_date", "id"),
            lambda a: _assignment_item(a, reverse("replies:assignment", args=[a.pk])),
        ),
    ]
    queues = [_read(spec) for spec in specs]
    if roles.is_leader_of(user, user.agency_id):
        # A leader's work is the sign-off: first.
        queues.sort(key=lambda q: q.key != "issue")
    return queues


def leader_pending_count(user: User | None) -> int | None:
    """For the navbar: the replies waiting for this leader's 签发 (None for anyone else)."""
    if user is None or not roles.is_leader_of(user, getattr(user, "agency_id", None)):
        return None
    return replies_visible_to(user).filter(status=ReplyStatus.SUBMITTED).count()


def member_queues(user: User) -> list[Queue]:
    member_id = user.member_id
    if member_id is None:
        return []
    # Every line of a record the member still has to sign, theirs or a co-signer's (the navbar's
    # 待签面商记录 reads the same selector).
    to_sign = awaiting_signature(user).select_related("assignment__agency", "member")
    issued_this_round = Reply.objects.filter(
        assignment=OuterRef("pk"), round=OuterRef("round"), status=ReplyStatus.ISSUED
    )
    rated = Rating.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round"), member_id=member_id)

    def to_rate() -> QuerySet[Assignment]:
        return (
            assignments_visible_to(user)
            .filter(role__in=ANSWERING_ROLES, status=AssignmentStatus.REPLIED)
            .exclude(proposal__status=ProposalStatus.CLOSED)
            .filter(answered_by(member_id))
            .filter(Exists(issued_this_round))
            .filter(~Exists(rated))
        )

    mine = proposals_visible_to(user).select_related("committee")
    # 联名确认: the joint proposals this member is asked to confirm, while the window is open.
    asked = ProposalCosigner.objects.filter(
        proposal=OuterRef("pk"), member_id=member_id, status=CosignStatus.PENDING
    ).filter(Q(due_date__isnull=True) | Q(due_date__gte=timezone.localdate()))
    to_cosign = mine.filter(Exists(asked), status__in=COSIGN_OPEN_STATES).annotate(
        cosign_due=Subquery(asked.values("due_date")[:1])
    )
    specs = [
        QueueSpec(
            "cosign",
            _("待确认的联名提案"),
            lambda: to_cosign.order_by("cosign_due", "id"),
            lambda p: Item(
                f"{p.display_number} {p.title}".strip(),
                reverse("proposals:cosign", args=[p.pk]),
                str(_("请在 %(due)s 前确认是否联名") % {"due": date_format(p.cosign_due, "Y年n月j日")})
                if p.cosign_due
                else "",
            ),
        ),
        QueueSpec(
            "sign",
            _("待签字的面商记录"),
            lambda: to_sign,
            lambda c: _consultation_item(c, "consultations:sign"),
        ),
        QueueSpec(
            "rate",
            _("待测评"),
            lambda: _assignments(to_rate()).order_by("replied_at", "id"),
            lambda a: _assignment_item(a, reverse("consultations:rate", args=[a.pk])),
        ),
        QueueSpec(
            "mine",
            _("我的提案"),
            lambda: mine.order_by("-created_at", "-id"),
            lambda p: _proposal_item(p, stage_in_words(p)),
        ),
    ]
    return [_read(spec) for spec in specs]


STAGE_WORDS = {
    ProposalStatus.DRAFT: _("草稿：尚未提交，提交后由提案委员会审查"),
    ProposalStatus.SUBMITTED: _("已提交，等待提案委员会审查立案"),
    ProposalStatus.REGISTERED: _("已立案，等待交办承办单位"),
    ProposalStatus.NOT_REGISTERED: _("不予立案"),
    ProposalStatus.ASSIGNED: _("已交办，承办单位正在办理"),
    ProposalStatus.REPLIED: _("承办单位已答复，请查看答复并测评"),
    ProposalStatus.CLOSED: _("已办结"),
}


def stage_in_words(proposal: Proposal) -> str:
    """The proposal's stage as a member reads it ("已交办，承办单位正在办理")."""
    for status, words in STAGE_WORDS.items():
        if status == proposal.status:
            return str(words)
    return str(proposal.status_label)


def queues_for(user: User) -> list[Queue] | None:
    """The home page's queues for ``user``'s role; None for a role without a home page of queues."""
    if roles.is_staff(user):
        return staff_queues(user)
    if roles.is_agency_user(user):
        return handler_queues(user)
    if roles.is_member(user):
        return member_queues(user)
    return None
