"""催办: the agency's handlers and leaders get one e-mail per urge; the statistics count the urges."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from oversight.models import NotificationKind, SentNotification
from oversight.reminders import notify_urge, send_reminders
from oversight.stats import meeting_stats
from proposals import services
from proposals.models import Role
from tests.factories import make_user, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_a_mail(world):
    """Handler and leader of agency A have addresses; an inactive handler and agency B's do too."""
    for user, email in ((world.handler_a, "handler_a@example.org"), (world.leader_a, "leader_a@example.org")):
        user.email = email
        user.save(update_fields=["email"])
    make_user("gone_a", Role.HANDLER, agency=world.agency_a, email="gone@example.org", is_active=False)
    world.handler_b.email = "handler_b@example.org"
    world.handler_b.save(update_fields=["email"])
    a = world.assignment
    a.due_date = timezone.localdate() + dt.timedelta(days=3)
    a.save(update_fields=["due_date"])
    return world


def urge(world, run, assignment=None, note="请于三日内答复，联系电话13912345678"):
    return run(services.assignment_urge, assignment=assignment or world.assignment, actor=world.staff, note=note)


def test_each_handler_and_leader_gets_one_mail_with_the_note(agency_a_mail, run):
    urge(agency_a_mail, run)
    assert sorted(m.to[0] for m in mail.outbox) == ["handler_a@example.org", "leader_a@example.org"]
    message = mail.outbox[0]
    assert message.subject == "【提案办理】催办：第 TA0001 号提案"
    assert "请于三日内答复" in message.body and agency_a_mail.proposal.title in message.body
    assert "13912345678" not in message.body  # phones are masked, as in every notice
    assert set(SentNotification.objects.values_list("kind", flat=True)) == {NotificationKind.URGE}


def test_an_urge_is_sent_once_and_a_second_urge_is_a_new_message(agency_a_mail, run):
    event = urge(agency_a_mail, run)
    assert notify_urge(event_id=event.pk).total == 0  # the same urge again: nothing new
    assert len(mail.outbox) == 2
    urge(agency_a_mail, run, note="再次催办")
    assert len(mail.outbox) == 4
    assert SentNotification.objects.filter(kind=NotificationKind.URGE).count() == 4
    # The daily run does not send urges again.
    assert run(send_reminders).queued[NotificationKind.URGE] == 0


def test_an_agency_without_users_with_mail_gets_it_at_its_own_address(world, run):
    world.agency_a.email = "office@a.example.org"
    world.agency_a.save(update_fields=["email"])
    a = world.assignment
    a.due_date = timezone.localdate() - dt.timedelta(days=1)
    a.save(update_fields=["due_date"])
    urge(world, run)
    assert [m.to for m in mail.outbox] == [["office@a.example.org"]]


def test_a_refused_urge_sends_nothing(agency_a_mail, run):
    with refused(services.URGE_NOTE_REQUIRED):
        urge(agency_a_mail, run, note="")
    assert mail.outbox == [] and not SentNotification.objects.exists()


def test_statistics_count_the_urges_per_agency(stats_data, world, run, login):
    a1, a2, a4 = (stats_data.assignments[k] for k in ("a1", "a2", "a4"))
    for assignment in (a1, a1, a2, a4):
        urge(world, run, assignment=assignment, note="请答复")
    # An urge of another meeting's assignment is not this meeting's.
    world.assignment.due_date = timezone.localdate()
    world.assignment.save(update_fields=["due_date"])
    urge(world, run, note="请答复")

    s = meeting_stats(stats_data.meeting, today=stats_data.today)
    rows = {row.agency.pk: row.tally for row in s.agencies}
    assert (rows[stats_data.agency_a.pk].urged, rows[stats_data.agency_b.pk].urged, s.totals.urged) == (2, 2, 4)

    client = login(world.staff)
    html = client.get(reverse("oversight:statistics", args=[stats_data.meeting.pk])).content.decode()
    assert '<th scope="col" class="text-end">催办</th>' in html
    row_a = html.split(f'data-agency="{stats_data.agency_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="text-end">1</td><td class="text-end">2</td>' in row_a  # 答复前面商 1, 催办 2

    wb = load_workbook(
        io.BytesIO(client.get(reverse("oversight:statistics_xlsx", args=[stats_data.meeting.pk])).content)
    )
    card = wb["承办单位"]
    header = [c.value for c in card[4]]
    col = header.index("催办")
    rows_x = {r[0]: r for r in card.iter_rows(min_row=5, values_only=True)}
    assert (rows_x[stats_data.agency_a.name][col], rows_x[stats_data.agency_b.name][col], rows_x["合计"][col]) == (
        2,
        2,
        4,
    )
