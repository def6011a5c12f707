"""What the co-signer confirmation panel shows a user (the proposal's page and the co-signer's
confirmation page): each co-signer's state (with the scan of a paper confirmation, for those who
read it), and the buttons of the moves this user may make, decided by the predicates of
``proposals.services.cosign`` (the services check them again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .. import roles
from ..choices import AttachmentPurpose, CosignRule, CosignStatus
from ..models import Attachment, Member, Proposal, ProposalCosigner, User
from ..services import cosign
from .visibility import attachment_purposes_for


@dataclass(frozen=True)
class CosignRow:
    row: ProposalCosigner
    member: Member
    pending: bool
    overdue: bool  # pending and past its window
    is_me: bool
    scan: Attachment | None = None  # the paper confirmation's scan, for those who read it (staff)


@dataclass(frozen=True)
class CosignPanel:
    proposal: Proposal
    rule: str
    rule_label: str
    rows: tuple[CosignRow, ...]
    problems: tuple[str, ...]  # why it cannot be registered as joint yet (staff only)
    own_row: ProposalCosigner | None
    can_confirm: bool
    can_decline: bool
    paper_members: tuple[Member, ...]  # pending co-signers staff may record a paper confirmation of
    can_remove: bool
    overdue_names: str

    @property
    def pending_count(self) -> int:
        return sum(1 for r in self.rows if r.pending)


def can_see_cosign(user: User) -> bool:
    """The committee's staff (and administrators) and the proposal's members read the co-signers'
    states; agencies have no part in it. Visibility (``get_proposal_for_user``) comes first."""
    return roles.sees_all_proposals(user) or roles.is_member(user)


def cosign_panel(user: User, proposal: Proposal, today: dt.date | None = None) -> CosignPanel | None:
    """The panel for ``user`` (who may see ``proposal``), or None when there is nothing to show:
    no co-signer was ever asked to confirm (a committee whose rule is "none" sees no change)."""
    if not can_see_cosign(user):
        return None
    today = today or timezone.localdate()
    rows = list(
        ProposalCosigner.objects.filter(proposal=proposal)
        .select_related("member", "confirmed_by", "paper_scan")
        .order_by("order", "pk")
    )
    if not any(r.invited_at is not None or r.status == CosignStatus.PENDING for r in rows):
        return None
    member_id = user.member_id if roles.is_member(user) else None
    own = next((r for r in rows if r.member_id == member_id and r.status == CosignStatus.PENDING), None)
    # The same rule as the download (``get_attachment_for_user``): the link only where it opens.
    reads_scans = AttachmentPurpose.COSIGN_CONFIRMATION in attachment_purposes_for(user)
    shown = tuple(
        CosignRow(
            row=r,
            member=r.member,
            pending=r.status == CosignStatus.PENDING,
            overdue=r.status == CosignStatus.PENDING and r.due_date is not None and r.due_date < today,
            is_me=member_id is not None and r.member_id == member_id,
            scan=r.paper_scan if reads_scans and r.status == CosignStatus.CONFIRMED else None,
        )
        for r in rows
    )
    is_staff = roles.is_staff_of(user, proposal.committee_id)
    pending_members = tuple(r.member for r in shown if r.pending)
    overdue = [r for r in shown if r.overdue]
    rule = cosign.cosign_rule_of(proposal)
    return CosignPanel(
        proposal=proposal,
        rule=rule,
        rule_label=str(CosignRule(rule).label),
        rows=shown,
        problems=tuple(cosign.cosign_rule_met(proposal)) if is_staff else (),
        own_row=own,
        can_confirm=cosign.can_confirm(own, proposal, today),
        can_decline=cosign.can_decline(own, proposal),
        paper_members=pending_members if cosign.can_record_paper(user, proposal) else (),
        can_remove=is_staff and bool(overdue) and cosign.can_remove_unconfirmed(user, proposal, today),
        overdue_names="、".join(r.member.name for r in overdue),
    )
