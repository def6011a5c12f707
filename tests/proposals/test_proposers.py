"""proposals.proposers: who a proposal's (and a merged group's) proposers are."""

from __future__ import annotations

import pytest
from django.utils import timezone

from proposals.choices import CosignStatus
from proposals.models import Member, ProposalCosigner, ProposerKind
from proposals.proposers import assignment_proposers, group_proposals, proposal_proposers, proposers_of
from tests.factories import make_proposal

pytestmark = pytest.mark.django_db


def test_a_proposal_in_no_group_is_its_own_group(world):
    assert group_proposals(world.proposal) == [world.proposal]


def test_pending_cosigners_are_not_proposers_yet(world):
    pending = Member.objects.create(name="孙八")
    ProposalCosigner.objects.create(proposal=world.proposal, member=pending, order=5, status=CosignStatus.PENDING)
    assert [m.name for m in proposal_proposers(world.proposal)] == ["张三", "李四"]
    ProposalCosigner.objects.filter(member=pending).update(status=CosignStatus.CONFIRMED)
    assert [m.name for m in proposal_proposers(world.proposal)] == ["张三", "李四", "孙八"]


def test_a_group_is_its_lead_then_its_merged_proposals_by_number_with_every_proposer_once(world):
    lead = world.proposal  # 张三 with 李四, TA0001
    zhao = Member.objects.create(name="赵六")
    later = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=zhao,
        number="TA0009",
        sequence=9,
        kind=ProposerKind.JOINT,
        cosigners=(world.proposer,),  # 张三 co-signs it too: named once
        merged_into=lead,
        merged_at=timezone.now(),
    )
    earlier = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.unrelated,
        number="TA0005",
        sequence=5,
        merged_into=lead,
        merged_at=timezone.now(),
    )
    assert group_proposals(lead) == [lead, earlier, later]
    # From any member of the group, the same group.
    assert group_proposals(later) == [lead, earlier, later]
    names = [m.name for m in proposers_of(group_proposals(later))]
    assert names == ["张三", "李四", "王五", "赵六"]
    assert [m.name for m in assignment_proposers(world.assignment)] == names
    # A merged proposal's own proposers stay its own.
    assert [m.name for m in proposal_proposers(later)] == ["赵六", "张三"]
