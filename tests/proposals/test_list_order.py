"""The lists' order (latest meeting first, then by number) rests on Proposal.meeting_order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.factories import make_meeting, make_proposal

pytestmark = pytest.mark.django_db


def test_meeting_order_follows_the_meeting_on_create_move_and_correction(world):
    earlier = make_meeting(term=7, session=2, prefix="TB")
    p = make_proposal(meeting=earlier, created_by=world.staff, first_proposer=world.unrelated, title="七届的")
    assert p.meeting_order == earlier.sort_key == 70002
    assert world.proposal.meeting_order == world.meeting.sort_key == 80003

    p.meeting = world.meeting
    p.save(update_fields=["meeting"])
    assert Proposal.objects.get(pk=p.pk).meeting_order == 80003

    p.meeting = earlier
    p.save()
    earlier.session = 4  # an administrator corrects the meeting
    earlier.save()
    assert Proposal.objects.get(pk=p.pk).meeting_order == 70004
    earlier.last_sequence = 9
    earlier.save(update_fields=["last_sequence"])  # numbering does not touch the order
    assert Proposal.objects.get(pk=p.pk).meeting_order == 70004


def test_list_shows_the_latest_meeting_first_then_by_number(world, login):
    older = make_meeting(term=7, session=5, prefix="TC")
    newer = make_meeting(term=9, session=1, prefix="TD")
    make_proposal(
        meeting=older,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="七届五次",
        number="TC0001",
        sequence=1,
    )
    make_proposal(
        meeting=newer,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="九届一次二号",
        number="TD0002",
        sequence=2,
    )
    make_proposal(
        meeting=newer,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="九届一次一号",
        number="TD0001",
        sequence=1,
    )
    page = login(world.staff).get(reverse("proposals:list")).context["page"]
    titles = [p.title for p in page.object_list]
    assert titles[:2] == ["九届一次一号", "九届一次二号"]
    assert titles.index("七届五次") > titles.index(world.proposal.title)  # 八届三次 before 七届五次
