"""A leader edits the reply after the member signed the record (issue 19, item 6)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from consultations import services
from consultations.actions import ConsultationAction
from consultations.models import ConsultationStatus
from proposals.errors import DomainError
from replies import services as reply_services
from replies.models import ReplyStatus
from tests.factories import World, complete_data, draft_reply, last_event, record, schedule, sign

pytestmark = pytest.mark.django_db


def _signed_then_edited(world: World):
    """The member signs on version 1; the leader edits the submitted reply to version 2."""
    reply = reply_services.reply_save_draft(
        reply=draft_reply(world), actor=world.handler_a, data=complete_data(), expected_version=1
    )
    consultation = sign(world, record(world, schedule(world)))
    signed_on = consultation.reply_version
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    reply.refresh_from_db()
    edited = reply_services.reply_save_draft(
        reply=reply,
        actor=world.leader_a,
        data=complete_data(body=complete_data()["body"] + "\n负责人补充的一段。"),
        expected_version=reply.version,
    )
    consultation.refresh_from_db()
    return consultation, edited, signed_on


def test_reply_page_says_the_record_was_signed_on_an_earlier_version(world, client):
    consultation, reply, signed_on = _signed_then_edited(world)
    assert reply.version > signed_on
    client.force_login(world.leader_a)
    page = client.get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert f"所据为第 {signed_on} 版答复" in page
    assert f"现为第 {reply.version} 版" in page
    assert reverse("consultations:resign", args=[consultation.pk]) in page
    # Staff see the notice, not the button; the member sees neither.
    client.force_login(world.staff)
    page = client.get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert f"所据为第 {signed_on} 版答复" in page
    assert reverse("consultations:resign", args=[consultation.pk]) not in page


def test_no_notice_while_the_signed_version_is_the_current_one(world, client):
    reply = draft_reply(world)
    sign(world, record(world, schedule(world)))
    client.force_login(world.handler_a)
    page = client.get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert reply.version == 1
    assert "请委员重新签字" not in page


def test_sending_back_asks_first_then_reopens_the_record_on_the_current_version(world, client):
    consultation, reply, signed_on = _signed_then_edited(world)
    client.force_login(world.leader_a)
    url = reverse("consultations:resign", args=[consultation.pk])
    asked = client.post(url)
    assert asked.status_code == 200 and "确认请委员重新签字" in asked.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SIGNED

    client.post(url, {"confirm": "1"})
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.HELD
    assert consultation.reply_version == reply.version
    assert consultation.signed_by is None and not consultation.pdf and not consultation.content_sha256
    event = last_event(world.proposal)
    assert event.action == ConsultationAction.RESIGN and event.actor == world.leader_a
    assert f"第 {signed_on} 版" in event.note and f"第 {reply.version} 版" in event.note
    # The member is asked again and can sign the new version.
    assert world.member_user.notifications.filter(title__contains="重新签字").exists()
    signed = sign(world, consultation)
    assert signed.status == ConsultationStatus.SIGNED and signed.reply_version == reply.version


def test_old_signature_is_superseded_not_a_mismatch_for_verify_records(world, capsys):
    consultation, _, _ = _signed_then_edited(world)
    services.consultation_request_resign(consultation=consultation, actor=world.handler_a)
    consultation.refresh_from_db()
    sign(world, consultation)
    call_command("verify_records")
    out = capsys.readouterr().out
    assert "不一致" not in out and "已不是" not in out


def test_refusals(world):
    reply = draft_reply(world)
    consultation = sign(world, record(world, schedule(world)))
    with pytest.raises(DomainError) as unchanged:
        services.consultation_request_resign(consultation=consultation, actor=world.leader_a)
    assert unchanged.value.message == services.RESIGN_NOT_CHANGED
    with pytest.raises(DomainError) as other_agency:
        services.consultation_request_resign(consultation=consultation, actor=world.handler_b)
    assert other_agency.value.message == services.RESIGN_NOT_ALLOWED
    with pytest.raises(DomainError):
        services.consultation_request_resign(consultation=consultation, actor=world.member_user)
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    reply_services.reply_issue(reply=reply, actor=world.leader_a)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.ISSUED
    with pytest.raises(DomainError) as issued:
        services.consultation_request_resign(consultation=consultation, actor=world.leader_a)
    assert issued.value.message == services.RESIGN_REPLY_ISSUED


def test_get_is_refused_and_outsiders_get_404(world, client):
    consultation, _, _ = _signed_then_edited(world)
    url = reverse("consultations:resign", args=[consultation.pk])
    client.force_login(world.leader_a)
    assert client.get(url).status_code == 405
    client.force_login(world.handler_b)
    assert client.post(url, {"confirm": "1"}).status_code == 404
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SIGNED
