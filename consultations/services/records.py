"""Scheduling and filling in the consultation record (面商记录); the rule that it is signed before
the reply is issued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from documents.formats import document_date
from proposals.errors import ConflictError, DomainError
from proposals.models import Assignment, AssignmentStatus, ProposalStatus, User
from proposals.timeline import timeline_record
from proposals.validators import PHONE_INVALID, normalise_phone, validate_phone
from replies import rules as reply_rules
from replies.models import Reply, ReplyStatus

from ..actions import ConsultationAction
from ..models import Consultation, ConsultationStatus, Method
from ..selectors import round_reply, schedule_refusal
from ..signals import record_awaits_signature
from .common import PROPOSAL_CLOSED, audit_event, is_agency_handler, lock_assignment
from .hashing import RECORD_FIELDS
from .signers import RECORD_SIGNING_FIELDS, clear_row_signatures, signed_lines, sync_signers

NOT_HANDLER = _("只有该交办单位的经办人可以安排和填写面商记录。")
ASSIGNMENT_NOT_OPEN = _("该交办当前不在办理中，不能安排或修改面商。")
CO_HANDLER_NO_CONSULTATION = _("会办单位不直接答复委员，不安排面商，也不接受测评。")
HELD_BEFORE_ASSIGNMENT = _("面商时间不能早于交办日期（%(date)s）。")
HELD_AFTER_ISSUE_WARNING = _("注意：面商时间晚于本轮答复的签发日期（%(date)s），按规定应先面商、后签发答复。")
METHOD_INVALID = _("请选择面商方式：当面、电话、座谈或现场察看。")
PLACE_REQUIRED = _("请填写面商地点。")
HOST_REQUIRED = _("请填写面商人姓名。")
HELD_AT_REQUIRED = _("请填写面商时间。")
# %(classes)s: the enabled reply classes, e.g. "A 类、B 类或 C 类" (replies.rules.class_list).
CLASS_INVALID = _("办理情况只能是 %(classes)s。")
RECORD_LOCKED = _("面商记录已签字锁定，任何人都不能再修改。")
# The record changed after some (not all) proposers signed it: what they signed is not what it says now.
SIGNATURES_CLEARED = _("记录修改前已签字的提案人（%(names)s）的签字作废，须重新签字。")
RECORD_CONFLICT = _("该面商记录已被他人修改，您的修改没有保存。请刷新页面后重新编辑。")
ISSUE_NEEDS_SIGNED_CONSULTATION = _(
    "按规定，答复签发前须与委员面商并由委员签字确认面商记录；本轮面商记录尚未签字，不能签发。"
)


# A consultation may be scheduled or recorded while the agency works on it or after it replied.
RECORDABLE_STATES = (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING, AssignmentStatus.REPLIED)


def lock_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("assignment", "assignment__proposal", "assignment__agency", "member")
        .get(pk=consultation.pk)
    )


def _check_recordable(actor: User, assignment: Assignment) -> None:
    if not is_agency_handler(actor, assignment):
        raise DomainError(NOT_HANDLER, code="forbidden")
    if not assignment.answers_member:
        raise DomainError(CO_HANDLER_NO_CONSULTATION)
    if assignment.proposal.status == ProposalStatus.CLOSED:
        raise DomainError(PROPOSAL_CLOSED)
    if assignment.status not in RECORDABLE_STATES:
        raise DomainError(ASSIGNMENT_NOT_OPEN)


def held_at_warnings(assignment: Assignment, round_no: int, held_at: dt.datetime) -> list[str]:
    """Refuse a time before the assignment; warn (but allow) a time after this round's reply was issued."""
    assigned_on = timezone.localdate(assignment.assigned_at)
    if timezone.localdate(held_at) < assigned_on:
        raise DomainError(HELD_BEFORE_ASSIGNMENT % {"date": document_date(assigned_on)}, code="invalid")
    reply = round_reply(assignment, round_no)
    if reply is not None and reply.status == ReplyStatus.ISSUED and reply.issued_at is not None:
        issued_on = timezone.localdate(reply.issued_at)
        if timezone.localdate(held_at) > issued_on:
            return [str(HELD_AFTER_ISSUE_WARNING % {"date": document_date(issued_on)})]
    return []


def _clean_schedule(*, held_at: dt.datetime | None, place: str, method: str, host_name: str, host_phone: str):
    if held_at is None:
        raise DomainError(HELD_AT_REQUIRED, code="invalid")
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if method not in Method.values:
        raise DomainError(METHOD_INVALID, code="invalid")
    if not (place or "").strip():
        raise DomainError(PLACE_REQUIRED, code="invalid")
    if not (host_name or "").strip():
        raise DomainError(HOST_REQUIRED, code="invalid")
    host_phone = normalise_phone(host_phone)
    try:
        validate_phone(host_phone)
    except ValidationError:
        raise DomainError(PHONE_INVALID, code="invalid") from None
    return held_at, place.strip(), method, host_name.strip(), host_phone


@transaction.atomic
def consultation_schedule(
    *,
    assignment: Assignment,
    actor: User,
    held_at: dt.datetime,
    place: str,
    method: str,
    host_name: str,
    host_phone: str,
) -> Consultation:
    """The handler arranges a consultation with the first proposer for the assignment's current round.

    The returned record carries ``warnings`` (a list of messages to show; the move still happened).
    """
    assignment = lock_assignment(assignment)
    _check_recordable(actor, assignment)
    proposal = assignment.proposal
    if refusal := schedule_refusal(assignment):
        raise DomainError(refusal)
    first_proposer_id = proposal.first_proposer_id
    assert first_proposer_id is not None  # schedule_refusal refuses a proposal without one
    held_at, place, method, host_name, host_phone = _clean_schedule(
        held_at=held_at, place=place, method=method, host_name=host_name, host_phone=host_phone
    )
    warnings = held_at_warnings(assignment, assignment.round, held_at)
    now = timezone.now()
    consultation = Consultation(
        assignment=assignment,
        round=assignment.round,
        member_id=first_proposer_id,
        status=ConsultationStatus.SCHEDULED,
        held_at=held_at,
        place=place,
        method=method,
        host_name=host_name,
        host_phone=host_phone,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    consultation.full_clean(exclude=["signature", "paper_scan", "pdf"])
    consultation.save()
    sync_signers(consultation)  # every other proposer of the assignment signs too
    note = _("面商时间 %(time)s，地点 %(place)s，方式 %(method)s") % {
        "time": timezone.localtime(held_at).strftime("%Y-%m-%d %H:%M"),
        "place": place,
        "method": consultation.get_method_display(),
    }
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.SCHEDULE,
        to_state=ConsultationStatus.SCHEDULED,
        note="\n".join([note, *warnings]),
    )
    audit_event(actor, consultation, "consultation_schedule")
    consultation.warnings = warnings
    return consultation


def record_prefill(consultation: Consultation) -> dict[str, str]:
    """The record's content as the agency has it now: member data, the proposal, this round's reply draft."""
    assignment = consultation.assignment
    proposal = assignment.proposal
    member = consultation.member
    reply = round_reply(assignment, consultation.round)
    return {
        "agency_name": assignment.agency.name,
        "proposal_number": proposal.number,
        "member_name": member.name,
        "work_unit": member.work_unit,
        "member_phone": member.phone,
        "main_content": proposal.main_content,
        "reply_points": reply.body if reply is not None else "",
        "handling_class": reply.reply_class if reply is not None else "",
    }


@transaction.atomic
def consultation_record(
    *,
    consultation: Consultation,
    actor: User,
    expected_updated_at: dt.datetime | None,
    **fields: Any,
) -> Consultation:
    """Fill in (or correct) the record after the consultation; blank snapshot fields are prefilled.

    Editable until signed. ``expected_updated_at`` (the value the editor loaded) refuses a save that
    would overwrite someone else's; every caller must name it, and None (a form that sent no readable
    version) is refused the same way, since it proves nothing about what the editor saw. The record
    is tied to this round's reply and its version now.
    """
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    consultation = lock_consultation(consultation)
    if consultation.is_locked:
        raise DomainError(RECORD_LOCKED, code="locked")
    assignment = consultation.assignment
    _check_recordable(actor, assignment)
    if expected_updated_at is None or consultation.updated_at != expected_updated_at:
        raise ConflictError(RECORD_CONFLICT, code="conflict")

    prefill = record_prefill(consultation)
    for name in RECORD_FIELDS:
        if name in fields and fields[name] is not None:
            value = fields[name]
            setattr(consultation, name, value.strip() if isinstance(value, str) else value)
        elif name in prefill and not getattr(consultation, name):
            setattr(consultation, name, prefill[name])
    held_at, place, method, host_name, host_phone = _clean_schedule(
        held_at=consultation.held_at,
        place=consultation.place,
        method=consultation.method,
        host_name=consultation.host_name,
        host_phone=consultation.host_phone,
    )
    consultation.held_at, consultation.place, consultation.method = held_at, place, method
    consultation.host_name, consultation.host_phone = host_name, host_phone
    handling_class = consultation.handling_class
    classes = reply_rules.enabled_reply_classes(assignment.proposal)
    if handling_class and handling_class not in reply_rules.class_codes(classes):
        raise DomainError(str(CLASS_INVALID) % {"classes": reply_rules.class_list(classes)}, code="invalid")
    member_phone = normalise_phone(consultation.member_phone)
    try:
        validate_phone(member_phone)
    except ValidationError:
        raise DomainError(PHONE_INVALID, code="invalid") from None
    consultation.member_phone = member_phone
    warnings = held_at_warnings(assignment, consultation.round, held_at)

    reply = round_reply(assignment, consultation.round)
    consultation.reply = reply
    consultation.reply_version = reply.version if reply is not None else None
    from_state = consultation.status
    # A joint record edited after some of its proposers signed: their signatures no longer cover
    # it, so they are cleared (the rows' and the record's history keep them) and asked again.
    cleared = [line.name for line in signed_lines(consultation)]
    signing_fields: list[str] = []
    if cleared:
        for name, value in RECORD_SIGNING_FIELDS.items():
            setattr(consultation, name, value)
        signing_fields = list(RECORD_SIGNING_FIELDS)
        clear_row_signatures(consultation)
        warnings = [*warnings, str(SIGNATURES_CLEARED % {"names": "、".join(cleared)})]
    consultation.status = ConsultationStatus.HELD
    consultation.updated_at = timezone.now()
    consultation.full_clean(exclude=["signature", "paper_scan", "pdf"])
    consultation.save(update_fields=[*RECORD_FIELDS, *signing_fields, "reply", "reply_version", "status", "updated_at"])
    sync_signers(consultation)
    action = ConsultationAction.RECORD if from_state == ConsultationStatus.SCHEDULED else ConsultationAction.EDIT_RECORD
    with translation.override(settings.LANGUAGE_CODE):  # the timeline keeps the committee's language
        version_note = str(
            _("所据答复：第 %(round)s 轮，第 %(version)s 版") % {"round": consultation.round, "version": reply.version}
            if reply is not None
            else _("本轮尚无答复草稿")
        )
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=ConsultationStatus.HELD,
        note="\n".join([str(version_note), *warnings]),
    )
    audit_event(actor, consultation, "consultation_record")
    consultation_id = consultation.pk
    transaction.on_commit(lambda: record_awaits_signature.send(sender=Consultation, consultation_id=consultation_id))
    consultation.warnings = warnings
    return consultation


def require_signed_consultation(reply: Reply) -> None:
    """Registered in ``replies.services.ISSUE_CHECKS``: no issue before the member signed the record."""
    assignment = reply.assignment
    if not reply_rules.record_required_before_issue(assignment.proposal):
        return
    if not assignment.answers_member or assignment.proposal.first_proposer_id is None:
        # Nobody to consult: a body's proposal has no member to sign.
        return
    signed = Consultation.objects.filter(
        assignment_id=reply.assignment_id, round=reply.round, status=ConsultationStatus.SIGNED
    ).exists()
    if not signed:
        raise DomainError(ISSUE_NEEDS_SIGNED_CONSULTATION, code="consultation_required")
