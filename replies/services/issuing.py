"""Issuing (签发): the checks every app adds, the frozen PDF with its SHA-256, and the proposal
marked replied once every answering assignment is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.details import digest_field
from documents.formats import document_date
from documents.render import sha256_hex
from proposals.errors import DomainError
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus, User
from proposals.services.merging import follow_lead
from proposals.timeline import timeline_record

from .. import rules
from ..actions import ReplyAction
from ..followup import followup_on_issue
from ..models import Reply, ReplyStatus
from ..signals import reply_issued
from .common import ASSIGNMENT_NOT_OPEN, NOT_SUBMITTED, audit_event, lock_reply
from .permissions import can_issue, leads, require

ALREADY_ISSUED = _("答复已签发，不能重复签发。")
# Checks that must pass before a reply is issued; each raises DomainError to refuse. Other apps
# append to this list from their AppConfig.ready() (consultations: the member must have signed
# the consultation record first).
ISSUE_CHECKS: list[Callable[[Reply], None]] = []


def issue_problems(reply: Reply) -> list[str]:
    """What still stops the reply from being issued (empty when it can be): the page lists it."""
    problems = [problem.message for problem in rules.reply_problems(reply, stage=rules.Stage.ISSUE)]
    # The other apps' rules (a signed consultation record first): they only read, so the page can
    # show the leader beforehand what would stop the issue.
    for check in ISSUE_CHECKS:
        try:
            check(reply)
        except DomainError as exc:
            problems.append(exc.message)
    return problems


def reply_issue(*, reply: Reply, actor: User) -> Reply:
    """签发: the leader issues the reply. It is frozen: the PDF is rendered once and stored with its SHA-256.

    The assignment becomes "replied"; once every answering assignment of the proposal is replied,
    so does the proposal.

    Rendering takes a few tenths of a second, too long to hold row locks (and on SQLite the
    database's one write lock) for. So the letter is rendered first, from an unlocked read, and the
    transaction then compares the letter's inputs (``reply_context``) as they are under the lock
    with those it was rendered from: equal, the rendered file is stored; changed in between (a
    concurrent edit, midnight passing for an undated letter), it is rendered again under the lock.
    """
    from ..pdf import render_reply_context, reply_context  # WeasyPrint loads only when a letter is rendered

    prerendered = None
    current = Reply.objects.select_related("assignment__agency").filter(pk=reply.pk).first()
    # Only for a letter the actor could issue now; anything else fails fast under the lock below.
    if current is not None and can_issue(actor, current):
        if current.reply_date is None:
            current.reply_date = timezone.localdate()
        context = reply_context(current, draft=False)
        prerendered = (context, render_reply_context(context))
    return _issue_locked(reply=reply, actor=actor, prerendered=prerendered)


@transaction.atomic
def _issue_locked(*, reply: Reply, actor: User, prerendered: tuple[dict, bytes] | None) -> Reply:
    from ..pdf import render_reply_context, reply_context

    # Lock order as everywhere else: assignment, then reply, then proposal.
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "proposal__committee", "agency")
        .get(pk=reply.assignment_id)
    )
    reply = lock_reply(reply)
    reply.assignment = assignment
    require(leads(actor, assignment))
    if reply.status == ReplyStatus.ISSUED:
        raise DomainError(ALREADY_ISSUED, code="frozen")
    if reply.status != ReplyStatus.SUBMITTED:
        raise DomainError(NOT_SUBMITTED)
    if rules.submitter_may_not_issue(reply, actor):
        raise DomainError(rules.SUBMITTER_CANNOT_ISSUE, code="forbidden")
    if assignment.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING):
        raise DomainError(ASSIGNMENT_NOT_OPEN)
    problems = issue_problems(reply)  # runs ISSUE_CHECKS too
    if problems:
        raise DomainError(problems[0], code="invalid")

    now = timezone.now()
    if reply.reply_date is None:
        reply.reply_date = timezone.localdate(now)
    reply.status = ReplyStatus.ISSUED
    reply.signed_by = actor
    reply.issued_at = now
    context = reply_context(reply, draft=False)
    if prerendered is not None and prerendered[0] == context:
        pdf = prerendered[1]
    else:
        pdf = render_reply_context(context)
    reply.pdf_sha256 = sha256_hex(pdf)
    proposal = assignment.proposal
    name = f"{proposal.number or proposal.pk}-{assignment.agency_id}-r{reply.round}-{reply.pk}.pdf"
    reply.pdf.save(name, ContentFile(pdf), save=False)
    try:
        reply.full_clean(exclude=["pdf"])
        reply.save(update_fields=["status", "signed_by", "issued_at", "reply_date", "pdf", "pdf_sha256"])
    except Exception:
        # Django has no on-rollback hook: a file stored for a refused issue must not stay behind.
        if reply.pdf.name:  # set by the save() above
            default_storage.delete(reply.pdf.name)
        raise
    is_co = not assignment.answers_member
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.COHANDLER_ISSUE if is_co else ReplyAction.ISSUE,
        from_state=ReplyStatus.SUBMITTED,
        to_state=ReplyStatus.ISSUED,
        note=" · ".join(
            part for part in (reply.class_label, document_date(reply.reply_date), f"SHA-256 {reply.pdf_sha256}") if part
        ),
    )
    audit_event(actor, reply, f"reply_issue {digest_field('pdf_sha256', reply.pdf_sha256)}")  # read by verify_records

    old_status = assignment.status
    assignment.status = AssignmentStatus.REPLIED
    assignment.replied_at = now
    assignment.save(update_fields=["status", "replied_at"])
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.ASSIGNMENT_REPLIED,
        from_state=old_status,
        to_state=AssignmentStatus.REPLIED,
    )
    followup_on_issue(reply=reply, actor=actor)  # 跟踪办理: a class the committee follows up
    if not is_co:
        _maybe_mark_proposal_replied(proposal.pk, actor)
        reply_id = reply.pk
        transaction.on_commit(lambda: reply_issued.send(sender=Reply, reply_id=reply_id))
    return reply


def reply_sign_off(*, reply: Reply, actor: User) -> Reply:
    """签发 and issue are one act here: the leader's sign-off issues the letter."""
    return reply_issue(reply=reply, actor=actor)


def _maybe_mark_proposal_replied(proposal_id: int, actor: User) -> None:
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal_id)
    if proposal.status != ProposalStatus.ASSIGNED:
        return
    answering = Assignment.objects.filter(proposal=proposal).answering()
    if not answering.exists():
        return
    if answering.exclude(status__in=[AssignmentStatus.REPLIED, AssignmentStatus.DONE]).exists():
        return
    proposal.status = ProposalStatus.REPLIED
    proposal.save(update_fields=["status"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ReplyAction.PROPOSAL_REPLIED,
        from_state=ProposalStatus.ASSIGNED,
        to_state=ProposalStatus.REPLIED,
    )
    follow_lead(proposal, actor)  # 并案: the merged proposals are answered with their lead
