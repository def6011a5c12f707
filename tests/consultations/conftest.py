from __future__ import annotations

import pytest

from consultations.models import Consultation
from proposals.models import Proposal, ProposalCosigner, ProposerKind
from replies.models import Reply
from tests.factories import World, signed_round


@pytest.fixture
def one_member(request) -> None:
    """The world's proposal without its co-signer: a one-member record, for the tests that pin how
    a record of one proposer is signed and laid out (a joint record: test_signers.py)."""
    if "world" not in request.fixturenames:
        return
    world = request.getfixturevalue("world")
    ProposalCosigner.objects.filter(proposal=world.proposal).delete()
    Proposal.objects.filter(pk=world.proposal.pk).update(proposer_kind=ProposerKind.INDIVIDUAL)
    world.proposal.refresh_from_db()


@pytest.fixture
def replied(world: World) -> tuple[Consultation, Reply]:
    """The world's assignment after one full round: record signed by 张三, reply issued."""
    return signed_round(world)
