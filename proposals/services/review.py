"""Review: 立案 (with its number) or 不予立案, and the key-proposal flag."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import DomainError
from ..models import DeclineReason, Meeting, Proposal, ProposalAction, ProposalStatus, User
from ..roles import is_staff_of
from ..timeline import timeline_record
from .common import require
from .cosign import require_cosign_rule_met
from .merging import proposal_name, require_no_group, require_not_merged
from .numbering import format_number, next_sequence

NOT_SUBMITTED = _("只有待审查的提案可以立案或不予立案。")
ALREADY_REGISTERED = _("该提案已经立案，不能重复立案。")
ALREADY_DECLINED = _("该提案已不予立案。")
DECLINE_REASON_REQUIRED = _("请选择不予立案理由。")


def _check_reviewable(proposal: Proposal) -> None:
    if proposal.status in (
        ProposalStatus.REGISTERED,
        ProposalStatus.ASSIGNED,
        ProposalStatus.REPLIED,
        ProposalStatus.CLOSED,
    ):
        raise DomainError(ALREADY_REGISTERED, code="already_registered")
    if proposal.status == ProposalStatus.NOT_REGISTERED:
        raise DomainError(ALREADY_DECLINED)
    require(proposal.status == ProposalStatus.SUBMITTED, NOT_SUBMITTED)
    require_not_merged(proposal)  # 并案: registered with its lead


@transaction.atomic
def proposal_register(*, proposal: Proposal, actor: User) -> Proposal:
    """立案: the proposal gets the next number of its meeting, unless it was filed with one.

    The proposal row is locked first (so of two staff registering it at once one wins and the
    other is told), then the meeting row (so two registrations never take the same sequence).
    """
    require(is_staff_of(actor, proposal.committee_id))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_reviewable(proposal)
    require_cosign_rule_met(proposal)
    meeting = Meeting.objects.select_for_update().get(pk=proposal.meeting_id)
    register_numbered(proposal=proposal, meeting=meeting, actor=actor)
    # 并案: the lead's merged proposals waiting for review are registered with it, each numbered.
    for merged in proposal.merged_proposals.select_for_update().filter(status=ProposalStatus.SUBMITTED).order_by("pk"):
        require_cosign_rule_met(merged)
        register_numbered(proposal=merged, meeting=meeting, actor=actor, lead=proposal)
    return proposal


def register_numbered(*, proposal: Proposal, meeting: Meeting, actor: User, lead: Proposal | None = None) -> None:
    """The 立案 itself, on a proposal and its meeting both locked and checked: the number (unless
    filed with one), the state, the timeline event. ``lead``: registered with its 并案 lead."""
    if not proposal.number:
        sequence = next_sequence(meeting)
        meeting.last_sequence = sequence
        meeting.save(update_fields=["last_sequence"])
        proposal.sequence = sequence
        proposal.number = format_number(meeting, sequence)
    proposal.status = ProposalStatus.REGISTERED
    proposal.registered_at = timezone.now()
    proposal.save(update_fields=["status", "number", "sequence", "registered_at"])
    note = str(_("编号 %(number)s") % {"number": proposal.number})
    if lead is not None:
        note += str(_("；随主提案%(lead)s立案") % {"lead": proposal_name(lead)})
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.REGISTER,
        from_state=ProposalStatus.SUBMITTED,
        to_state=ProposalStatus.REGISTERED,
        note=note,
    )


@transaction.atomic
def proposal_decline(
    *,
    proposal: Proposal,
    actor: User,
    reason: DeclineReason | None,
    note: str = "",
    convert_to_opinion: bool = False,
) -> Proposal:
    """不予立案 with a reason from the list; optionally converted into an opinion (转为意见建议)."""
    require(is_staff_of(actor, proposal.committee_id))
    if reason is None or not reason.is_active or reason.committee_id != proposal.committee_id:
        raise DomainError(DECLINE_REASON_REQUIRED)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_reviewable(proposal)
    require_no_group(proposal)
    proposal.status = ProposalStatus.NOT_REGISTERED
    proposal.decline_reason = reason
    proposal.decline_note = note.strip()
    proposal.converted_to_opinion = convert_to_opinion
    proposal.save(update_fields=["status", "decline_reason", "decline_note", "converted_to_opinion"])
    parts = [reason.text]
    if convert_to_opinion:
        parts.append(str(_("转为意见建议")))
    if proposal.decline_note:
        parts.append(proposal.decline_note)
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.DECLINE,
        from_state=ProposalStatus.SUBMITTED,
        to_state=ProposalStatus.NOT_REGISTERED,
        note="；".join(parts),
    )
    return proposal


@transaction.atomic
def proposal_set_key(*, proposal: Proposal, actor: User, is_key: bool, note: str = "") -> Proposal:
    """Staff flag a proposal as key (重点提案) for supervision, with a supervising note."""
    require(is_staff_of(actor, proposal.committee_id))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.NOT_REGISTERED))
    proposal.is_key = is_key
    proposal.key_note = note.strip() if is_key else proposal.key_note
    proposal.save(update_fields=["is_key", "key_note"])
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.KEY_ON if is_key else ProposalAction.KEY_OFF,
        note=proposal.key_note if is_key else "",
    )
    return proposal
