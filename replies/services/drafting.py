"""Drafting a reply: create, save (with versions and the edit-conflict check), submit for sign-off,
and the leader's return for revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proposals.errors import ConflictError, DomainError
from proposals.models import Assignment, AssignmentStatus, User
from proposals.roles import is_leader_of
from proposals.timeline import timeline_record

from .. import rules
from ..actions import ReplyAction
from ..models import Reply, ReplyStatus, ReplyVersion
from .common import ASSIGNMENT_NOT_OPEN, NOT_SUBMITTED, audit_event, lock_reply
from .defaults import new_draft_defaults
from .permissions import leads, require, works_for

REPLY_EXISTS = _("本轮办理已有答复，请在原答复上修改。")
REPLY_FROZEN = _("答复已签发，不能再修改。")
NOT_DRAFT = _("只有草稿可以提交签发。")
EDIT_WHILE_SUBMITTED = _("答复已提交签发，只有负责人可以修改；如需修改请请负责人退回。")
CONFLICT = _(
    "保存失败：在您编辑期间，%(who)s 已于 %(when)s 保存了新的版本（第 %(version)s 版）。"
    "您的内容没有保存，仍显示在下方，请对照最新版本修改后再保存。"
)
# The messages of the letter's field rules are in ``replies.rules``.
RETURN_COMMENT_REQUIRED = _("退回时请填写退回意见。")
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
    "signer_name",
    "report_to",
    "printed_by",
    "printed_on",
    "is_public",
    "not_public_kind",
    "not_public_reason",
)
DATE_FIELDS = ("reply_date", "printed_on")


def snapshot(reply: Reply) -> dict[str, Any]:
    data = {name: getattr(reply, name) for name in EDITABLE_FIELDS}
    for name in DATE_FIELDS:
        value = getattr(reply, name)
        data[name] = value.isoformat() if value else None
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
        if name in DATE_FIELDS:
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


@transaction.atomic
def reply_create(*, assignment: Assignment, actor: User, data: Mapping[str, Any] | None = None) -> Reply:
    """A handler (or leader) of the agency starts the reply of the assignment's current round."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal__meeting", "proposal__committee", "proposal__first_proposer", "agency")
        .get(pk=assignment.pk)
    )
    require(works_for(actor, assignment))
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
    audit_event(actor, reply, "reply_create")
    return reply


@transaction.atomic
def reply_save_draft(*, reply: Reply, actor: User, data: Mapping[str, Any], expected_version: int | None) -> Reply:
    """Save the handler's text; refused with ConflictError when someone saved since ``expected_version``.

    Nothing is merged or overwritten: the caller shows the user their own text again. None (a form
    that sent no readable version) is refused the same way: it proves nothing about what was seen.
    """
    reply = lock_reply(reply)
    assignment = reply.assignment
    require(works_for(actor, assignment))
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
    audit_event(actor, reply, "reply_save")
    return reply


@transaction.atomic
def reply_submit(*, reply: Reply, actor: User) -> Reply:
    """The handler sends the draft to the agency's leader for sign-off (签发)."""
    reply = lock_reply(reply)
    require(works_for(actor, reply.assignment))
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
    audit_event(actor, reply, "reply_submit")
    return reply


@transaction.atomic
def reply_return(*, reply: Reply, actor: User, comment: str) -> Reply:
    """The leader sends the draft back to the handler with a comment."""
    reply = lock_reply(reply)
    require(leads(actor, reply.assignment))
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
    audit_event(actor, reply, "reply_return")
    return reply
