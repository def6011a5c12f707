"""Members file into the open meeting only; staff may type in records of earlier meetings."""

from __future__ import annotations

import pytest

from proposals.forms import MemberProposalForm, StaffProposalForm
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_member_form_offers_only_the_current_meeting(world):
    old = make_meeting(term=8, session=2, prefix="TB")
    world.meeting.is_current = True
    world.meeting.save(update_fields=["is_current"])
    member_choices = set(MemberProposalForm(author=world.proposer, user=world.member_user).fields["meeting"].queryset)
    assert member_choices == {world.meeting}
    assert {world.meeting, old} <= set(StaffProposalForm(user=world.staff).fields["meeting"].queryset)


def test_member_form_refuses_a_past_meeting(world):
    old = make_meeting(term=8, session=2, prefix="TB")
    form = MemberProposalForm(
        data={"meeting": old.pk, "title": "标题", "proposer_kind": "individual", "main_content": "内容"},
        author=world.proposer,
        user=world.member_user,
    )
    assert not form.is_valid()
    assert "meeting" in form.errors
