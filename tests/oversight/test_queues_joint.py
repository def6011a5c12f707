"""A member's home queues for joint and merged proposals (issue 21 follow-ups): 待签字的面商记录 lists
every proposer's own line to sign, as the navbar's 待签面商记录 does, and 待测评 lists what the rating
page lets the member rate — the proposers of every proposal of a merged group and confirmed
co-signers, not co-signers still asked to confirm — in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.selectors import awaiting_signature, can_rate
from oversight.queues import member_queues
from proposals.choices import CosignStatus
from proposals.models import AssignmentStatus, Member, ProposalCosigner, ProposalStatus, Role, User
from tests.factories import (
    make_assignment,
    make_proposal,
    make_rating,
    make_reply,
    make_user,
    record,
    schedule,
    sign,
)

pytestmark = pytest.mark.django_db


def queue(user: User, key: str):
    return {q.key: q for q in member_queues(user)}[key]


def member_user(name: str, username: str) -> User:
    member = Member.objects.create(name=name, phone="13800000099")
    return make_user(username, Role.MEMBER, member=member)


def replied(world, assignment) -> None:
    """This round's reply issued and the assignment replied: rating is open."""
    make_reply(assignment, by=world.handler_a, issued=timezone.localdate())
    assignment.status = AssignmentStatus.REPLIED
    assignment.save(update_fields=["status"])
    proposal = assignment.proposal
    proposal.status = ProposalStatus.REPLIED
    proposal.save(update_fields=["status"])


# --- 待签字的面商记录 ----------------------------------------------------------------------------


def test_a_cosigner_finds_the_joint_record_to_sign_in_the_home_queue(world):
    c = record(world, schedule(world))  # 张三's record, with a line for his co-signer 李四
    for user in (world.member_user, world.cosigner_user):
        to_sign = queue(user, "sign")
        assert to_sign.count == 1
        assert [item.url for item in to_sign.items] == [reverse("consultations:sign", args=[c.pk])]
        assert to_sign.count == awaiting_signature(user).count()  # the navbar's list: the same rule
    assert queue(world.unrelated_user, "sign").count == 0


def test_each_proposers_item_leaves_the_queue_once_they_signed(world):
    c = record(world, schedule(world))
    assert queue(world.cosigner_user, "sign").count == 1
    sign(world, c, actor=world.cosigner_user)
    assert queue(world.cosigner_user, "sign").count == 0
    assert queue(world.member_user, "sign").count == 1  # 张三 has still to sign his own line
    sign(world, c, actor=world.member_user)
    assert queue(world.member_user, "sign").count == 0


# --- 待测评 ------------------------------------------------------------------------------------


@pytest.fixture
def group(world):
    """王五's proposal, co-signed by 赵六 (confirmed) and 孙八 (still asked), merged into TA0001;
    on TA0001 李四 is asked to confirm again. TA0001's reply is issued: rating is open."""
    zhao = member_user("赵六", "zhaoliu")
    sun = member_user("孙八", "sunba")
    merged = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.unrelated,
        status=ProposalStatus.REGISTERED,
        title="关于完善冷链物流的建议",
        merged_into=world.proposal,
    )
    ProposalCosigner.objects.create(proposal=merged, member=zhao.member, order=0)
    ProposalCosigner.objects.create(proposal=merged, member=sun.member, order=1, status=CosignStatus.PENDING)
    ProposalCosigner.objects.filter(proposal=world.proposal, member=world.cosigner).update(status=CosignStatus.PENDING)
    replied(world, world.assignment)
    return {
        "王五": world.unrelated_user,
        "赵六": zhao,
        "孙八": sun,
        "张三": world.member_user,
        "李四": world.cosigner_user,
    }


def test_merged_proposals_proposers_find_the_leads_rating_and_pending_cosigners_do_not(world, group):
    url = reverse("consultations:rate", args=[world.assignment.pk])
    expected = {"张三": True, "王五": True, "赵六": True, "孙八": False, "李四": False}
    for name, user in group.items():
        to_rate = queue(user, "rate")
        assert (to_rate.count, [i.url for i in to_rate.items]) == ((1, [url]) if expected[name] else (0, [])), name
        # The queue and the rating page answer the same: one rule (proposals.proposers).
        assert can_rate(user, world.assignment) is expected[name], name


def test_a_confirmed_cosigner_rates_and_a_rating_given_leaves_the_queue(world, group):
    ProposalCosigner.objects.filter(proposal=world.proposal, member=world.cosigner).update(
        status=CosignStatus.CONFIRMED
    )
    assert queue(world.cosigner_user, "rate").count == 1
    make_rating(world.assignment, member=world.cosigner, by=world.cosigner_user, value="satisfied")
    assert queue(world.cosigner_user, "rate").count == 0
    assert queue(group["赵六"], "rate").count == 1  # the others' ratings are still theirs to give


def test_a_proposal_merged_elsewhere_does_not_bring_another_groups_rating(world, group):
    other_lead = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, status=ProposalStatus.ASSIGNED
    )
    other = make_assignment(proposal=other_lead, agency=world.agency_b, assigned_by=world.staff)
    replied(world, other)
    # 赵六 co-signed a proposal of TA0001's group, not of 张三's other proposal.
    assert [i.url for i in queue(group["赵六"], "rate").items] == [
        reverse("consultations:rate", args=[world.assignment.pk])
    ]
    assert queue(world.member_user, "rate").count == 2


def test_the_rate_queue_reads_a_fixed_number_of_queries(world, group, django_assert_max_num_queries):
    def add(n: int, batch: str) -> None:
        for i in range(n):
            lead = make_proposal(
                meeting=world.meeting,
                created_by=world.staff,
                first_proposer=world.proposer,
                status=ProposalStatus.ASSIGNED,
                title=f"{batch}{i}",
            )
            merged = make_proposal(
                meeting=world.meeting,
                created_by=world.staff,
                first_proposer=world.unrelated,
                status=ProposalStatus.REGISTERED,
                merged_into=lead,
            )
            ProposalCosigner.objects.create(proposal=merged, member=group["赵六"].member, order=0)
            replied(world, make_assignment(proposal=lead, agency=world.agency_a, assigned_by=world.staff))

    add(3, "甲")
    with django_assert_max_num_queries(20) as captured:
        first = queue(group["赵六"], "rate")
    before = len(captured.captured_queries)
    assert first.count == 4
    add(8, "乙")
    with django_assert_max_num_queries(before):
        again = queue(group["赵六"], "rate")
    assert again.count == 12 and len(again.items) == 10
