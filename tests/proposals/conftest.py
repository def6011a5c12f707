from __future__ import annotations

import pytest

from proposals.models import DeclineReason, ProposalStatus
from tests.factories import make_proposal


@pytest.fixture
def submitted(world):
    """A proposal by 张三 awaiting review (no number yet)."""
    return make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.proposer,
        status=ProposalStatus.SUBMITTED,
        title="关于改善城区停车的建议",
    )


@pytest.fixture
def decline_reason(db):
    return DeclineReason.objects.create(text="内容空泛、没有具体建议")
