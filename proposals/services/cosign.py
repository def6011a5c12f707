"""Co-signer confirmation (联名确认, issue 21 item 1): a joint proposal's co-signers confirm it
before a deadline, online or on paper, or are removed; the committee's rule decides when it may be
registered as joint.

A committee whose rule is ``CosignRule.NONE`` asks nobody: its co-signers stay confirmed as they
were filed, and nothing here changes a thing for it. Otherwise, when a joint proposal reaches the
committee (the member's ``proposal_submit``, or staff filing it from paper), every co-signer row
becomes pending with a due date ``meeting.cosign_window_days`` working days later and the
co-signers are notified (``oversight.inbox``: the ``COSIGN_INVITE`` event). A pending co-signer
already sees the proposal (``proposals_visible_to`` counts every co-signer row) but is not one of
its proposers (``proposals.proposers``) until confirmed.

Each state change is one service below: actor and state checked, one transaction, a timeline event
(one per co-signer removed). ``cosign_rule_met`` is THE rule for registration: ``proposal_register``
(and so the batch registration, which calls it) and the pages read it.

A paper confirmation needs the scan of the signed page, as a paper-signed consultation record
does (``consultations.services.common.checked_scan``): staff record it on the member's behalf, and
the scan is the only trace of the member's own consent; it is kept with its SHA-256 as an
attachment of the proposal marked as a confirmation (``AttachmentPurpose.COSIGN_CONFIRMATION``) and
linked from the co-signer's row (``paper_scan``). It is the committee's record, not one of the
proposal's files: agencies never read it (``attachments_visible_to``), staff open it from the
co-signer's state in the panel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    AttachmentPurpose,
    CosignMethod,
    CosignRule,
    CosignStatus,
    ProposalAction,
    ProposalStatus,
    ProposerKind,
)
from ..deadlines import add_working_days
from ..errors import DomainError
from ..models import Meeting, Member, Proposal, ProposalCosigner, User
from ..proposers import cosigner_rows
from ..roles import is_member, is_staff_of
from ..timeline import timeline_record
from ..uploads import SCAN_KINDS, check_upload
from .common import require

NOT_INVITED = _("您不是本提案待确认的联名人。")
COSIGN_CLOSED = _("本提案已不在联名确认阶段。")
CONFIRM_DEADLINE_PASSED = _(
    "联名确认期限（%(due)s）已过，不能再网上确认；如已签署纸质确认书，请联系提案委员会工作人员录入。"
)
MEMBER_NOT_PENDING = _("所选委员不是本提案待确认的联名人。")
SCAN_REQUIRED = _("请上传联名人签字的纸质确认书扫描件（PDF、JPEG 或 PNG）。")
NOTHING_TO_REMOVE = _("没有已过确认期限仍未确认的联名人。")
DECLINE_REASON_TOO_LONG = _("退出理由不能超过 %(max)s 字。")
# The registration refusals: who has not confirmed, and what the committee asks.
RULE_ALL_UNMET = _("联名人%(names)s尚未确认联名；本委员会要求全部联名人确认后方可作为联名提案立案。")
RULE_ANY_UNMET = _("尚无联名人确认联名（%(names)s尚未确认）；本委员会要求至少一名联名人确认后方可作为联名提案立案。")

DECLINE_REASON_MAX_CHARS = 500

# While the proposal is on its way (not a draft, not refused, not closed) its co-signers may still
# confirm: under "at least one" a proposal is registered before every window has passed.
COSIGN_OPEN_STATES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.REGISTERED,
    ProposalStatus.ASSIGNED,
    ProposalStatus.REPLIED,
)


# --- The committee's rule -------------------------------------------------------------------------
def cosign_rule_of(proposal: Proposal) -> str:
    """The committee's rule on co-signers' confirmation (``Committee.cosign_rule``)."""
    return proposal.committee.cosign_rule


def asks_confirmation(proposal: Proposal) -> bool:
    """A joint proposal of a committee that asks its co-signers to confirm."""
    return proposal.proposer_kind == ProposerKind.JOINT and cosign_rule_of(proposal) != CosignRule.NONE


def cosign_due_date(meeting: Meeting, start: dt.date) -> dt.date:
    """The last day to confirm a proposal that reached the committee on ``start``: the meeting's
    window in working days of the official calendar (``deadlines.add_working_days``)."""
    return add_working_days(start, meeting.cosign_window_days)


def _names(rows: Sequence[ProposalCosigner]) -> str:
    return "、".join(row.member.name for row in rows)


def cosign_rule_met(proposal: Proposal) -> list[str]:
    """Why ``proposal`` cannot yet be registered as joint (empty: it can). ``CosignRule.ALL``: no
    co-signer may be pending; ``CosignRule.ANY``: at least one has confirmed."""
    if not asks_confirmation(proposal):
        return []
    rows = cosigner_rows(proposal)
    pending = [r for r in rows if r.status == CosignStatus.PENDING]
    rule = cosign_rule_of(proposal)
    if rule == CosignRule.ALL and pending:
        return [str(RULE_ALL_UNMET % {"names": _names(pending)})]
    if rule == CosignRule.ANY and rows and not any(r.status == CosignStatus.CONFIRMED for r in rows):
        return [str(RULE_ANY_UNMET % {"names": _names(pending)})]
    return []


def require_cosign_rule_met(proposal: Proposal) -> None:
    """Raise the registration refusal, naming who has not confirmed (``proposal_register``)."""
    problems = cosign_rule_met(proposal)
    if problems:
        raise DomainError("；".join(problems), code="cosign_unconfirmed")


# --- Who may act (the pages' buttons; the services check the same) ------------------------------
def _is_open(proposal: Proposal) -> bool:
    return proposal.status in COSIGN_OPEN_STATES


def own_pending_row(user: User, proposal: Proposal) -> ProposalCosigner | None:
    """The user's own pending co-signer row on ``proposal``, if they are a member asked to confirm."""
    if not is_member(user) or user.member_id is None:
        return None
    return (
        ProposalCosigner.objects.filter(proposal=proposal, member_id=user.member_id, status=CosignStatus.PENDING)
        .select_related("member")
        .first()
    )


def can_confirm(row: ProposalCosigner | None, proposal: Proposal, today: dt.date | None = None) -> bool:
    """The co-signer may confirm online: pending, the proposal on its way, the window open."""
    today = today or timezone.localdate()
    return row is not None and _is_open(proposal) and (row.due_date is None or today <= row.due_date)


def can_decline(row: ProposalCosigner | None, proposal: Proposal) -> bool:
    return row is not None and _is_open(proposal)


def can_record_paper(user: User, proposal: Proposal) -> bool:
    """Staff of the committee may record a paper confirmation of a pending co-signer."""
    return is_staff_of(user, proposal.committee_id) and _is_open(proposal)


def overdue_rows(proposal: Proposal, today: dt.date | None = None) -> list[ProposalCosigner]:
    """The pending co-signers whose window has passed."""
    today = today or timezone.localdate()
    return list(
        ProposalCosigner.objects.filter(proposal=proposal, status=CosignStatus.PENDING, due_date__lt=today)
        .select_related("member")
        .order_by("order", "pk")
    )


def can_remove_unconfirmed(user: User, proposal: Proposal, today: dt.date | None = None) -> bool:
    return (
        is_staff_of(user, proposal.committee_id)
        and proposal.status != ProposalStatus.DRAFT
        and bool(overdue_rows(proposal, today))
    )


# --- The services -------------------------------------------------------------------------------
def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("committee", "meeting").get(pk=proposal.pk)


def _day(day: dt.date) -> str:
    return dateformat.format(day, "Y年n月j日")


def cosign_invite(*, proposal: Proposal, actor: User) -> list[ProposalCosigner]:
    """Ask the co-signers of a joint proposal that has just reached the committee to confirm it.

    Called by the filing services inside their transaction, on the proposal they hold locked; does
    nothing (returns []) unless the committee asks for confirmation. The notices go out from the
    timeline event (``oversight.inbox``)."""
    if proposal.proposer_kind != ProposerKind.JOINT:
        return []  # no query for the individual and body proposals
    proposal = Proposal.objects.select_related("committee", "meeting").get(pk=proposal.pk)
    if not asks_confirmation(proposal):
        return []
    rows = cosigner_rows(proposal)
    if not rows:
        return []
    now = timezone.now()
    due = cosign_due_date(proposal.meeting, timezone.localdate(now))
    for row in rows:
        row.status = CosignStatus.PENDING
        row.invited_at = now
        row.due_date = due
        row.confirmed_at = None
        row.confirm_method = ""
        row.confirmed_by = None
        row.paper_scan = None  # the scan stays stored (a confirmation attachment): only the link goes
    ProposalCosigner.objects.bulk_update(
        rows, ["status", "invited_at", "due_date", "confirmed_at", "confirm_method", "confirmed_by", "paper_scan"]
    )
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.COSIGN_INVITE,
        note=_("请联名人%(names)s于%(due)s前确认联名") % {"names": _names(rows), "due": _day(due)},
    )
    return rows


def _own_member_id(actor: User) -> int:
    """The acting member's record: only a co-signer themself confirms or declines."""
    require(is_member(actor) and actor.member_id is not None, NOT_INVITED)
    assert actor.member_id is not None  # checked just above
    return actor.member_id


def _pending_row(proposal: Proposal, member_id: int, message) -> ProposalCosigner:
    row = (
        ProposalCosigner.objects.select_for_update()
        .filter(proposal=proposal, member_id=member_id, status=CosignStatus.PENDING)
        .select_related("member")
        .first()
    )
    if row is None:
        raise DomainError(message, code="not_pending")
    return row


@transaction.atomic
def cosign_confirm(*, proposal: Proposal, actor: User) -> ProposalCosigner:
    """The co-signer confirms online, within their window."""
    member_id = _own_member_id(actor)
    proposal = _lock(proposal)
    row = _pending_row(proposal, member_id, NOT_INVITED)
    require(_is_open(proposal), COSIGN_CLOSED)
    if row.due_date is not None and timezone.localdate() > row.due_date:
        raise DomainError(CONFIRM_DEADLINE_PASSED % {"due": _day(row.due_date)}, code="deadline_passed")
    row.status = CosignStatus.CONFIRMED
    row.confirmed_at = timezone.now()
    row.confirm_method = CosignMethod.ONLINE
    row.confirmed_by = actor
    row.save(update_fields=["status", "confirmed_at", "confirm_method", "confirmed_by"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.COSIGN_CONFIRM,
        note=_("%(name)s网上确认联名") % {"name": row.member.name},
    )
    return row


def _remove(proposal: Proposal, row: ProposalCosigner, *, actor: User, action: str, note: str) -> None:
    row.delete()
    timeline_record(proposal=proposal, actor=actor, action=action, note=note)


def _individual_if_alone(proposal: Proposal, actor: User, action: str) -> bool:
    """No co-signer left: the proposal is the first proposer's own (个人), said on the timeline."""
    if ProposalCosigner.objects.filter(proposal=proposal).exists():
        return False
    proposal.proposer_kind = ProposerKind.INDIVIDUAL
    proposal.save(update_fields=["proposer_kind"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=action,
        note=str(_("已无联名人，本提案改为个人提案")),
    )
    return True


@transaction.atomic
def cosign_decline(*, proposal: Proposal, actor: User, reason: str = "") -> bool:
    """The co-signer declines: their row is removed (they no longer see the proposal). Returns
    whether the proposal became individual (no co-signer left)."""
    member_id = _own_member_id(actor)
    reason = (reason or "").strip()
    if len(reason) > DECLINE_REASON_MAX_CHARS:
        raise DomainError(DECLINE_REASON_TOO_LONG % {"max": DECLINE_REASON_MAX_CHARS}, code="invalid")
    proposal = _lock(proposal)
    row = _pending_row(proposal, member_id, NOT_INVITED)
    require(_is_open(proposal), COSIGN_CLOSED)
    note = _("%(name)s退出联名") % {"name": row.member.name}
    if reason:
        note = f"{note}：{reason}"
    _remove(proposal, row, actor=actor, action=ProposalAction.COSIGN_DECLINE, note=str(note))
    return _individual_if_alone(proposal, actor, ProposalAction.COSIGN_DECLINE)


def _checked_scan(scan: UploadedFile | None) -> UploadedFile:
    if scan is None:
        raise DomainError(SCAN_REQUIRED, code="invalid")
    try:
        check_upload(scan, kinds=SCAN_KINDS)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_upload") from exc
    return scan


@transaction.atomic
def cosign_record_paper(
    *, proposal: Proposal, actor: User, member: Member, scan: UploadedFile | None
) -> ProposalCosigner:
    """Staff record a co-signer's signed paper confirmation, with its scan (kept as a confirmation
    attachment, linked from the co-signer's row).

    The paper may arrive after the online window closed: the window bounds the online confirmation,
    staff judge the paper's date."""
    require(is_staff_of(actor, proposal.committee_id))
    proposal = _lock(proposal)
    require(_is_open(proposal), COSIGN_CLOSED)
    row = _pending_row(proposal, member.pk, MEMBER_NOT_PENDING)
    from .filing import _store_attachment  # filing calls cosign_invite: imported here, not above

    attachment = _store_attachment(proposal=proposal, actor=actor, upload=_checked_scan(scan))
    # Marked in the same transaction: no one ever reads it as one of the proposal's own files.
    attachment.purpose = AttachmentPurpose.COSIGN_CONFIRMATION
    attachment.save(update_fields=["purpose"])
    row.status = CosignStatus.CONFIRMED
    row.confirmed_at = timezone.now()
    row.confirm_method = CosignMethod.PAPER
    row.confirmed_by = actor
    row.paper_scan = attachment
    row.save(update_fields=["status", "confirmed_at", "confirm_method", "confirmed_by", "paper_scan"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.COSIGN_PAPER,
        note=_("%(name)s纸质确认联名（扫描件：%(file)s）")
        % {"name": row.member.name, "file": attachment.original_name},
    )
    return row


@transaction.atomic
def cosign_remove_unconfirmed(*, proposal: Proposal, actor: User) -> list[str]:
    """Staff remove the co-signers who let their window pass without confirming (one event each);
    the names removed. The proposal becomes individual when nobody is left."""
    require(is_staff_of(actor, proposal.committee_id))
    proposal = _lock(proposal)
    require(proposal.status != ProposalStatus.DRAFT, COSIGN_CLOSED)
    rows = list(
        ProposalCosigner.objects.select_for_update()
        .filter(proposal=proposal, status=CosignStatus.PENDING, due_date__lt=timezone.localdate())
        .select_related("member")
        .order_by("order", "pk")
    )
    require(bool(rows), NOTHING_TO_REMOVE)
    for row in rows:
        assert row.due_date is not None  # the filter above
        note = _("%(name)s未在确认期限（%(due)s）内确认，移出联名") % {
            "name": row.member.name,
            "due": _day(row.due_date),
        }
        _remove(proposal, row, actor=actor, action=ProposalAction.COSIGN_REMOVE, note=str(note))
    _individual_if_alone(proposal, actor, ProposalAction.COSIGN_REMOVE)
    return [row.member.name for row in rows]
