"""The roles module answers "who is this" for every persona; the assignment states are QuerySet methods."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from proposals import roles
from proposals.models import Agency, Assignment, AssignmentRole, AssignmentStatus
from tests.factories import make_assignment

PREDICATES = {
    "is_staff": ["staff"],
    "is_admin": ["admin"],
    "sees_all_proposals": ["staff", "admin"],
    "is_agency_user": ["handler_a", "leader_a", "handler_b"],
    "is_member": ["member_user", "cosigner_user", "unrelated_user"],
    "is_auditor": ["auditor"],
    "sees_personal_data": ["staff", "admin", "handler_a", "leader_a", "handler_b"],
}
PERSONAS = [
    "staff",
    "admin",
    "auditor",
    "handler_a",
    "leader_a",
    "handler_b",
    "member_user",
    "cosigner_user",
    "unrelated_user",
]


@pytest.mark.parametrize("predicate", sorted(PREDICATES))
def test_each_predicate_holds_for_its_personas_only(world, predicate):
    check = getattr(roles, predicate)
    holds = {name for name in PERSONAS if check(getattr(world, name))}
    assert holds == set(PREDICATES[predicate])
    assert not check(None)
    assert not check(AnonymousUser())


@pytest.mark.parametrize("predicate", sorted(PREDICATES))
def test_a_deactivated_user_is_nobody(world, predicate):
    for name in PREDICATES[predicate]:
        user = getattr(world, name)
        user.is_active = False
        assert not getattr(roles, predicate)(user)


def test_agency_membership_is_per_agency_and_per_role(world):
    a, b = world.agency_a.pk, world.agency_b.pk
    assert roles.is_agency_user_of(world.handler_a, a) and not roles.is_agency_user_of(world.handler_a, b)
    assert roles.is_handler_of(world.handler_a, a) and not roles.is_handler_of(world.leader_a, a)
    assert roles.is_leader_of(world.leader_a, a) and not roles.is_leader_of(world.handler_a, a)
    assert not roles.is_agency_user_of(world.staff, a)
    assert not roles.is_agency_user_of(world.handler_a, None)
    assert roles.is_member_of(world.member_user, world.proposer.pk)
    assert not roles.is_member_of(world.cosigner_user, world.proposer.pk)


def test_navigation_flags_follow_the_predicates(world):
    assert roles.navigation_flags(world.staff)["nav_is_staff"]
    assert roles.navigation_flags(world.leader_a)["nav_is_agency"]
    assert roles.navigation_flags(AnonymousUser())["nav_role"] is None


def test_assignment_states_as_queryset_methods(world):
    today = timezone.localdate()
    agency_c = Agency.objects.create(name="丙市文化和旅游局")
    p = world.proposal
    lead = world.assignment  # accepted lead of agency A
    co = make_assignment(proposal=p, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO)
    gone = make_assignment(
        proposal=p, agency=agency_c, assigned_by=world.staff, role=AssignmentRole.SPLIT, status="returned"
    )
    of_p = Assignment.objects.filter(proposal=p)
    assert set(of_p.live()) == {lead, co}
    assert set(of_p.answering()) == {lead}
    assert set(of_p.returned_waiting()) == {gone}
    assert set(of_p.open()) == {lead, co}
    Assignment.objects.filter(pk=co.pk).update(due_date=today - dt.timedelta(days=1))
    Assignment.objects.filter(pk=lead.pk).update(status=AssignmentStatus.REPLIED, due_date=today - dt.timedelta(days=9))
    assert set(of_p.overdue(today)) == {co}
    co.refresh_from_db()
    lead.refresh_from_db()
    assert co.is_overdue and not lead.is_overdue  # the same rule in Python
