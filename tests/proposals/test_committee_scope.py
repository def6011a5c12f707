"""Committee scope seen from the outside (issue 15): an administrator limited to one committee, the
admin's changelists, the replies of another committee, and the public list's committee column.
The permission matrix (tests/test_permission_matrix.py, relation "c") walks every URL; these are
the checks it does not make."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Agency, Meeting, Member, Proposal, ProposalStatus
from replies.selectors import replies_visible_to
from tests.factories import (
    OtherCommittee,
    World,
    make_assignment,
    make_other_committee,
    make_proposal,
    make_reply,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(world) -> OtherCommittee:
    return make_other_committee()


@pytest.fixture
def other_proposal(other) -> Proposal:
    return make_proposal(
        meeting=other.meeting,
        created_by=other.staff,
        first_proposer=other.member,
        status=ProposalStatus.ASSIGNED,
        number="XA0001",
        sequence=1,
        title="关于乙县水利的建议",
    )


def limit(user, committee) -> None:
    user.committee = committee
    user.save(update_fields=["committee"])


# --- An administrator limited to a committee -----------------------------------------------------


def test_administrator_of_the_first_committee_gets_404_on_another_committees_proposal(world, other_proposal, login):
    limit(world.admin, world.meeting.committee)
    client = login(world.admin)
    assert client.get(reverse("proposals:detail", args=[other_proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:detail", args=[world.proposal.pk])).status_code == 200


def test_administrator_of_every_committee_opens_both(world, other_proposal, login):
    assert world.admin.committee_id is None
    client = login(world.admin)
    assert client.get(reverse("proposals:detail", args=[other_proposal.pk])).status_code == 200
    assert client.get(reverse("proposals:detail", args=[world.proposal.pk])).status_code == 200


# --- The admin's changelists ---------------------------------------------------------------------

CHANGELISTS = [
    ("proposals", "proposal", Proposal),
    ("proposals", "meeting", Meeting),
    ("proposals", "agency", Agency),
    ("proposals", "member", Member),
]


def listed(client, app: str, model: str) -> list:
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200, (app, model)
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(("app", "model", "cls"), CHANGELISTS, ids=[m for _, m, _ in CHANGELISTS])
@pytest.mark.parametrize("which", ["first", "other"])
def test_changelist_of_a_committee_limited_administrator_lists_only_its_committee(
    world: World, other, other_proposal, login, app, model, cls, which
):
    committee = world.meeting.committee if which == "first" else other.committee
    limit(world.admin, committee)
    rows = listed(login(world.admin), app, model)
    assert rows, (model, which)  # each committee has rows of every kind here
    assert {row.committee_id for row in rows} == {committee.pk}
    assert len(rows) == cls.objects.filter(committee=committee).count()


@pytest.mark.parametrize(("app", "model", "cls"), CHANGELISTS, ids=[m for _, m, _ in CHANGELISTS])
def test_changelist_of_the_administrator_of_every_committee_lists_both(
    world, other, other_proposal, login, app, model, cls
):
    rows = listed(login(world.admin), app, model)
    assert {row.committee_id for row in rows} == {world.meeting.committee_id, other.committee.pk}


# --- Replies of another committee ----------------------------------------------------------------


def test_staff_and_limited_administrators_do_not_see_another_committees_replies(world, other, other_proposal):
    assignment = make_assignment(proposal=other_proposal, agency=other.agency, assigned_by=other.staff)
    theirs = make_reply(assignment, by=other.handler, issued=None)
    ours = make_reply(world.assignment, by=world.handler_a, issued=None)
    assert set(replies_visible_to(world.staff)) == {ours}
    assert set(replies_visible_to(other.staff)) == {theirs}
    assert set(replies_visible_to(world.admin)) == {ours, theirs}
    limit(world.admin, other.committee)
    assert set(replies_visible_to(world.admin)) == {theirs}


# --- The public list -------------------------------------------------------------------------------


def test_public_reply_list_shows_each_replys_committee_in_its_column(world, other, other_proposal, client):
    today = timezone.localdate()
    theirs = make_reply(
        make_assignment(proposal=other_proposal, agency=other.agency, assigned_by=other.staff),
        by=other.handler,
        issued=today,
    )
    ours = make_reply(world.assignment, by=world.handler_a, issued=today)
    html = client.get(reverse("oversight:public_list")).content.decode()
    header = re.search(r"<thead><tr>(.*?)</tr></thead>", html, re.S).group(1)
    columns = re.findall(r"<th[^>]*>(.*?)</th>", header)
    assert columns[0] == "政协委员会"
    for reply, committee in ((ours, world.meeting.committee), (theirs, other.committee)):
        link = reverse("oversight:public_detail", args=[reply.pk])
        row = re.search(rf'<tr[^>]*>((?:(?!</tr>).)*href="{re.escape(link)}"(?:(?!</tr>).)*)</tr>', html, re.S)
        assert row, link
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        assert cells[0] == committee.display_name
    assert world.meeting.committee.display_name != other.committee.display_name
