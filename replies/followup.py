"""跟踪办理: the follow-up of answers whose class the committee follows up (B 类 by default).

- When a reply of such a class is issued (``reply_issue`` calls ``followup_on_issue``), a follow-up
  opens with its own deadline (``proposals.deadlines.follow_up_due_date``: the meeting's term from
  the issue date, in the committee's unit). The assignment stays 已答复 (the letter is issued and
  the member may rate it); what stays open is the follow-up: the agency's inbox lists it with its
  deadline, and the proposal cannot be closed (办结) while one is open
  (``consultations.services.closing``).
- The agency's handler or leader files the report (``followup_file``): a text, and the class the
  matter is in now when it changed (one of the committee's classes). The issued letter is never
  changed; the follow-up keeps the class before and after, and ``replies.rules.effective_class``
  reads the latest one for statistics and pages.
- A report whose class is still followed up (still B: still being solved) opens the next round,
  due a term after the report. A later round's reply of the same assignment (re-handling after
  不满意) supersedes an open follow-up: the new letter's class decides anew.

Each step writes a timeline event (members read the opening and the report with its text) and an
audit event; the member's notice comes from ``oversight.inbox`` on the report's event.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.log import record_event
from documents.formats import document_date
from proposals import deadlines, roles
from proposals.errors import DomainError
from proposals.models import Assignment, AssignmentStatus, Committee, User
from proposals.roles import NOT_ALLOWED
from proposals.timeline import timeline_record

from . import rules
from .actions import ReplyAction
from .models import FollowUp, FollowUpQuerySet, FollowUpStatus, Reply, ReplyStatus
from .selectors import replies_visible_to

REPORT_REQUIRED = _("请填写跟踪办理情况报告。")
FOLLOW_UP_NOT_OPEN = _("该跟踪办理已报告，不能重复报告。")
FOLLOW_UP_ASSIGNMENT_NOT_REPLIED = _("交办当前状态不能报告跟踪办理情况。")
REPORT_MAX_CHARS = rules.TEXT_LIMITS["body"]
REPORT_TOO_LONG = _("报告不能超过 %(limit)s 字。")


# --- Reading ----------------------------------------------------------------------------------


def follow_ups_visible_to(user: User) -> FollowUpQuerySet:
    """The follow-ups of the replies this user may see (``replies_visible_to``: staff their
    committees', the agency its own, a member those of issued answers to their proposals)."""
    return FollowUp.objects.filter(reply__in=replies_visible_to(user).filter(status=ReplyStatus.ISSUED))


def open_follow_up(assignment: Assignment) -> FollowUp | None:
    return FollowUp.objects.open().filter(assignment=assignment).first()


def open_follow_ups_of_proposal(proposal_id: int) -> QuerySet[FollowUp]:
    return FollowUp.objects.open().filter(assignment__proposal_id=proposal_id).select_related("assignment__agency")


def class_labels(committee: Committee | int) -> dict[str, str]:
    """The committee's classes by code, as it names them (one query for a page of rows)."""
    return {option.value: option.label for option in rules.enabled_reply_classes(committee)}


def class_label(committee: Committee | int, code: str) -> str:
    """A class as the committee names it (the code of a class since removed)."""
    return class_labels(committee).get(code, code)


def can_file(user: User | None, follow_up: FollowUp) -> bool:
    """The assignment's agency (handler or leader) reports on an open follow-up of a replied assignment."""
    return (
        follow_up.status == FollowUpStatus.OPEN
        and follow_up.assignment.status == AssignmentStatus.REPLIED
        and roles.is_agency_user_of(user, follow_up.assignment.agency_id)
    )


# --- Writing ----------------------------------------------------------------------------------


def followup_on_issue(*, reply: Reply, actor: User) -> FollowUp | None:
    """Called by ``reply_issue`` in its transaction, the assignment locked: an open follow-up of an
    earlier round's reply is superseded; a reply of a followed-up class opens one."""
    assignment = reply.assignment
    if not assignment.answers_member:
        return None  # a co-handler's view answers the lead agency, not the member
    proposal = assignment.proposal
    for earlier in FollowUp.objects.open().filter(assignment=assignment).exclude(reply=reply):
        earlier.status = FollowUpStatus.SUPERSEDED
        earlier.save(update_fields=["status"])
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ReplyAction.FOLLOW_UP_SUPERSEDE,
            from_state=FollowUpStatus.OPEN,
            to_state=FollowUpStatus.SUPERSEDED,
        )
        _audit(actor, earlier, "follow_up_supersede")
    if not rules.follows_up(proposal.committee_id, reply.reply_class):
        return None
    start = timezone.localdate(reply.issued_at or timezone.now())  # the issue, not the letter's date
    return _open(reply=reply, actor=actor, round=1, class_before=reply.reply_class, start=start)


def _open(*, reply: Reply, actor: User, round: int, class_before: str, start) -> FollowUp:
    assignment = reply.assignment
    follow_up = FollowUp(
        assignment=assignment,
        reply=reply,
        round=round,
        status=FollowUpStatus.OPEN,
        due_date=deadlines.follow_up_due_date(assignment.proposal.meeting, start),
        class_before=class_before,
    )
    follow_up.full_clean()
    follow_up.save()
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.FOLLOW_UP_OPEN,
        to_state=FollowUpStatus.OPEN,
        note=str(
            _("%(label)s，跟踪办理第 %(round)s 次，报告时限 %(due)s")
            % {
                "label": class_label(assignment.proposal.committee_id, class_before),
                "round": round,
                "due": document_date(follow_up.due_date),
            }
        ),
    )
    _audit(actor, follow_up, "follow_up_open")
    return follow_up


@transaction.atomic
def followup_file(*, followup: FollowUp, actor: User, text: str, new_class: str = "") -> FollowUp:
    """The agency reports on the follow-up: ``text`` required, ``new_class`` when the class changed.

    Returns the filed follow-up; a class still followed up opens the next round (``followup.next``
    is not kept: read ``open_follow_up(assignment)``)."""
    # Lock order as reply_issue: the assignment, then the follow-up.
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "proposal__committee", "agency")
        .get(pk=followup.assignment_id)
    )
    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("reply").get(pk=followup.pk)
    followup.assignment = assignment
    if not roles.is_agency_user_of(actor, assignment.agency_id):
        raise DomainError(NOT_ALLOWED, code="forbidden")
    if followup.status != FollowUpStatus.OPEN:
        raise DomainError(FOLLOW_UP_NOT_OPEN)
    if assignment.status != AssignmentStatus.REPLIED:
        raise DomainError(FOLLOW_UP_ASSIGNMENT_NOT_REPLIED)
    text = (text or "").strip()
    if not text:
        raise DomainError(REPORT_REQUIRED, code="invalid")
    if len(text) > REPORT_MAX_CHARS:
        raise DomainError(str(REPORT_TOO_LONG) % {"limit": REPORT_MAX_CHARS}, code="invalid")
    committee_id = assignment.proposal.committee_id
    new_class = (new_class or "").strip()
    if new_class and new_class not in rules.class_codes(rules.enabled_reply_classes(committee_id)):
        raise DomainError(str(rules.CLASS_NOT_ENABLED) % {"label": new_class}, code="invalid")
    now = timezone.now()
    followup.report = text
    followup.class_after = new_class or followup.class_before
    followup.status = FollowUpStatus.FILED
    followup.filed_at = now
    followup.filed_by = actor
    followup.full_clean()
    followup.save(update_fields=["report", "class_after", "status", "filed_at", "filed_by"])
    before = class_label(committee_id, followup.class_before)
    after = class_label(committee_id, followup.class_after)
    change = (
        str(_("答复类别由 %(before)s调整为 %(after)s") % {"before": before, "after": after})
        if followup.class_after != followup.class_before
        else str(_("答复类别仍为 %(label)s") % {"label": before})
    )
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.FOLLOW_UP_FILE,
        from_state=FollowUpStatus.OPEN,
        to_state=FollowUpStatus.FILED,
        note=f"{change}\n{text}",
    )
    _audit(actor, followup, f"follow_up_file {followup.class_before}->{followup.class_after}")
    if rules.follows_up(committee_id, followup.class_after):
        reply = followup.reply
        reply.assignment = assignment
        _open(
            reply=reply,
            actor=actor,
            round=followup.round + 1,
            class_before=followup.class_after,
            start=timezone.localdate(now),
        )
    return followup


def _audit(actor: User, follow_up: FollowUp, detail: str) -> None:
    # timeline_record writes the proposal's audit row; this one names the follow-up.
    record_event(event="transition", user=actor, obj=follow_up, detail=detail)
