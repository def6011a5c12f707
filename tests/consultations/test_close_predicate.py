"""The 办结提案 button (issue 21 follow-ups) shows exactly where the closing service accepts:
``closing.close_refusal`` is the one rule of both."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from consultations.selectors import can_close
from consultations.services import closing
from proposals.errors import DomainError
from proposals.models import Proposal, ProposalStatus
from proposals.services.merging import proposals_merge
from replies.models import FollowUp
from tests.factories import draft_reply, issue, make_proposal, make_rating, refused

pytestmark = pytest.mark.django_db

CLOSE_LINK = "办结提案"


@pytest.fixture(autouse=True)
def issue_without_record(world):
    """These tests are about closing: the agency issues without a signed consultation record (a
    committee setting; the record's own rule is tested with the records)."""
    committee = world.meeting.committee
    committee.record_required_before_issue = False
    committee.save(update_fields=["record_required_before_issue"])


class _RolledBack(Exception):
    pass


def service_accepts(user, proposal: Proposal) -> bool:
    """Whether ``proposal_close`` closes it (by decision, with a reason), undone afterwards."""
    try:
        with transaction.atomic():
            closing.proposal_close(proposal=proposal, actor=user, reason="经研究决定办结")
            raise _RolledBack
    except _RolledBack:
        return True
    except DomainError:
        return False


def assignment_page(client, world) -> str:
    return client.get(reverse("consultations:assignment", args=[world.assignment.pk])).content.decode()


def follow_up_open(world) -> None:
    """A B-class answer, issued and rated 满意 by both proposers: its follow-up report is owed."""
    issue(world, draft_reply(world, reply_class="B"))
    make_rating(world.assignment, member=world.proposer, by=world.staff, value="satisfied")
    make_rating(world.assignment, member=world.cosigner, by=world.staff, value="satisfied")
    world.proposal.refresh_from_db()
    assert FollowUp.objects.open().filter(assignment=world.assignment).exists()


def test_no_close_button_while_a_follow_up_report_is_owed(world, login):
    follow_up_open(world)
    assert world.proposal.status == ProposalStatus.REPLIED
    assert closing.close_refusal(world.staff, world.proposal).message == closing.CLOSE_FOLLOW_UP_OPEN
    assert not can_close(world.staff, world.proposal)
    assert not service_accepts(world.staff, world.proposal)
    client = login(world.staff)
    assert CLOSE_LINK not in assignment_page(client, world)
    # The close page says why and offers no form; a forced POST is refused and changes nothing.
    url = reverse("consultations:close", args=[world.proposal.pk])
    page = client.get(url).content.decode()
    assert "跟踪办理待报告" in page and 'name="reason"' not in page
    response = client.post(url, {"reason": "经研究决定办结", "confirm": "1"})
    assert response.status_code == 400 and "跟踪办理待报告" in response.content.decode()
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.REPLIED
    with refused(closing.CLOSE_FOLLOW_UP_OPEN):
        closing.proposal_close(proposal=world.proposal, actor=world.staff, reason="经研究决定办结")


def test_the_button_follows_the_service_once_the_report_is_filed(world, login):
    from replies import followup

    follow_up_open(world)
    followup.followup_file(followup=FollowUp.objects.get(), actor=world.handler_a, text="已解决", new_class="A")
    assert can_close(world.staff, world.proposal) and service_accepts(world.staff, world.proposal)
    assert CLOSE_LINK in assignment_page(login(world.staff), world)


def _draft_only(world):
    draft_reply(world)  # the agency is still drafting, nobody has rated


def _rated(world):
    issue(world, draft_reply(world, reply_class="A"))
    make_rating(world.assignment, member=world.proposer, by=world.staff, value="satisfied")
    make_rating(world.assignment, member=world.cosigner, by=world.staff, value="satisfied")


def _closed(world):
    _rated(world)
    closing.proposal_close(proposal=world.proposal, actor=world.staff)


def _merged(world):
    lead = make_proposal(meeting=world.meeting, created_by=world.staff, title="关于另一件的建议")
    other = make_proposal(meeting=world.meeting, created_by=world.staff, title="关于并入的建议")
    proposals_merge(lead=lead, others=[other], actor=world.staff)
    # A merged proposal in the assigned state would be closed with its lead only.
    Proposal.objects.filter(pk=other.pk).update(status=ProposalStatus.ASSIGNED)
    world.proposal = Proposal.objects.get(pk=other.pk)


@pytest.mark.parametrize(
    ("situation", "who", "expected"),
    [
        (_rated, "staff", True),
        # By decision with a reason: the service accepts it before every answer is in.
        (_draft_only, "staff", True),
        (_rated, "handler_a", False),
        (_rated, "member_user", False),
        (_rated, "admin", False),
        (_closed, "staff", False),
        (_merged, "staff", False),
    ],
)
def test_the_predicate_is_the_services_rule(world, situation, who, expected):
    situation(world)
    world.proposal.refresh_from_db()
    user = getattr(world, who)
    assert can_close(user, world.proposal) is expected
    assert service_accepts(user, world.proposal) is expected
