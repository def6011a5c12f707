from __future__ import annotations

import threading

import pytest
from django.db import connection

from proposals import services
from proposals.choices import ProposalAction
from proposals.errors import DomainError
from proposals.models import Meeting, Proposal, ProposalStatus
from tests.factories import last_event, make_proposal, refused

pytestmark = pytest.mark.django_db


def test_register_gives_next_number_of_the_meeting(world, submitted):
    services.proposal_register(proposal=submitted, actor=world.staff)
    submitted.refresh_from_db()
    world.meeting.refresh_from_db()
    assert (submitted.status, submitted.number, submitted.sequence) == (ProposalStatus.REGISTERED, "TA0002", 2)
    assert submitted.registered_at is not None and world.meeting.last_sequence == 2
    event = last_event(submitted)
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        ProposalAction.REGISTER,
        "submitted",
        "registered",
        world.staff,
    )
    assert "TA0002" in event.note


def test_register_keeps_a_number_given_at_filing_and_steps_over_taken_numbers(world):
    old = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="旧",
        main_content="x",
        first_proposer=world.proposer,
        number="TA0002",
    )
    # An old record with a number outside the counter's format does not move the counter.
    odd = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="旧二",
        main_content="x",
        first_proposer=world.proposer,
        number="X17",
    )
    # Someone bypassing the services left a number just above the counter.
    Meeting.objects.filter(pk=world.meeting.pk).update(last_sequence=1)
    services.proposal_register(proposal=old, actor=world.staff)
    services.proposal_register(proposal=odd, actor=world.staff)
    new = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer)
    services.proposal_register(proposal=new, actor=world.staff)
    assert [Proposal.objects.get(pk=p.pk).number for p in (old, odd, new)] == ["TA0002", "X17", "TA0003"]


def test_registering_twice_is_refused(world, submitted):
    services.proposal_register(proposal=submitted, actor=world.staff)
    stale = Proposal.objects.get(pk=submitted.pk)
    with refused(services.ALREADY_REGISTERED):
        services.proposal_register(proposal=stale, actor=world.staff)
    world.meeting.refresh_from_db()
    assert world.meeting.last_sequence == 2


@pytest.mark.parametrize("who", ["handler_a", "leader_a", "member_user", "admin", "auditor"])
def test_only_staff_register(world, submitted, who):
    with refused(services.NOT_ALLOWED):
        services.proposal_register(proposal=submitted, actor=getattr(world, who))
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED and submitted.number == ""


def test_a_draft_cannot_be_registered(world):
    draft = make_proposal(meeting=world.meeting, created_by=world.member_user, status=ProposalStatus.DRAFT)
    with refused(services.NOT_SUBMITTED):
        services.proposal_register(proposal=draft, actor=world.staff)


def test_decline_with_reason_and_conversion(world, submitted, decline_reason):
    services.proposal_decline(
        proposal=submitted, actor=world.staff, reason=decline_reason, note="建议细化", convert_to_opinion=True
    )
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.NOT_REGISTERED
    assert (submitted.decline_reason, submitted.decline_note, submitted.converted_to_opinion) == (
        decline_reason,
        "建议细化",
        True,
    )
    event = last_event(submitted)
    assert (event.action, event.to_state) == (ProposalAction.DECLINE, "not_registered")
    assert "转为意见建议" in event.note and decline_reason.text in event.note
    with refused(services.ALREADY_DECLINED):
        services.proposal_register(proposal=submitted, actor=world.staff)


def test_decline_needs_an_active_reason_and_staff(world, submitted, decline_reason):
    with refused(services.DECLINE_REASON_REQUIRED):
        services.proposal_decline(proposal=submitted, actor=world.staff, reason=None)
    decline_reason.is_active = False
    decline_reason.save()
    with refused(services.DECLINE_REASON_REQUIRED):
        services.proposal_decline(proposal=submitted, actor=world.staff, reason=decline_reason)
    with refused(services.NOT_ALLOWED):
        services.proposal_decline(proposal=submitted, actor=world.handler_a, reason=decline_reason)


def test_an_assigned_proposal_cannot_be_declined(world, decline_reason):
    with refused(services.ALREADY_REGISTERED):
        services.proposal_decline(proposal=world.proposal, actor=world.staff, reason=decline_reason)


def test_key_flag_and_supervising_note(world):
    services.proposal_set_key(proposal=world.proposal, actor=world.staff, is_key=True, note="市领导督办")
    world.proposal.refresh_from_db()
    assert world.proposal.is_key and world.proposal.key_note == "市领导督办"
    assert (last_event(world.proposal).action, last_event(world.proposal).note) == (ProposalAction.KEY_ON, "市领导督办")
    services.proposal_set_key(proposal=world.proposal, actor=world.staff, is_key=False)
    world.proposal.refresh_from_db()
    assert not world.proposal.is_key and last_event(world.proposal).action == ProposalAction.KEY_OFF
    with refused(services.NOT_ALLOWED):
        services.proposal_set_key(proposal=world.proposal, actor=world.handler_a, is_key=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_share_a_number_and_one_of_two_clicks_wins():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database is in memory: threads cannot share it; run with DATABASE_URL")
    from tests.factories import make_world

    world = make_world()
    proposals = [
        make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title=f"并发{i}")
        for i in range(8)
    ]
    # Every proposal registered by two staff at the same moment: 16 threads, 8 must fail.
    from tests.factories import Role, make_user

    staff2 = make_user("staff2", Role.STAFF)
    barrier = threading.Barrier(16)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(proposal, actor):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.proposal_register(proposal=proposal, actor=actor)
            result = "ok"
        except DomainError as exc:
            result = exc.message
        finally:
            conn.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=register, args=(p, actor)) for p in proposals for actor in (world.staff, staff2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 8
    assert outcomes.count(str(services.ALREADY_REGISTERED)) == 8
    numbers = sorted(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("number", flat=True))
    assert numbers == [f"TA{n:04d}" for n in range(2, 10)]
    world.meeting.refresh_from_db()
    assert world.meeting.last_sequence == 9
