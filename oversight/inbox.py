"""Notifications in the app (issue 19, item 2): who hears of what, in one place.

Each timeline event is a state change that someone else has to act on or wants to know; the map
below names, per action code, who that is and which page they act on. ``on_timeline_event`` runs as
the event row is written — in the service's transaction, so a change that rolls back notifies
nobody. The daily reminders add "due in 7 days" and "overdue" (``notify_deadline``). E-mail and
SMS stay where they are (``oversight.reminders``); this is the bell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus
from proposals.choices import CosignStatus
from proposals.models import (
    Assignment,
    AssignmentStatus,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    Role,
    TimelineEvent,
    User,
)
from proposals.proposers import group_proposals, proposers_of
from replies.actions import ReplyAction
from replies.models import FollowUp

from .models import Channel, Notification
from .services import notification_queue


def _active(qs) -> list[User]:
    return list(qs.filter(is_active=True))


def agency_users(agency_id: int | None, *roles: str) -> list[User]:
    return _active(User.objects.filter(agency_id=agency_id, role__in=roles or (Role.HANDLER, Role.LEADER)))


def committee_staff(committee_id: int) -> list[User]:
    return _active(User.objects.filter(committee_id=committee_id, role=Role.STAFF))


def proposers(proposal: Proposal) -> list[User]:
    """The users of the proposers the proposal's answer reaches (its group's, when merged)."""
    member_ids = [member.pk for member in proposers_of(group_proposals(proposal))]
    return _active(User.objects.filter(role=Role.MEMBER, member_id__in=member_ids))


def _pending_cosigners(e: TimelineEvent) -> list[User]:
    pending = ProposalCosigner.objects.filter(proposal_id=e.proposal_id, status=CosignStatus.PENDING)
    return _active(User.objects.filter(role=Role.MEMBER, member_id__in=pending.values("member_id")))


def _cosign_page(e: TimelineEvent) -> str:
    return reverse("proposals:cosign", args=[e.proposal_id])


def _ref(p: Proposal) -> str:
    return f"{p.display_number} {p.title}".strip()


def _detail(e: TimelineEvent) -> str:
    return reverse("proposals:detail", args=[e.proposal_id])


def _reply_page(e: TimelineEvent) -> str:
    return reverse("replies:assignment", args=[e.assignment_id]) if e.assignment_id else _detail(e)


def _new_assignments(e: TimelineEvent) -> list[User]:
    pending = Assignment.objects.filter(proposal_id=e.proposal_id, status=AssignmentStatus.PENDING).live()
    return [u for agency_id in pending.values_list("agency_id", flat=True) for u in agency_users(agency_id)]


def _assignment_agency(e: TimelineEvent, *roles: str) -> list[User]:
    return agency_users(e.assignment.agency_id, *roles) if e.assignment_id and e.assignment else []


def _record_signers(e: TimelineEvent) -> list[User]:
    if e.assignment_id is None:
        return []
    held = Consultation.objects.filter(assignment_id=e.assignment_id, status=ConsultationStatus.HELD)
    return _active(User.objects.filter(role=Role.MEMBER, member_id__in=held.values("member_id")))


def _record_page(e: TimelineEvent) -> str:
    if e.assignment_id is None:
        return _detail(e)
    record = Consultation.objects.filter(assignment_id=e.assignment_id, status=ConsultationStatus.HELD).first()
    return reverse("consultations:sign", args=[record.pk]) if record is not None else _detail(e)


# action code → (who hears of it, what they read, where they act)
Rule = tuple[Callable[[TimelineEvent], list[User]], str, Callable[[TimelineEvent], str]]
RULES: dict[str, Rule] = {
    ProposalAction.ASSIGN: (_new_assignments, "收到交办：{ref}", _detail),
    ProposalAction.REASSIGN: (_new_assignments, "收到交办：{ref}", _detail),
    ProposalAction.RETURN: (
        lambda e: committee_staff(e.proposal.committee_id),
        "交办被退回，待重新交办：{ref}",
        _detail,
    ),
    ProposalAction.EXTENSION_REQUEST: (
        lambda e: committee_staff(e.proposal.committee_id),
        "延期申请待审批：{ref}",
        _detail,
    ),
    ProposalAction.EXTENSION_APPROVE: (_assignment_agency, "延期申请已批准：{ref}", _detail),
    ProposalAction.EXTENSION_REFUSE: (_assignment_agency, "延期申请未批准：{ref}", _detail),
    ProposalAction.URGE: (_assignment_agency, "催办：{ref}", _detail),
    ProposalAction.COSIGN_INVITE: (_pending_cosigners, "请确认是否联名：{ref}", _cosign_page),
    ProposalAction.COSIGN_DECLINE: (lambda e: proposers(e.proposal), "联名人退出联名：{ref}", _detail),
    ReplyAction.SUBMIT: (lambda e: _assignment_agency(e, Role.LEADER), "答复待签发：{ref}", _reply_page),
    ReplyAction.RETURN: (lambda e: _assignment_agency(e, Role.HANDLER), "答复被退回修改：{ref}", _reply_page),
    ReplyAction.ISSUE: (lambda e: proposers(e.proposal), "您的提案已收到答复：{ref}", _detail),
    # 跟踪办理 (replies.followup): the agency owes a report; the proposers and staff read it.
    ReplyAction.FOLLOW_UP_OPEN: (_assignment_agency, "跟踪办理待报告：{ref}", _reply_page),
    ReplyAction.FOLLOW_UP_FILE: (
        lambda e: [*proposers(e.proposal), *committee_staff(e.proposal.committee_id)],
        "承办单位已报告跟踪办理情况：{ref}",
        _detail,
    ),
    ConsultationAction.RECORD: (_record_signers, "面商记录待您签字：{ref}", _record_page),
    ConsultationAction.RESIGN: (_record_signers, "答复已修改，面商记录请您重新签字：{ref}", _record_page),
    ConsultationAction.RATE: (
        lambda e: [*_assignment_agency(e), *committee_staff(e.proposal.committee_id)],
        "委员已测评办理情况：{ref}",
        _detail,
    ),
    ConsultationAction.RATE_CHANGE: (
        lambda e: [*_assignment_agency(e), *committee_staff(e.proposal.committee_id)],
        "委员修改了测评：{ref}",
        _detail,
    ),
}


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    url: str,
    object_key: str,
    skip: User | None = None,
    committee_id: int | None = None,
) -> int:
    """One notification per user (not the one who acted); an occurrence already notified is not
    again. Kinds listed in SMS_NOTIFY_KINDS also go by text message to a user with a phone."""
    made = 0
    by_sms = kind in getattr(settings, "SMS_NOTIFY_KINDS", ())
    for user in dict.fromkeys(users):
        if skip is not None and user.pk == skip.pk:
            continue
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, kind=kind, title=title[:300], url=url, object_key=object_key)
        except IntegrityError:
            continue
        made += 1
        phone = sms_number(user)
        if by_sms and phone and committee_id is not None:
            # Recorded and sent once by the worker, retried and listed for staff like e-mail.
            notification_queue(
                committee_id=committee_id,
                kind=kind,
                obj_type="user",
                obj_id=user.pk,
                recipient=phone,
                event_key=object_key[:40],
                subject="",
                body=f"【提案办理】{title}",
                channel=Channel.SMS,
            )
    return made


def sms_number(user: User) -> str:
    """A member's phone from their member record; anyone else's from their account."""
    if user.member_id is not None and user.member is not None:
        return user.member.phone
    return user.phone


def on_timeline_event(event: TimelineEvent) -> int:
    rule = RULES.get(event.action)
    # A step entered after the fact (补录) happened long ago: nobody has to act on it now.
    if rule is None or event.entered_at is not None:
        return 0
    recipients, text, page = rule
    return notify(
        recipients(event),
        kind=event.action,
        title=text.format(ref=_ref(event.proposal)),
        url=page(event),
        object_key=f"event-{event.pk}",
        skip=event.actor,
        committee_id=event.proposal.committee_id,
    )


def notify_deadline(assignment: Assignment, *, overdue: bool) -> int:
    """The daily reminder in the app: due within 7 days, or overdue (once per due date)."""
    ref = _ref(assignment.proposal)
    title = f"已超期：{ref}" if overdue else f"7 日内到期：{ref}"
    return notify(
        agency_users(assignment.agency_id),
        kind="overdue" if overdue else "due_soon",
        title=title,
        url=reverse("proposals:detail", args=[assignment.proposal_id]),
        object_key=f"assignment-{assignment.pk}-{assignment.due_date.isoformat()}",
        committee_id=assignment.proposal.committee_id,
    )


def notify_follow_up_deadline(follow_up: FollowUp, *, overdue: bool) -> int:
    """The daily reminder of a follow-up report (跟踪办理) due within 7 days, or overdue (once per due date)."""
    assignment = follow_up.assignment
    ref = _ref(assignment.proposal)
    title = f"跟踪办理报告已超期：{ref}" if overdue else f"跟踪办理报告 7 日内到期：{ref}"
    return notify(
        agency_users(assignment.agency_id),
        kind="follow_up_overdue" if overdue else "follow_up_due_soon",
        title=title,
        url=reverse("replies:follow_up", args=[assignment.pk]),
        object_key=f"follow-up-{follow_up.pk}-{follow_up.due_date.isoformat()}",
        committee_id=assignment.proposal.committee_id,
    )


def unread_count(user) -> int | None:
    """For the navbar's bell; None when logged out."""
    from .selectors import notifications_of

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return notifications_of(user).filter(read_at__isnull=True).count()
