"""并案: staff merge proposals of one meeting into a group led by one of them.

A merged proposal points at its lead (``Proposal.merged_into``); the lead points at none. Each
proposal keeps its number and its proposers; only the lead is assigned, and the lead's answer is
the group's: its assignments, reply, deadlines and consultation. The merged proposals' status
follows the lead's (``follow_lead``, called by every service that moves the lead after
registration). A merge is undone (``proposal_unmerge``) only before the lead is assigned.

Who the group's proposers are is ``proposals.proposers`` (``group_proposals``, ``proposers_of``).
Every step writes a timeline event on each proposal it touches; ``timeline_record`` writes the
audit row with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import DomainError
from ..models import Meeting, Proposal, ProposalAction, ProposalStatus, User
from ..roles import NOT_ALLOWED, is_staff_of
from ..timeline import timeline_record
from .common import require

# Proposals that may be merged, or taken out of a group: reviewed or waiting for review, not assigned.
MERGEABLE_STATES = (ProposalStatus.SUBMITTED, ProposalStatus.REGISTERED)

MERGE_NEEDS_OTHERS = _("请选择要并入的提案。")
MERGE_SELF = _("提案不能并入其自身。")
MERGE_OTHER_MEETING = _("%(name)s不属于主提案所在的会议，只能合并同一次会议的提案。")
MERGE_WRONG_STATE = _("%(name)s：只有待审查或已立案、尚未交办的提案可以并案。")
MERGE_ALREADY_IN_GROUP = _("%(name)s已并入%(lead)s，请先将其移出原并案。")
MERGE_OTHER_IS_LEAD = _("%(name)s是另一并案的主提案，请先撤销该并案。")
# A merged proposal is handled with its lead: it is not registered, declined, assigned or closed alone.
MERGED_WITH_LEAD = _("已并入%(lead)s，随主提案办理。")
LEAD_NOT_DECLINED = _("该提案是并案的主提案，请先撤销并案再作不予立案处理。")
UNMERGE_NOT_IN_GROUP = _("该提案不在并案中。")
UNMERGE_AFTER_ASSIGN = _("主提案已交办，不能撤销并案。")


def proposal_name(proposal: Proposal) -> str:
    """How a step names a proposal in its messages and timeline notes: by its number, or (not yet
    numbered, as every proposal of a group before its lead is registered) by its title in quotes,
    as the group box names it — an id means nothing to the reader.

    A note is kept as written and read by whoever reads that timeline: the group box already shows
    every proposal of a group by title to whoever sees one of them, so naming them so adds nothing
    while they are grouped. A proposal taken out before registration stays named on the lead's
    timeline (and the lead on its), which the other's later agency reads."""
    if proposal.number:
        return str(_("%(number)s提案") % {"number": proposal.display_number})
    if proposal.title:
        return str(_("“%(title)s”") % {"title": proposal.title})
    return str(_("未编号的提案（ID %(id)s）") % {"id": proposal.pk})


def require_not_merged(proposal: Proposal) -> None:
    """Refuse a step a merged proposal does not take alone (立案, 不予立案, 交办, 办结)."""
    lead_id = proposal.merged_into_id
    if lead_id is not None:
        lead = Proposal.objects.select_related("committee").get(pk=lead_id)
        raise DomainError(MERGED_WITH_LEAD % {"lead": proposal_name(lead)}, code="merged")


def require_no_group(proposal: Proposal) -> None:
    """A group's lead is not declined while it leads the group (its members would lose their way)."""
    if Proposal.objects.filter(merged_into_id=proposal.pk).exists():
        raise DomainError(LEAD_NOT_DECLINED, code="merge_lead")


def can_merge(user: User, proposal: Proposal) -> bool:
    """The "并案" button: staff, on a proposal that may lead a group (or already leads one)."""
    return (
        is_staff_of(user, proposal.committee_id)
        and proposal.status in MERGEABLE_STATES
        and proposal.merged_into_id is None
    )


def can_unmerge(user: User, lead: Proposal) -> bool:
    """Undo buttons on the group box (given the group's lead): staff, before the lead is assigned."""
    return is_staff_of(user, lead.committee_id) and lead.status in MERGEABLE_STATES


def _check_mergeable(proposal: Proposal) -> None:
    if proposal.status not in MERGEABLE_STATES:
        raise DomainError(MERGE_WRONG_STATE % {"name": proposal_name(proposal)}, code="merge_state")


def _names(proposals: Iterable[Proposal]) -> str:
    return "、".join(proposal_name(p) for p in proposals)


@transaction.atomic
def proposals_merge(*, lead: Proposal, others: Iterable[Proposal], actor: User) -> list[Proposal]:
    """并案: ``others`` join ``lead``'s group (a lead may take more later). All of one meeting,
    waiting for review or registered, none assigned nor in a group already.

    A proposal waiting for review that joins a registered lead is registered with it (立案, with
    its own number): the lead is past review, and a merged proposal is not reviewed alone.
    Returns the proposals merged, in order."""
    require(is_staff_of(actor, lead.committee_id))
    ids = {p.pk for p in others}
    require(bool(ids), MERGE_NEEDS_OTHERS)
    require(lead.pk not in ids, MERGE_SELF)
    # Every row of the step locked at once, in id order (as similarity_dismiss does).
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update(of=("self",))
        .select_related("committee", "meeting")
        .filter(pk__in=ids | {lead.pk})
        .order_by("pk")
    }
    if len(locked) != len(ids) + 1:
        raise DomainError(NOT_ALLOWED)
    lead = locked.pop(lead.pk)
    _check_mergeable(lead)
    require_not_merged(lead)
    merged = sorted(locked.values(), key=lambda p: (p.sequence or 0, p.pk))
    for proposal in merged:
        if proposal.meeting_id != lead.meeting_id:
            raise DomainError(MERGE_OTHER_MEETING % {"name": proposal_name(proposal)}, code="merge_meeting")
        _check_mergeable(proposal)
        if proposal.merged_into_id is not None:
            current = Proposal.objects.select_related("committee").get(pk=proposal.merged_into_id)
            raise DomainError(
                MERGE_ALREADY_IN_GROUP % {"name": proposal_name(proposal), "lead": proposal_name(current)},
                code="merge_grouped",
            )
    leading = Proposal.objects.filter(merged_into_id__in=ids).values_list("merged_into_id", flat=True).first()
    if leading is not None:
        raise DomainError(MERGE_OTHER_IS_LEAD % {"name": proposal_name(locked[leading])}, code="merge_lead")

    now = timezone.now()
    to_register = [
        p for p in merged if lead.status == ProposalStatus.REGISTERED and p.status == ProposalStatus.SUBMITTED
    ]
    if to_register:
        # review imports this module for its checks: read it when needed.
        from .cosign import require_cosign_rule_met
        from .review import register_numbered

        meeting = Meeting.objects.select_for_update().get(pk=lead.meeting_id)
        for proposal in to_register:
            require_cosign_rule_met(proposal)
            register_numbered(proposal=proposal, meeting=meeting, actor=actor, lead=lead)
    for proposal in merged:
        proposal.merged_into = lead
        proposal.merged_at = now
        proposal.save(update_fields=["merged_into", "merged_at"])
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ProposalAction.MERGE,
            note=_("并入%(lead)s（主提案），随主提案办理") % {"lead": proposal_name(lead)},
        )
    timeline_record(
        proposal=lead,
        actor=actor,
        action=ProposalAction.MERGE,
        note=_("作为主提案，并入：%(names)s") % {"names": _names(merged)},
    )
    return merged


@transaction.atomic
def proposal_unmerge(*, proposal: Proposal, actor: User) -> Proposal:
    """撤销并案: a merged proposal leaves its group; called on the lead, the group is dissolved.
    Only before the lead is assigned. Returns the lead."""
    require(is_staff_of(actor, proposal.committee_id))
    current = Proposal.objects.filter(pk=proposal.pk).values_list("merged_into_id", flat=True).first()
    lead_id = current if current is not None else proposal.pk
    member_ids = (
        [proposal.pk]
        if current is not None
        else list(Proposal.objects.filter(merged_into_id=lead_id).values_list("pk", flat=True))
    )
    require(bool(member_ids), UNMERGE_NOT_IN_GROUP)
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update(of=("self",))
        .select_related("committee")
        .filter(pk__in=[lead_id, *member_ids])
        .order_by("pk")
    }
    lead = locked.pop(lead_id)
    # Re-read under the locks: another step may have moved them in between.
    members = sorted((p for p in locked.values() if p.merged_into_id == lead.pk), key=lambda p: (p.sequence or 0, p.pk))
    require(bool(members), UNMERGE_NOT_IN_GROUP)
    require(lead.status in MERGEABLE_STATES, UNMERGE_AFTER_ASSIGN)
    for member in members:
        member.merged_into = None
        member.merged_at = None
        member.save(update_fields=["merged_into", "merged_at"])
        timeline_record(
            proposal=member,
            actor=actor,
            action=ProposalAction.MERGE_UNDO,
            note=_("移出%(lead)s的并案，单独办理") % {"lead": proposal_name(lead)},
        )
    remaining = Proposal.objects.filter(merged_into=lead).exists()
    timeline_record(
        proposal=lead,
        actor=actor,
        action=ProposalAction.MERGE_UNDO,
        note=(_("移出并案：%(names)s") if remaining else _("撤销并案：%(names)s")) % {"names": _names(members)},
    )
    return lead


def follow_lead(lead: Proposal, actor: User | None) -> None:
    """The merged proposals take the lead's new status (交办 → 已答复 → 已办结, or back to 办理中 for
    re-handling), each with a timeline event. Called inside the service that moved the lead, with
    the lead saved and locked; a proposal in no group costs one query."""
    members = list(
        Proposal.objects.select_for_update(of=("self",))
        .select_related("committee")
        .filter(merged_into_id=lead.pk)
        .exclude(status=lead.status)
        .order_by("sequence", "pk")
    )
    for member in members:
        from_state = member.status
        member.status = lead.status
        fields = ["status"]
        if lead.status == ProposalStatus.CLOSED:
            member.closed_at = lead.closed_at
            fields.append("closed_at")
        member.save(update_fields=fields)
        timeline_record(
            proposal=member,
            actor=actor,
            action=ProposalAction.MERGE_FOLLOW,
            from_state=from_state,
            to_state=lead.status,
            note=_("随主提案%(lead)s：%(state)s")
            % {"lead": proposal_name(lead), "state": ProposalStatus(lead.status).label},
        )
