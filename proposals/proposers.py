"""Who a proposal's proposers are: one home for the rule that the consultation record, the ratings,
the reply's addressee and the notices all read.

A proposal's proposers are its first proposer and its confirmed co-signers (联名人; a co-signer
still asked to confirm is not yet one). A merged group (并案) is answered as one: its proposers are
those of every proposal in it, the lead's first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Coalesce

from .choices import CosignStatus
from .models import Assignment, Member, Proposal, ProposalCosigner


def group_proposals(proposal: Proposal) -> list[Proposal]:
    """The proposals answered together with ``proposal``: the group's lead, then its merged
    proposals by number; a proposal in no group alone."""
    lead = proposal.merged_into if proposal.merged_into_id else proposal
    assert lead is not None
    merged = list(lead.merged_proposals.select_related("first_proposer").order_by("sequence", "pk"))
    return [lead, *merged] if merged or lead.pk != proposal.pk else [proposal]


def cosigner_rows(proposal: Proposal) -> list[ProposalCosigner]:
    """Every co-signer row of ``proposal`` (asked, confirmed), in the order the proposal names them."""
    return list(ProposalCosigner.objects.filter(proposal=proposal).select_related("member").order_by("order", "pk"))


def proposers_of(proposals: Iterable[Proposal]) -> list[Member]:
    """The first proposers and confirmed co-signers of ``proposals``, each once, in order."""
    proposals = list(proposals)
    by_id: dict[int, Member] = {}
    cosigners: dict[int, list[Member]] = {}
    rows = (
        ProposalCosigner.objects.filter(proposal__in=proposals, status=CosignStatus.CONFIRMED)
        .select_related("member")
        .order_by("order", "pk")
    )
    for row in rows:
        cosigners.setdefault(row.proposal_id, []).append(row.member)
    for proposal in proposals:
        if proposal.first_proposer_id and proposal.first_proposer is not None:
            by_id.setdefault(proposal.first_proposer.pk, proposal.first_proposer)
        for member in cosigners.get(proposal.pk, []):
            by_id.setdefault(member.pk, member)
    return list(by_id.values())


def proposal_proposers(proposal: Proposal) -> list[Member]:
    """The proposers of ``proposal`` alone (not of its group)."""
    return proposers_of([proposal])


def assignment_proposers(assignment: Assignment) -> list[Member]:
    """The members an answering assignment answers: the proposers of its proposal's group."""
    return proposers_of(group_proposals(assignment.proposal))


def answered_by(member_id: int) -> Q:
    """The assignments that answer ``member_id``, as a filter of assignments: ``assignment_proposers``
    written in SQL, so that a member's queue (the ratings to give, ``oversight.queues``) is one query
    whatever its length. An assignment is rated by the proposers of its
    proposal's group (并案): the first proposers and *confirmed* co-signers of the group's proposals.

    The groups are found from the member's side: the leads of the proposals they propose, one
    UNION of two index lookups (a member proposes a handful), as ``proposals_visible_to`` does,
    then the groups' proposals (two index lookups)."""
    leads = set(
        Proposal.objects.filter(first_proposer_id=member_id)
        .order_by()
        .values_list(Coalesce("merged_into_id", "pk"), flat=True)
        .union(
            ProposalCosigner.objects.filter(member_id=member_id, status=CosignStatus.CONFIRMED)
            .order_by()
            .values_list(Coalesce("proposal__merged_into_id", "proposal_id"), flat=True)
        )
    )
    # The group's proposals as a list of ids: an OR across the join to proposals was checked row by
    # row (2 s at 1,000,000 proposals on PostgreSQL); one IN (list) is an index lookup a proposal.
    group = Proposal.objects.filter(Q(pk__in=leads, merged_into__isnull=True) | Q(merged_into_id__in=leads))
    return Q(proposal_id__in=list(group.values_list("pk", flat=True)))
