"""send_reminders: one message per event, whatever the number of runs; failures retried and shown."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationStatus
from oversight.models import DeliveryStatus, NotificationKind, SentNotification
from oversight.reminders import send_reminders
from proposals.models import AssignmentStatus, Role
from tests.factories import make_assignment, make_consultation, make_proposal, make_reply, make_user

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


@pytest.fixture
def due_world(world):
    """Handler A has an e-mail address; agency A holds assignments due at various distances."""
    world.handler_a.email = "handler_a@example.org"
    world.handler_a.save(update_fields=["email"])
    today = timezone.localdate()
    world.assignment.due_date = today + dt.timedelta(days=7)
    world.assignment.save(update_fields=["due_date"])

    def proposal_due(n: int, number: str, status=AssignmentStatus.ACCEPTED):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            status="assigned",
            number=number,
            title=f"提案{number}",
        )
        return make_assignment(
            proposal=p, agency=world.agency_a, assigned_by=world.staff, due=today + dt.timedelta(days=n), status=status
        )

    world.due_tomorrow = proposal_due(1, "TA0002")
    world.overdue = proposal_due(-1, "TA0003")
    world.far = proposal_due(20, "TA0004")
    world.replied_tomorrow = proposal_due(1, "TA0005", status=AssignmentStatus.REPLIED)
    return world


def test_handlers_get_due_7_due_1_and_overdue_once(due_world, run):
    report = run(send_reminders)
    assert report.queued == {
        NotificationKind.DUE_7: 1,
        NotificationKind.DUE_1: 1,
        NotificationKind.OVERDUE: 1,
    }
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"handler_a@example.org"}
    subjects = " ".join(m.subject for m in mail.outbox)
    assert "第 TA0001 号" in subjects and "第 TA0002 号" in subjects and "超过办理时限" in subjects
    assert "TA0004" not in subjects and "TA0005" not in subjects

    again = run(send_reminders)
    assert again.total == 0
    assert len(mail.outbox) == 3
    assert SentNotification.objects.filter(status=DeliveryStatus.SENT).count() == 3


def test_the_command_twice_on_the_same_day_sends_nothing_new(due_world, run):
    out = StringIO()
    run(call_command, "send_reminders", stdout=out)
    assert "共 3 封" in out.getvalue()
    out = StringIO()
    run(call_command, "send_reminders", stdout=out)
    assert "没有新的提醒" in out.getvalue()
    assert len(mail.outbox) == 3


def test_an_extended_deadline_is_a_new_event(due_world, run):
    run(send_reminders)
    a = due_world.overdue
    a.due_date = timezone.localdate() + dt.timedelta(days=5)
    a.save(update_fields=["due_date"])
    report = run(send_reminders)
    assert report.queued == {NotificationKind.DUE_7: 1}


def test_a_missed_day_is_caught_up_next_run(due_world, run):
    """Cron did not run on the day the deadline was 7 days away: 6 days away still reminds."""
    run(send_reminders, today=timezone.localdate() + dt.timedelta(days=1))
    assert any("TA0001" in m.subject for m in mail.outbox)


def test_agency_address_is_used_when_no_handler_has_one(world, run):
    world.agency_b.email = "office@b.example.org"
    world.agency_b.save(update_fields=["email"])
    p = make_proposal(meeting=world.meeting, created_by=world.staff, status="assigned", number="TA0009")
    make_assignment(
        proposal=p, agency=world.agency_b, assigned_by=world.staff, due=timezone.localdate() + dt.timedelta(days=1)
    )
    run(send_reminders)
    assert [m.to for m in mail.outbox] == [["office@b.example.org"]]


def test_staff_digest_once_a_day(due_world, run):
    due_world.staff.email = "staff@example.org"
    due_world.staff.save(update_fields=["email"])
    run(send_reminders)
    digests = [m for m in mail.outbox if m.to == ["staff@example.org"]]
    assert len(digests) == 1
    assert "超期未办结的交办：1" in digests[0].body
    run(send_reminders)
    assert len([m for m in mail.outbox if m.to == ["staff@example.org"]]) == 1
    run(send_reminders, today=timezone.localdate() + dt.timedelta(days=1))
    assert len([m for m in mail.outbox if m.to == ["staff@example.org"]]) == 2


def test_no_digest_when_there_is_nothing_open(world, run):
    world.staff.email = "staff@example.org"
    world.staff.save(update_fields=["email"])
    world.assignment.status = AssignmentStatus.DONE
    world.assignment.save(update_fields=["status"])
    assert run(send_reminders).total == 0


def test_members_hear_of_an_issued_reply_and_a_record_to_sign_once(world, run):
    world.proposer.email = "zhangsan@example.org"
    world.proposer.save(update_fields=["email"])
    world.cosigner_user.email = "lisi@example.org"  # the co-signer's address comes from their account
    world.cosigner_user.save(update_fields=["email"])
    world.assignment.status = AssignmentStatus.REPLIED
    world.assignment.save(update_fields=["status"])
    reply = make_reply(
        world.assignment, by=world.handler_a, issued=timezone.localdate(), cls="A", body="请联系 13800000001"
    )
    make_consultation(
        world.assignment,
        member=world.proposer,
        by=world.handler_a,
        held=timezone.localdate(),
        status=ConsultationStatus.HELD,
    )
    report = run(send_reminders)
    assert report.queued == {NotificationKind.REPLY_ISSUED: 2, NotificationKind.RECORD_TO_SIGN: 1}
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["lisi@example.org", "zhangsan@example.org", "zhangsan@example.org"]
    assert any("已收到答复" in m.subject for m in mail.outbox)
    assert any("面商记录" in m.subject for m in mail.outbox)
    assert run(send_reminders).total == 0
    assert len(mail.outbox) == 3
    assert SentNotification.objects.filter(kind="reply_issued", object_id=reply.pk).count() == 2


def test_no_email_carries_a_phone_number(world, run):
    world.proposer.email = "zhangsan@example.org"
    world.proposer.save(update_fields=["email"])
    world.handler_a.email = "handler_a@example.org"
    world.handler_a.save(update_fields=["email"])
    # A title that quotes a phone: the mail masks it.
    world.proposal.title = "关于热线 13912345678 和 0356-2021234 的建议"
    world.proposal.save(update_fields=["title"])
    world.assignment.due_date = timezone.localdate()
    world.assignment.save(update_fields=["due_date"])
    make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate(), cls="A")
    run(send_reminders)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert not PHONE.search(message.subject + message.body), message.body
        assert "13800000001" not in message.body and "甲单位" not in message.body


def test_sending_is_retried_then_succeeds(due_world, settings, run):
    calls = {"n": 0}
    real = mail.send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP 暂时不可用")
        return real(*args, **kwargs)

    with mock.patch("oversight.services.send_mail", side_effect=flaky):
        run(send_reminders)
    assert len(mail.outbox) == 3
    retried = SentNotification.objects.get(attempts=2)
    assert retried.status == DeliveryStatus.SENT and retried.last_error == ""


def test_a_message_that_keeps_failing_is_shown_to_staff(due_world, login, run):
    with mock.patch("oversight.services.send_mail", side_effect=OSError("连接被拒绝")):
        run(send_reminders)
    failed = SentNotification.objects.filter(status=DeliveryStatus.FAILED)
    assert failed.count() == 3
    assert all(n.attempts == 3 and "连接被拒绝" in n.last_error for n in failed)
    page = login(due_world.staff).get(reverse("oversight:failed_tasks"))
    assert page.status_code == 200
    assert "连接被拒绝" in page.content.decode()
    # Still recorded once: the next run does not queue the same events again.
    assert run(send_reminders).total == 0


def test_failed_tasks_page_is_404_for_non_staff(world, login):
    handler = make_user("h2", Role.HANDLER, agency=world.agency_a)
    assert login(handler).get(reverse("oversight:failed_tasks")).status_code == 404
    assert login(world.member_user).get(reverse("oversight:failed_tasks")).status_code == 404


def test_bad_date_is_refused_and_nothing_is_recorded(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2024-13-40")
    assert SentNotification.objects.count() == 0


def test_member_hears_of_a_record_to_sign_when_it_is_filled_in_not_a_day_later(world, run):
    from tests.factories import record, schedule

    world.proposer.email = "zhangsan@example.org"
    world.proposer.save(update_fields=["email"])
    consultation = run(lambda: record(world, schedule(world)))
    notices = SentNotification.objects.filter(kind=NotificationKind.RECORD_TO_SIGN, object_id=consultation.pk)
    assert list(notices.values_list("recipient", flat=True)) == ["zhangsan@example.org"]
    # The daily run finds it sent and sends nothing more for it.
    assert run(send_reminders).queued.get(NotificationKind.RECORD_TO_SIGN, 0) == 0
    assert notices.count() == 1


def test_members_hear_of_an_issued_reply_at_once(world, run, settings):
    from replies import services as reply_services

    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    world.proposer.email = "zhangsan@example.org"
    world.proposer.save(update_fields=["email"])
    world.cosigner.email = "lisi@example.org"
    world.cosigner.save(update_fields=["email"])
    reply = reply_services.reply_create(assignment=world.assignment, actor=world.handler_a)
    reply = reply_services.reply_save_draft(
        reply=reply,
        actor=world.handler_a,
        expected_version=reply.version,
        data={
            "reply_class": "A",
            "body": "答复正文",
            "leader_name": "负责人",
            "handler_name": "经办人",
            "phone": "13900000009",
        },
    )
    reply = reply_services.reply_submit(reply=reply, actor=world.handler_a)
    run(lambda: reply_services.reply_issue(reply=reply, actor=world.leader_a))
    recipients = set(
        SentNotification.objects.filter(kind=NotificationKind.REPLY_ISSUED, object_id=reply.pk).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"zhangsan@example.org", "lisi@example.org"}
    assert run(send_reminders).queued.get(NotificationKind.REPLY_ISSUED, 0) == 0
