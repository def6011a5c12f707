"""What ``manage.py send_reminders`` sends. Run it daily (cron); running it again sends nothing new.

Events and their keys (one message per kind, object, recipient and key — see SentNotification):

- handlers of the agency, for each open assignment (待签收, 办理中, 重新办理):
  ``due_7`` when the deadline is 2–7 days away, ``due_1`` when it is today or tomorrow,
  ``overdue`` once it has passed — each keyed on the deadline, so an approved extension is a new event,
  and a day missed by cron is caught up on the next run;
- handlers and leaders of the agency, in the app only, for each open follow-up report (跟踪办理,
  ``replies.followup``) due within 7 days or overdue, once per due date;
- staff, ``staff_digest`` once a day (keyed on the date) when there is open work to report;
- handlers and leaders of the agency, ``urge`` once per 催办 (keyed on its timeline event), at once
  when staff urge (``notify_urge``), not by the daily run;
- members, ``record_to_sign`` once per consultation record held and awaiting their signature, and
  ``reply_issued`` once per reply issued in the last ``REPLY_NOTICE_DAYS`` days, to each proposer.

No message carries a member's phone or work unit; ``notification_queue`` masks phone-like numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.models import Consultation, ConsultationStatus
from documents.formats import document_date
from proposals.models import (
    ANSWERING_ROLES,
    Assignment,
    ExtensionRequest,
    ExtensionStatus,
    Member,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    Role,
    TimelineEvent,
    User,
)
from replies.models import FollowUp, Reply, ReplyStatus

from . import inbox
from .models import NotificationKind
from .services import notification_queue

REPLY_NOTICE_DAYS = 14


@dataclass
class ReminderReport:
    queued: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def _kind_for(due: dt.date, today: dt.date) -> str | None:
    days = (due - today).days
    if days < 0:
        return NotificationKind.OVERDUE
    if days <= 1:
        return NotificationKind.DUE_1
    if days <= 7:
        return NotificationKind.DUE_7
    return None


def _handler_emails() -> dict[int, list[str]]:
    emails: dict[int, list[str]] = defaultdict(list)
    for agency_id, email in (
        User.objects.filter(role=Role.HANDLER, is_active=True).exclude(email="").values_list("agency_id", "email")
    ):
        emails[agency_id].append(email)
    return emails


def _deadline_message(a: Assignment, kind: str) -> tuple[str, str]:
    proposal = a.proposal
    ref = proposal.display_number or proposal.title
    due = document_date(a.due_date)
    if kind == NotificationKind.OVERDUE:
        subject = _("【提案办理】%(ref)s提案已超过办理时限（%(due)s）") % {"ref": ref, "due": due}
        lead = _("以下提案已超过办理时限，请尽快办理答复；确需延期的，请在系统中申请延期。")
    elif kind == NotificationKind.DUE_1:
        subject = _("【提案办理】%(ref)s提案将于%(due)s到期") % {"ref": ref, "due": due}
        lead = _("以下提案的办理时限即将届满（今天或明天），请按时办理答复。")
    else:
        subject = _("【提案办理】%(ref)s提案将于%(due)s到期") % {"ref": ref, "due": due}
        lead = _("以下提案的办理时限将在七日内届满，请抓紧办理。")
    body = "\n".join(
        [
            _("%(agency)s："),
            lead,
            "",
            _("会议：%(meeting)s"),
            _("提案：%(ref)s %(title)s"),
            _("办理方式：%(role)s"),
            _("办理时限：%(due)s"),
            "",
            _("请登录提案办理系统查看。"),
        ]
    ) % {
        "agency": a.agency.name,
        "meeting": proposal.meeting.display_name,
        "ref": proposal.display_number,
        "title": proposal.title,
        "role": a.get_role_display(),
        "due": due,
    }
    return subject, body


def _queue_deadline_reminders(today: dt.date, report: ReminderReport) -> None:
    handler_emails = _handler_emails()
    due = (
        Assignment.objects.open()
        .filter(due_date__lte=today + dt.timedelta(days=7))
        .select_related("proposal", "proposal__meeting", "proposal__committee", "agency")
        .order_by("due_date", "id")
    )
    for a in due:
        kind = _kind_for(a.due_date, today)
        if kind is None:
            continue
        # In the app: once a day's reminder of each due date (the bell), e-mail as before.
        inbox.notify_deadline(a, overdue=kind == NotificationKind.OVERDUE)
        recipients = handler_emails.get(a.agency_id) or ([a.agency.email] if a.agency.email else [])
        subject, body = _deadline_message(a, kind)
        for email in recipients:
            if notification_queue(
                committee_id=a.proposal.committee_id,
                kind=kind,
                obj_type="assignment",
                obj_id=a.pk,
                recipient=email,
                event_key=a.due_date.isoformat(),
                subject=subject,
                body=body,
            ):
                report.queued[kind] += 1


def _queue_follow_up_reminders(today: dt.date) -> None:
    """跟踪办理 reports due within 7 days or overdue: the agency's bell, as for an open assignment."""
    due = (
        FollowUp.objects.open()
        .filter(due_date__lte=today + dt.timedelta(days=7))
        .select_related("assignment__proposal__committee", "assignment__agency")
        .order_by("due_date", "id")
    )
    for follow_up in due:
        inbox.notify_follow_up_deadline(follow_up, overdue=follow_up.due_date < today)


def staff_digest_text(today: dt.date, committee_id: int) -> tuple[str, str] | None:
    """The day's digest for one committee's staff, or None when it has no open work to report."""
    of_committee = Assignment.objects.filter(proposal__committee_id=committee_id)
    open_ = of_committee.open()
    overdue = of_committee.overdue(today)
    figures = [
        (
            _("待审查的提案"),
            Proposal.objects.filter(committee_id=committee_id, status=ProposalStatus.SUBMITTED).count(),
        ),
        (
            _("已退回、待重新交办的交办"),
            of_committee.returned_waiting().count(),
        ),
        (
            _("待审批的延期申请"),
            ExtensionRequest.objects.filter(
                assignment__proposal__committee_id=committee_id, status=ExtensionStatus.PENDING
            ).count(),
        ),
        (_("超期未办结的交办"), overdue.count()),
        (_("七日内到期的交办"), open_.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7)).count()),
    ]
    if not any(n for _label, n in figures):
        return None
    lines = [_("提案办理每日摘要（%(date)s）") % {"date": document_date(today)}, ""]
    lines += [f"{label}：{n}" for label, n in figures]
    late = list(overdue.select_related("proposal__committee", "agency").order_by("due_date", "id")[:20])
    if late:
        lines += ["", _("超期交办（最多列 20 件）：")]
        lines += [
            f"· {a.proposal.display_number} {a.proposal.title} — {a.agency.name}，"
            + _("时限 %(due)s") % {"due": document_date(a.due_date)}
            for a in late
        ]
    lines += ["", _("请登录提案办理系统查看工作台。")]
    return _("【提案办理】每日摘要 %(date)s") % {"date": document_date(today)}, "\n".join(lines)


def _queue_staff_digest(today: dt.date, report: ReminderReport) -> None:
    staff = User.objects.filter(role=Role.STAFF, is_active=True, committee__isnull=False).exclude(email="")
    digests: dict[int, tuple[str, str] | None] = {}
    for user in staff.order_by("committee_id", "id"):
        committee_id = user.committee_id
        assert committee_id is not None  # filtered above
        if committee_id not in digests:
            digests[committee_id] = staff_digest_text(today, committee_id)
        digest = digests[committee_id]
        if digest is None:
            continue
        subject, body = digest
        if notification_queue(
            committee_id=committee_id,
            kind=NotificationKind.STAFF_DIGEST,
            obj_type="user",
            obj_id=user.pk,
            recipient=user.email,
            event_key=today.isoformat(),
            subject=subject,
            body=body,
        ):
            report.queued[NotificationKind.STAFF_DIGEST] += 1


def member_emails(members: list[Member]) -> dict[int, str]:
    """Each member's address: the member record's own, else that of their user account."""
    out = {m.pk: m.email for m in members if m.email}
    missing = [m.pk for m in members if not m.email]
    if missing:
        users = User.objects.filter(member_id__in=missing, is_active=True).exclude(email="")
        for member_id, email in users.values_list("member_id", "email"):
            out[member_id] = email
    return out


def _queue_records_to_sign(report: ReminderReport, only: list[int] | None = None) -> None:
    held = Consultation.objects.filter(status=ConsultationStatus.HELD)
    if only is not None:
        held = held.filter(pk__in=only)
    records = list(held.select_related("member", "assignment__proposal", "assignment__agency").order_by("id"))
    emails = member_emails([c.member for c in records])
    for c in records:
        email = emails.get(c.member_id)
        if not email:
            continue
        proposal = c.assignment.proposal
        subject = _("【提案办理】请确认%(ref)s提案的面商记录") % {"ref": proposal.display_number}
        body = "\n".join(
            [
                _("%(name)s委员："),
                "",
                _("%(agency)s已就您的%(ref)s提案《%(title)s》与您面商，面商记录表等待您确认签字。"),
                "",
                _("请登录提案办理系统查看并签字。"),
            ]
        ) % {
            "name": c.member.name,
            "agency": c.assignment.agency.name,
            "ref": proposal.display_number,
            "title": proposal.title,
        }
        if notification_queue(
            committee_id=proposal.committee_id,
            kind=NotificationKind.RECORD_TO_SIGN,
            obj_type="consultation",
            obj_id=c.pk,
            recipient=email,
            event_key="held",
            subject=subject,
            body=body,
        ):
            report.queued[NotificationKind.RECORD_TO_SIGN] += 1


def _queue_replies_issued(now: dt.datetime, report: ReminderReport, only: list[int] | None = None) -> None:
    # Answers only: a co-handler's view goes to the lead agency, and the member cannot open it.
    issued = Reply.objects.filter(
        status=ReplyStatus.ISSUED,
        assignment__role__in=ANSWERING_ROLES,
        issued_at__gte=now - dt.timedelta(days=REPLY_NOTICE_DAYS),
    )
    if only is not None:
        issued = issued.filter(pk__in=only)
    replies = list(issued.select_related("assignment__proposal__first_proposer", "assignment__agency").order_by("id"))
    proposal_ids = {r.assignment.proposal_id for r in replies}
    proposers: dict[int, list[Member]] = defaultdict(list)
    for r in replies:
        first = r.assignment.proposal.first_proposer
        if first is not None and first not in proposers[r.assignment.proposal_id]:
            proposers[r.assignment.proposal_id].append(first)
    for link in ProposalCosigner.objects.filter(proposal_id__in=proposal_ids).select_related("member"):
        if link.member not in proposers[link.proposal_id]:
            proposers[link.proposal_id].append(link.member)
    emails = member_emails([m for ms in proposers.values() for m in ms])
    for r in replies:
        proposal = r.assignment.proposal
        for member in proposers[proposal.pk]:
            email = emails.get(member.pk)
            if not email:
                continue
            subject = _("【提案办理】%(ref)s提案已收到答复") % {"ref": proposal.display_number}
            body = "\n".join(
                [
                    _("%(name)s委员："),
                    "",
                    _("%(agency)s已于%(date)s签发对您的%(ref)s提案《%(title)s》的答复（%(cls)s）。"),
                    "",
                    _("请登录提案办理系统查看答复，并对办理情况进行满意度测评。"),
                ]
            ) % {
                "name": member.name,
                "agency": r.assignment.agency.name,
                "date": document_date(timezone.localdate(r.issued_at)),
                "ref": proposal.display_number,
                "title": proposal.title,
                "cls": r.class_label,
            }
            if notification_queue(
                committee_id=proposal.committee_id,
                kind=NotificationKind.REPLY_ISSUED,
                obj_type="reply",
                obj_id=r.pk,
                recipient=email,
                event_key="issued",
                subject=subject,
                body=body,
            ):
                report.queued[NotificationKind.REPLY_ISSUED] += 1


def send_reminders(*, today: dt.date | None = None, now: dt.datetime | None = None) -> ReminderReport:
    """Queue every message due today that was not queued before; the worker sends them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    report = ReminderReport()
    # Messages go out in Chinese whatever language the command is run in.
    with translation.override("zh-hans"):
        _queue_deadline_reminders(today, report)
        _queue_follow_up_reminders(today)
        _queue_staff_digest(today, report)
        _queue_records_to_sign(report)
        _queue_replies_issued(now, report)
    return report


def notify_record_to_sign(*, consultation_id: int) -> ReminderReport:
    """At once when a record starts waiting for its member; the daily run then finds it sent."""
    report = ReminderReport()
    with translation.override("zh-hans"):
        _queue_records_to_sign(report, only=[consultation_id])
    return report


def notify_reply_issued(*, reply_id: int) -> ReminderReport:
    """At once when a reply to the member is issued; the daily run then finds it sent."""
    report = ReminderReport()
    with translation.override("zh-hans"):
        _queue_replies_issued(timezone.now(), report, only=[reply_id])
    return report


def _queue_urge(event: TimelineEvent, report: ReminderReport) -> None:
    a = event.assignment
    if a is None:
        return
    proposal = a.proposal
    emails = list(
        User.objects.filter(role__in=(Role.HANDLER, Role.LEADER), agency_id=a.agency_id, is_active=True)
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    ) or ([a.agency.email] if a.agency.email else [])
    # The note as staff typed it, without the agency's name that the timeline puts before it.
    note = event.note.removeprefix(f"{a.agency.name}：")
    subject = _("【提案办理】催办：%(ref)s提案") % {"ref": proposal.display_number or proposal.title}
    body = "\n".join(
        [
            _("%(agency)s："),
            _("提案委员会对以下提案的办理进行催办，请抓紧办理答复；确需延期的，请在系统中申请延期。"),
            "",
            _("催办说明：%(note)s"),
            "",
            _("会议：%(meeting)s"),
            _("提案：%(ref)s %(title)s"),
            _("办理方式：%(role)s"),
            _("办理时限：%(due)s"),
            "",
            _("请登录提案办理系统查看。"),
        ]
    ) % {
        "agency": a.agency.name,
        "note": note,
        "meeting": proposal.meeting.display_name,
        "ref": proposal.display_number,
        "title": proposal.title,
        "role": a.get_role_display(),
        "due": document_date(a.due_date),
    }
    for email in dict.fromkeys(e.strip().lower() for e in emails):
        if notification_queue(
            committee_id=proposal.committee_id,
            kind=NotificationKind.URGE,
            obj_type="assignment",
            obj_id=a.pk,
            recipient=email,
            event_key=f"urge-{event.pk}",
            subject=subject,
            body=body,
        ):
            report.queued[NotificationKind.URGE] += 1


def notify_urge(*, event_id: int) -> ReminderReport:
    """At once when staff urge an assignment: its agency's handlers and leaders, once per urge."""
    report = ReminderReport()
    event = (
        TimelineEvent.objects.filter(pk=event_id, action=ProposalAction.URGE)
        .select_related("assignment__proposal__meeting", "assignment__proposal__committee", "assignment__agency")
        .first()
    )
    if event is not None:
        with translation.override("zh-hans"):
            _queue_urge(event, report)
    return report
