"""Each role's home page shows its work queues (issue 19, item 1): counts, the most urgent first,
days left, one click to where the action is done — and only what the user may open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationStatus
from oversight.queues import handler_queues, leader_pending_count, member_queues, staff_queues
from proposals.models import AssignmentStatus, ProposalStatus
from replies.models import ReplyStatus
from tests.factories import (
    make_assignment,
    make_consultation,
    make_other_committee,
    make_proposal,
    make_reply,
)

pytestmark = pytest.mark.django_db


def by_key(queues):
    return {q.key: q for q in queues}


def test_everyone_with_work_lands_on_their_queues(world, login):
    for user in (world.staff, world.handler_a, world.leader_a, world.member_user):
        response = login(user).get("/")
        assert response.status_code == 302 and response["Location"] == reverse("oversight:home")
        assert login(user).get(reverse("oversight:home")).status_code == 200
    assert login(world.auditor).get("/")["Location"] == reverse("audit:events")
    assert login(world.auditor).get(reverse("oversight:home")).status_code == 404


def test_staff_queues_count_their_committees_work_oldest_first(world):
    first = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="甲")
    second = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="乙")
    first.submitted_at = timezone.now() - dt.timedelta(days=3)
    first.save(update_fields=["submitted_at"])
    second.submitted_at = timezone.now()
    second.save(update_fields=["submitted_at"])
    late = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, status=ProposalStatus.ASSIGNED
    )
    make_assignment(
        proposal=late, agency=world.agency_b, assigned_by=world.staff, due=timezone.localdate() - dt.timedelta(days=4)
    )
    other = make_other_committee()
    make_proposal(meeting=other.meeting, created_by=other.staff, first_proposer=other.member, title="外")
    queues = by_key(staff_queues(world.staff))
    assert queues["review"].count == 2
    assert [i.title.split()[-1] for i in queues["review"].items] == ["甲", "乙"]
    overdue = queues["overdue"]
    assert overdue.count == 1 and overdue.items[0].days_overdue == 4
    assert by_key(staff_queues(other.staff))["review"].count == 1  # the other committee's own


def test_handler_queues_follow_the_work(world):
    queues = by_key(handler_queues(world.handler_a))
    # The world's assignment is accepted with no reply and no record yet.
    assert queues["draft"].count == 1 and queues["schedule"].count == 1
    assert queues["draft"].items[0].url == reverse("replies:assignment", args=[world.assignment.pk])
    reply = make_reply(world.assignment, by=world.handler_a, issued=None)
    make_consultation(
        world.assignment,
        member=world.proposer,
        by=world.handler_a,
        held=timezone.localdate(),
        status=ConsultationStatus.HELD,
    )
    queues = by_key(handler_queues(world.handler_a))
    assert queues["draft"].count == 0 and queues["schedule"].count == 0
    assert queues["submit"].count == 1 and queues["member_sign"].count == 1
    reply.status, reply.leader_comment = ReplyStatus.DRAFT, "请补充数据"
    reply.save(update_fields=["status", "leader_comment"])
    queues = by_key(handler_queues(world.handler_a))
    assert queues["sent_back"].count == 1 and queues["submit"].count == 0
    assert by_key(handler_queues(world.handler_b))["draft"].count == 0  # another agency's


def test_a_leader_sees_the_letters_to_sign_off_first_and_counts_them_in_the_navbar(world, login):
    reply = make_reply(world.assignment, by=world.handler_a, issued=None, body="答复正文第一段。")
    assert leader_pending_count(world.leader_a) == 0
    reply.status = ReplyStatus.SUBMITTED
    reply.save(update_fields=["status"])
    assert leader_pending_count(world.leader_a) == 1
    assert leader_pending_count(world.handler_a) is None
    assert handler_queues(world.leader_a)[0].key == "issue"
    page = login(world.leader_a).get(reverse("oversight:home"))
    html = page.content.decode()
    assert "答复正文第一段。" in html  # the letter is on the page
    assert 'id="nav-pending-issue">1<' in html
    assert 'id="nav-pending-issue"' in login(world.leader_a).get(reverse("proposals:inbox")).content.decode()


def test_member_queues_records_to_sign_and_handling_to_rate(world):
    make_consultation(world.assignment, member=world.proposer, by=world.handler_a, held=timezone.localdate())
    queues = by_key(member_queues(world.member_user))
    assert queues["sign"].count == 1 and queues["rate"].count == 0
    assert queues["mine"].items[0].note  # the stage in words
    make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate())
    world.assignment.status = AssignmentStatus.REPLIED
    world.assignment.save(update_fields=["status"])
    assert by_key(member_queues(world.member_user))["rate"].count == 1
    assert by_key(member_queues(world.cosigner_user))["rate"].count == 1  # co-signers rate too
    assert by_key(member_queues(world.cosigner_user))["sign"].count == 0  # the record is the proposer's
    assert by_key(member_queues(world.unrelated_user))["rate"].count == 0


def test_the_home_page_reads_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.staff)
    client.get(reverse("oversight:home"))
    for i in range(15):
        make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title=f"件{i}")
    with django_assert_max_num_queries(30) as captured:
        client.get(reverse("oversight:home"))
    before = len(captured.captured_queries)
    for i in range(15):
        make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title=f"再{i}")
    with django_assert_max_num_queries(before):
        client.get(reverse("oversight:home"))


def test_a_parent_committees_reader_is_not_given_its_childrens_work(world):
    child = make_other_committee()
    child.committee.parent_id = world.meeting.committee_id
    child.committee.save(update_fields=["parent"])
    theirs = make_proposal(meeting=child.meeting, created_by=child.staff, first_proposer=child.member, title="下级")
    world.staff.oversees_children = True
    world.staff.save(update_fields=["oversees_children"])
    from proposals.selectors import proposals_visible_to

    assert theirs in proposals_visible_to(world.staff)  # read, yes
    assert by_key(staff_queues(world.staff))["review"].count == 0  # but not their work
    assert by_key(staff_queues(child.staff))["review"].count == 1
