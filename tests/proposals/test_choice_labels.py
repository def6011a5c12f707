"""The list pages' status and role labels say what get_FOO_display() says, in both languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Proposal, ProposalStatus


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_match_get_display_for_every_choice(language):
    with translation.override(language):
        for status in ProposalStatus.values:
            p = Proposal(status=status)
            assert str(p.status_label) == p.get_status_display()
        for role in AssignmentRole.values:
            for status in AssignmentStatus.values:
                a = Assignment(role=role, status=status)
                assert (str(a.role_label), str(a.status_label)) == (a.get_role_display(), a.get_status_display())


def test_labels_follow_the_language_of_the_request_not_of_the_import():
    p = Proposal(status=ProposalStatus.ASSIGNED)
    with translation.override("zh-hans"):
        chinese = str(p.status_label)
    with translation.override("en"):
        english = str(p.status_label)
    assert chinese == "办理中" and english != chinese and english.isascii()


def test_unknown_value_shows_as_itself_like_get_display():
    p = Proposal(status="archived-by-hand")
    assert p.status_label == p.get_status_display() == "archived-by-hand"
