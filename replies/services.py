"""Every write and every state transition of reply letters.

Reply:  draft ─► submitted (待签发) ─► issued (frozen: PDF stored with its SHA-256)
          ▲          │
          └──────────┘ returned by the leader with a comment

Each transition re-reads its row under ``select_for_update()``, checks who is acting and the
current state, raises ``DomainError`` with one of the message constants below, saves with
``update_fields``, and writes a timeline event and an audit event in the same transaction: a
refused move writes nothing. Issuing also moves the assignment to "replied" and, once every
answering assignment (lead or split, not returned) of the proposal is replied, the proposal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.details import digest_field
from audit.log import record_event
from documents.formats import document_date
from documents.render import sha256_hex
from proposals.errors import ConflictError, DomainError
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalStatus,
    ProposerKind,
    User,
)
from proposals.roles import NOT_ALLOWED, is_agency_user_of, is_leader_of
from proposals.timeline import timeline_record

from . import rules
from .actions import ReplyAction
from .models import Reply, ReplyStatus, ReplyVersion
from .signals import reply_issued

# --- Messages users see -------------------------------------------------------------------
ASSIGNMENT_NOT_OPEN = _("只有办理中的交办可以起草答复。")
REPLY_EXISTS = _("本轮办理已有答复，请在原答复上修改。")
REPLY_FROZEN = _("答复已签发，不能再修改。")
ALREADY_ISSUED = _("答复已签发，不能重复签发。")
NOT_DRAFT = _("只有草稿可以提交签发。")
NOT_SUBMITTED = _("只有待签发的答复可以签发或退回。")
EDIT_WHILE_SUBMITTED = _("答复已提交签发，只有负责人可以修改；如需修改请请负责人退回。")
CONFLICT = _(
    "保存失败：在您编辑期间，%(who)s 已于 %(when)s 保存了新的版本（第 %(version)s 版）。"
    "您的内容没有保存，仍显示在下方，请对照最新版本修改后再保存。"
)
# The messages of the letter's field rules are in ``replies.rules``.
RETURN_COMMENT_REQUIRED = _("退回时请填写退回意见。")

# Timeline actions: ``replies.actions.ReplyAction``.

# The fields a handler edits; each saved version keeps a snapshot of them.
EDITABLE_FIELDS = (
    "reply_class",
    "title",
    "addressee",
    "body",
    "closing",
    "leader_name",
    "handler_name",
    "phone",
    "reply_date",
    "doc_number",
    "copy_to",
    "is_public",
    "not_public_reason",
)

DEFAULT_CLOSING = _("感谢您对我们工作的关心和支持，欢迎今后提出更多宝贵意见。")

# Checks that must pass before a reply is issued; each raises DomainError to refuse. Other apps
# append to this list from their AppConfig.ready() (consultations: the member must have signed
# the consultation record first).
ISSUE_CHECKS: list[Callable[[Reply], None]] = []


# --- Who may do what ------------------------------------------------------------------------


def _is_agency_user(user: User | None, assignment: Assignment) -> bool:
    return is_agency_user_of(user, assignment.agency_id)


def _is_leader(user: User | None, assignment: Assignment) -> bool:
    return is_leader_of(user, assignment.agency_id)


def _require(condition: bool, message=NOT_ALLOWED) -> None:
    if not condition:
        raise DomainError(message, code="forbidden")


def can_create(user: User, assignment: Assignment) -> bool:
    return _is_agency_user(user, assignment) and assignment.status in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.REHANDLING,
    )


def can_edit(user: User, reply: Reply) -> bool:
    if not _is_agency_user(user, reply.assignment):
        return False
    if reply.status == ReplyStatus.DRAFT:
        return True
    return reply.status == ReplyStatus.SUBMITTED and is_leader_of(user, reply.assignment.agency_id)


def can_submit(user: User, reply: Reply) -> bool:
    return _is_agency_user(user, reply.assignment) and reply.status == ReplyStatus.DRAFT


def can_return(user: User, reply: Reply) -> bool:
    return _is_leader(user, reply.assignment) and reply.status == ReplyStatus.SUBMITTED


def can_issue(user: User, reply: Reply) -> bool:
    return can_return(user, reply) and not rules.submitter_may_not_issue(reply, user)


def issue_refusal(user: User, reply: Reply) -> str:
    """Why this leader may not issue the submitted reply ('' when nothing of theirs stops it)."""
    if can_return(user, reply) and rules.submitter_may_not_issue(reply, user):
        return str(rules.SUBMITTER_CANNOT_ISSUE)
    return ""


# --- Defaults ---------------------------------------------------------------------------------


def default_title(assignment: Assignment) -> str:
    proposal = assignment.proposal
    committee = getattr(settings, "COMMITTEE_SHORT_NAME", "市政协")
    where = committee if proposal.between_meetings else f"{committee}{proposal.meeting.display_name}"
    number = f"第 {proposal.number} 号" if proposal.number else ""
    # The letter is an official Chinese document whatever language the user's screens are in.
    with translation.override("zh-hans"):
        if assignment.role == AssignmentRole.CO:
            return gettext("关于%(where)s%(number)s提案的会办意见") % {"where": where, "number": number}
        return gettext("关于%(where)s%(number)s提案的答复") % {"where": where, "number": number}


def default_addressee(assignment: Assignment) -> str:
    proposal = assignment.proposal
    with translation.override("zh-hans"):
        if assignment.role == AssignmentRole.CO:
            # A co-handler's view goes to the lead agency, not to the member.
            lead = (
                Assignment.objects.filter(proposal=proposal, role=AssignmentRole.LEAD)
                .live()
                .select_related("agency")
                .first()
            )
            if lead is not None:
                return gettext("%(name)s：") % {"name": lead.agency.name}
        if proposal.proposer_kind == ProposerKind.BODY:
            return gettext("%(name)s：") % {"name": proposal.body_name}
        first_proposer = proposal.first_proposer  # None (no query) when first_proposer_id is None
        if first_proposer is None:
            return ""
        name = first_proposer.name
        if proposal.proposer_kind == ProposerKind.JOINT:
            return gettext("%(name)s等委员：") % {"name": name}
        return gettext("%(name)s委员：") % {"name": name}


def default_closing(assignment: Assignment) -> str:
    if assignment.role == AssignmentRole.CO:
        return ""
    with translation.override("zh-hans"):
        return str(DEFAULT_CLOSING)


def new_draft_defaults(assignment: Assignment, actor: User) -> dict[str, Any]:
    """What a new draft starts with: ``reply_create`` stores it and the empty form shows it."""
    # The one who drafts is the handler (承办人) the letter names, leader or not: the name is the
    # real author's unless someone changes it, and the reply records who submitted it either way.
    return {
        "title": default_title(assignment),
        "addressee": default_addressee(assignment),
        "closing": default_closing(assignment),
        "handler_name": actor.display_name,
        "phone": actor.phone,
        "is_public": True,
    }


# --- Validation (the rules are in replies.rules) ----------------------------------------------


def snapshot(reply: Reply) -> dict[str, Any]:
    data = {name: getattr(reply, name) for name in EDITABLE_FIELDS}
    data["reply_date"] = reply.reply_date.isoformat() if reply.reply_date else None
    return data


def _check_fields(reply: Reply) -> None:
    """A draft is saved only when the rules of a draft hold, field by field (a refused save writes nothing)."""
    problems = rules.reply_problems(reply, stage=rules.Stage.DRAFT)
    if problems:
        raise ValidationError(rules.as_error_dict(problems))


def _refuse_unless_ready(reply: Reply, stage: rules.Stage) -> None:
    problems = rules.reply_problems(reply, stage=stage)
    if problems:
        raise DomainError(problems[0].message, code="invalid")


def _apply(reply: Reply, data: Mapping[str, Any]) -> None:
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "reply_date":
            if isinstance(value, str):
                value = dt.date.fromisoformat(value) if value else None
        elif name == "is_public":
            value = bool(value)
        elif value is None:
            value = ""
        elif isinstance(value, str):
            # Line endings from browsers are \r\n; the letter works in lines.
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            if name not in ("body", "closing", "not_public_reason"):
                value = value.strip()
        setattr(reply, name, value)
    if reply.is_public:
        reply.not_public_reason = ""


def _record_version(reply: Reply, actor: User) -> ReplyVersion:
    return ReplyVersion.objects.create(reply=reply, version=reply.version, saved_by=actor, data=snapshot(reply))


def _audit(actor: User, reply: Reply, action: str) -> None:
    # timeline_record already writes an audit row for the proposal; this one names the reply.
    record_event(event="transition", user=actor, obj=reply, detail=action)


def _lock_reply(reply: Reply) -> Reply:
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("assignment__proposal__meeting", "assignment__agency")
        .get(pk=reply.pk)
    )


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def reply_create(*, assignment: Assignment, actor: User, data: Mapping[str, Any] | None = None) -> Reply:
    """A handler (or leader) of the agency starts the reply of the assignment's current round."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "proposal__first_proposer", "agency")
        .get(pk=assignment.pk)
    )
    _require(_is_agency_user(actor, assignment))
    if assignment.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING):
        raise DomainError(ASSIGNMENT_NOT_OPEN)
    if Reply.objects.filter(assignment=assignment, round=assignment.round).exists():
        raise DomainError(REPLY_EXISTS, code="exists")
    now = timezone.now()
    reply = Reply(
        assignment=assignment,
        round=assignment.round,
        **new_draft_defaults(assignment, actor),
        version=1,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _apply(reply, data or {})
    _check_fields(reply)
    reply.full_clean(exclude=["pdf"], validate_constraints=False)
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise DomainError(REPLY_EXISTS, code="exists") from None
    _record_version(reply, actor)
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.CREATE,
        to_state=ReplyStatus.DRAFT,
        note=gettext("第 %(round)s 轮") % {"round": reply.round},
    )
    _audit(actor, reply, "reply_create")
    return reply


@transaction.atomic
def reply_save_draft(*, reply: Reply, actor: User, data: Mapping[str, Any], expected_version: int | None) -> Reply:
    """Save the handler's text; refused with ConflictError when someone saved since ``expected_version``.

    Nothing is merged or overwritten: the caller shows the user their own text again. None (a form
    that sent no readable version) is refused the same way: it proves nothing about what was seen.
    """
    reply = _lock_reply(reply)
    assignment = reply.assignment
    _require(_is_agency_user(actor, assignment))
    if reply.status == ReplyStatus.ISSUED:
        raise DomainError(REPLY_FROZEN, code="frozen")
    if reply.status == ReplyStatus.SUBMITTED and not is_leader_of(actor, reply.assignment.agency_id):
        raise DomainError(EDIT_WHILE_SUBMITTED, code="forbidden")
    if expected_version is None or int(expected_version) != reply.version:
        last = reply.versions.select_related("saved_by").order_by("-version").first()
        raise ConflictError(
            CONFLICT
            % {
                "who": str(last.saved_by) if last else "",
                "when": timezone.localtime(last.saved_at).strftime("%H:%M:%S") if last else "",
                "version": reply.version,
            },
            code="conflict",
        )
    before = snapshot(reply)
    _apply(reply, data)
    _check_fields(reply)
    reply.full_clean(exclude=["pdf"])
    if snapshot(reply) == before:
        return reply
    reply.version += 1
    reply.updated_at = timezone.now()
    fields = [*EDITABLE_FIELDS, "version", "updated_at"]
    if reply.status == ReplyStatus.SUBMITTED:
        # A leader who rewrites a submitted letter puts their own text up for sign-off: they become
        # its submitter, so another leader issues it (or it goes back to the handler).
        reply.submitted_by = actor
        fields.append("submitted_by")
    reply.save(update_fields=fields)
    _record_version(reply, actor)
    _audit(actor, reply, "reply_save")
    return reply


@transaction.atomic
def reply_submit(*, reply: Reply, actor: User) -> Reply:
    """The handler sends the draft to the agency's leader for sign-off (签发)."""
    reply = _lock_reply(reply)
    _require(_is_agency_user(actor, reply.assignment))
    if reply.status == ReplyStatus.ISSUED:
        raise DomainError(REPLY_FROZEN, code="frozen")
    if reply.status != ReplyStatus.DRAFT:
        raise DomainError(NOT_DRAFT)
    _refuse_unless_ready(reply, rules.Stage.SUBMIT)
    reply.status = ReplyStatus.SUBMITTED
    reply.submitted_at = timezone.now()
    reply.submitted_by = actor
    reply.save(update_fields=["status", "submitted_at", "submitted_by"])
    timeline_record(
        proposal=reply.assignment.proposal,
        assignment=reply.assignment,
        actor=actor,
        action=ReplyAction.SUBMIT,
        from_state=ReplyStatus.DRAFT,
        to_state=ReplyStatus.SUBMITTED,
    )
    _audit(actor, reply, "reply_submit")
    return reply


@transaction.atomic
def reply_return(*, reply: Reply, actor: User, comment: str) -> Reply:
    """The leader sends the draft back to the handler with a comment."""
    reply = _lock_reply(reply)
    _require(_is_leader(actor, reply.assignment))
    if reply.status == ReplyStatus.ISSUED:
        raise DomainError(REPLY_FROZEN, code="frozen")
    if reply.status != ReplyStatus.SUBMITTED:
        raise DomainError(NOT_SUBMITTED)
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(RETURN_COMMENT_REQUIRED, code="invalid")
    reply.status = ReplyStatus.DRAFT
    reply.leader_comment = comment
    reply.save(update_fields=["status", "leader_comment"])
    timeline_record(
        proposal=reply.assignment.proposal,
        assignment=reply.assignment,
        actor=actor,
        action=ReplyAction.RETURN,
        from_state=ReplyStatus.SUBMITTED,
        to_state=ReplyStatus.DRAFT,
        note=comment,
    )
    _audit(actor, reply, "reply_return")
    return reply


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
    from .pdf import render_reply_context, reply_context  # WeasyPrint loads only when a letter is rendered

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
    from .pdf import render_reply_context, reply_context

    # Lock order as everywhere else: assignment, then reply, then proposal.
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "agency")
        .get(pk=reply.assignment_id)
    )
    reply = _lock_reply(reply)
    reply.assignment = assignment
    _require(_is_leader(actor, assignment))
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
    is_co = assignment.role == AssignmentRole.CO
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ReplyAction.COHANDLER_ISSUE if is_co else ReplyAction.ISSUE,
        from_state=ReplyStatus.SUBMITTED,
        to_state=ReplyStatus.ISSUED,
        note=f"{reply.get_reply_class_display()} · {document_date(reply.reply_date)} · SHA-256 {reply.pdf_sha256}",
    )
    _audit(actor, reply, f"reply_issue {digest_field('pdf_sha256', reply.pdf_sha256)}")  # read by verify_records

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
