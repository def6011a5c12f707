"""The 催办 form on the proposal's page: staff only, POST only, a note, the agency told once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import NotificationKind, SentNotification
from proposals.choices import ProposalAction
from proposals.models import TimelineEvent
from proposals.roles import NOT_ALLOWED

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(world):
    for user, email in ((world.handler_a, "Handler_A@example.org"), (world.leader_a, "leader_a@example.org")):
        user.email = email
        user.save(update_fields=["email"])
    a = world.assignment
    a.due_date = timezone.localdate() - dt.timedelta(days=2)
    a.save(update_fields=["due_date"])
    return a


def url(a) -> str:
    return reverse("proposals:assignment_urge", args=[a.pk])


def urges() -> int:
    return TimelineEvent.objects.filter(action=ProposalAction.URGE).count()


def test_staff_urge_from_the_proposal_page(world, login, overdue, django_capture_on_commit_callbacks):
    client = login(world.staff)
    page = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert f'action="{url(overdue)}"' in page and f'name="urge{overdue.pk}-note"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(overdue), {f"urge{overdue.pk}-note": "请于三日内答复"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("proposals:detail", args=[world.proposal.pk])
    assert "已催办，承办单位的经办人和负责人将收到通知。" in [str(m) for m in response.context["messages"]]
    event = TimelineEvent.objects.get(action=ProposalAction.URGE)
    assert (event.assignment, event.actor, event.note) == (
        overdue,
        world.staff,
        f"{world.agency_a.name}：请于三日内答复",
    )
    assert "催办" in response.content.decode()  # the timeline row, for staff
    sent = SentNotification.objects.filter(kind=NotificationKind.URGE)
    assert sorted(sent.values_list("recipient", flat=True)) == sorted(["handler_a@example.org", "leader_a@example.org"])


def test_get_on_the_urge_url_is_405(world, login, overdue):
    assert login(world.staff).get(url(overdue)).status_code == 405
    assert urges() == 0


@pytest.mark.parametrize("persona", ["handler_b", "unrelated_member"])
def test_outsiders_get_404(world, login, overdue, persona):
    response = login(world.personas()[persona]).post(url(overdue), {f"urge{overdue.pk}-note": "x"})
    assert response.status_code == 404
    assert urges() == 0


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "proposer"])
def test_who_sees_the_assignment_but_is_not_staff_is_refused(world, login, overdue, persona):
    client = login(world.personas()[persona])
    page = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert url(overdue) not in page  # no button where the user may not act
    response = client.post(url(overdue), {f"urge{overdue.pk}-note": "请答复"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [str(NOT_ALLOWED)]
    assert urges() == 0


def test_an_empty_note_shows_the_form_again_and_writes_nothing(world, login, overdue):
    response = login(world.staff).post(url(overdue), {f"urge{overdue.pk}-note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_urge{overdue.pk}-note"' in html and '<details class="mt-1" open><summary>催办' in html
    assert urges() == 0 and not SentNotification.objects.exists()


def test_no_urge_button_while_the_deadline_is_more_than_a_week_away(world, login):
    # the world's assignment is due in 90 days
    page = login(world.staff).get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert url(world.assignment) not in page
