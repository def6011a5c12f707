from __future__ import annotations

import pytest

from consultations.models import Consultation
from replies.models import Reply
from tests.factories import World, signed_round


@pytest.fixture
def replied(world: World) -> tuple[Consultation, Reply]:
    """The world's assignment after one full round: record signed by 张三, reply issued."""
    return signed_round(world)
