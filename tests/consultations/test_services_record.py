from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consultations import selectors, services
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus, SignMethod
from proposals.errors import ConflictError, DomainError
from proposals.models import Assignment, AssignmentStatus, TimelineEvent
from proposals.uploads import UPLOAD_TYPE_MISMATCH
from proposals.validators import PHONE_INVALID
from replies import services as reply_services
from replies.models import ReplyStatus
from tests.factories import (
    PASSWORD,
    draft_reply,
    issue,
    pdf_upload,
    png_bytes,
    record,
    schedule,
    sign,
    signature_data_url,
    when,
)

pytestmark = pytest.mark.django_db


def test_handler_schedules_consultation_with_first_proposer(world):
    c = schedule(world)
    assert c.status == ConsultationStatus.SCHEDULED
    assert c.member == world.proposer
    assert (c.round, c.place, c.method, c.host_name, c.host_phone) == (
        1,
        "市政协办公楼",
        "in_person",
        "甲面商人",
        "13900000001",
    )
    assert c.warnings == []
    event = TimelineEvent.objects.get(proposal=world.proposal, action=ConsultationAction.SCHEDULE)
    assert event.actor == world.handler_a and event.assignment == world.assignment


@pytest.mark.parametrize("who", ["handler_b", "leader_a", "staff", "member_user"])
def test_only_the_agencys_handler_may_schedule(world, who):
    with pytest.raises(DomainError) as exc:
        services.consultation_schedule(
            assignment=world.assignment,
            actor=getattr(world, who),
            held_at=when(),
            place="甲",
            method="phone",
            host_name="甲",
            host_phone="13900000001",
        )
    assert exc.value.message == str(services.NOT_HANDLER)
    assert not Consultation.objects.exists()


def test_a_second_consultation_in_one_round_is_refused_and_the_form_and_queue_agree(world):
    """One record a round: the service refuses a second, ``can_schedule`` hides the form and
    ``schedulable`` (the 待安排面商 queue) drops the assignment, all from one rule."""
    assert selectors.can_schedule(world.handler_a, world.assignment)
    assert selectors.schedulable(Assignment.objects.filter(pk=world.assignment.pk)).exists()
    schedule(world)
    world.assignment.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        schedule(world)
    assert exc.value.message == selectors.ROUND_HAS_RECORD
    assert Consultation.objects.filter(assignment=world.assignment).count() == 1
    assert not selectors.can_schedule(world.handler_a, world.assignment)
    assert not selectors.schedulable(Assignment.objects.filter(pk=world.assignment.pk)).exists()


def test_bad_phone_and_method_are_refused_and_nothing_written(world):
    with pytest.raises(DomainError) as exc:
        schedule(world, host_phone="12345")
    assert exc.value.message == str(PHONE_INVALID)
    with pytest.raises(DomainError) as exc:
        schedule(world, method="email")
    assert exc.value.message == str(services.METHOD_INVALID)
    assert not Consultation.objects.exists()


def test_consultation_before_the_assignment_date_is_refused(world):
    world.assignment.assigned_at = timezone.now() - dt.timedelta(days=10)
    world.assignment.save(update_fields=["assigned_at"])
    with pytest.raises(DomainError) as exc:
        schedule(world, held_at=when(-11))
    assigned_on = timezone.localdate(world.assignment.assigned_at)
    assert exc.value.message == str(
        services.HELD_BEFORE_ASSIGNMENT % {"date": f"{assigned_on.year}年{assigned_on.month}月{assigned_on.day}日"}
    )
    assert not Consultation.objects.exists()
    assert not TimelineEvent.objects.filter(action=ConsultationAction.SCHEDULE).exists()


def test_consultation_after_the_reply_was_issued_warns_but_is_kept(world, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    issue(world, draft_reply(world))
    c = schedule(world, held_at=when(3))
    assert len(c.warnings) == 1 and "晚于本轮答复的签发日期" in c.warnings[0]
    assert Consultation.objects.filter(pk=c.pk).exists()
    assert "晚于本轮答复的签发日期" in TimelineEvent.objects.get(action=ConsultationAction.SCHEDULE).note


def test_record_is_prefilled_from_member_proposal_and_reply_draft_and_tied_to_its_version(world):
    reply = draft_reply(world)
    reply = reply_services.reply_save_draft(
        reply=reply, actor=world.handler_a, data={"body": "第二稿要点"}, expected_version=reply.version
    )
    c = record(world, schedule(world))
    assert c.status == ConsultationStatus.HELD
    assert (c.agency_name, c.proposal_number, c.member_name, c.work_unit, c.member_phone) == (
        "甲市发展和改革委员会",
        "TA0001",
        "张三",
        "甲单位",
        "13800000001",
    )
    assert c.main_content == world.proposal.main_content
    assert c.reply_points == "第二稿要点"
    assert c.handling_class == "A"
    assert (c.reply_id, c.reply_version) == (reply.pk, 2)
    # A later change of the member does not change the record: it was copied at that moment.
    world.proposer.phone = "13800000099"
    world.proposer.save(update_fields=["phone"])
    c.refresh_from_db()
    assert c.member_phone == "13800000001"
    assert TimelineEvent.objects.filter(action=ConsultationAction.RECORD, to_state="held").exists()


def test_record_is_editable_until_signed(world):
    c = record(world, schedule(world))
    c = record(world, c, reply_points="修改后的要点", work_unit="某单位")
    c.refresh_from_db()
    assert (c.reply_points, c.work_unit) == ("修改后的要点", "某单位")
    assert TimelineEvent.objects.filter(action=ConsultationAction.EDIT_RECORD).exists()


def test_second_save_from_a_stale_form_is_refused(world):
    c = record(world, schedule(world))
    loaded = c.updated_at
    record(world, c, reply_points="甲的修改")
    with pytest.raises(ConflictError) as exc:
        services.consultation_record(
            consultation=c, actor=world.handler_a, expected_updated_at=loaded, reply_points="乙的修改"
        )
    assert exc.value.message == str(services.RECORD_CONFLICT)
    c.refresh_from_db()
    assert c.reply_points == "甲的修改"


def test_a_save_that_names_no_loaded_version_is_refused(world):
    """Issue 18, finding 15: ``expected_updated_at=None`` skipped the conflict check."""
    c = record(world, schedule(world))
    with pytest.raises(ConflictError) as exc:
        services.consultation_record(
            consultation=c, actor=world.handler_a, expected_updated_at=None, reply_points="乙的修改"
        )
    assert exc.value.message == str(services.RECORD_CONFLICT)
    c.refresh_from_db()
    assert c.reply_points != "乙的修改"
    with pytest.raises(TypeError):
        services.consultation_record(consultation=c, actor=world.handler_a, reply_points="乙的修改")


def test_member_signs_online_with_password_and_the_record_locks(world):
    c = record(world, schedule(world))
    c = sign(world, c, signature_data_url=signature_data_url())
    c.refresh_from_db()
    assert c.status == ConsultationStatus.SIGNED and c.is_locked
    assert (c.sign_method, c.signed_by, c.signed_ip, c.opinion) == (
        SignMethod.ONLINE,
        world.member_user,
        "10.0.0.8",
        "agree",
    )
    assert c.signed_at is not None
    assert c.content_sha256 == services.content_hash(c)
    with c.signature.open("rb") as fh:
        assert fh.read() == png_bytes()
    assert c.signature_sha256 == hashlib.sha256(png_bytes()).hexdigest()
    with c.pdf.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == c.pdf_sha256
    assert TimelineEvent.objects.filter(
        action=ConsultationAction.SIGN_ONLINE, from_state="held", to_state="signed"
    ).exists()


def test_wrong_password_is_refused_and_nothing_written(world):
    c = record(world, schedule(world))
    before = Consultation.objects.filter(pk=c.pk).values().get()
    with pytest.raises(DomainError) as exc:
        sign(world, c, password="wrong-password")
    assert exc.value.message == str(services.WRONG_PASSWORD)
    assert Consultation.objects.filter(pk=c.pk).values().get() == before
    assert not TimelineEvent.objects.filter(action=ConsultationAction.SIGN_ONLINE).exists()


def test_wrong_password_is_audited_and_repeated_failures_lock_signing(world):
    from audit.models import AuditEvent

    c = record(world, schedule(world))
    for _ in range(services.SIGN_MAX_FAILURES):
        with pytest.raises(DomainError):
            sign(world, c, password="wrong-password")
    denied = AuditEvent.objects.filter(user_id=world.member_user.pk, outcome="denied", object_pk=str(c.pk))
    assert denied.count() == services.SIGN_MAX_FAILURES
    with pytest.raises(DomainError) as exc:
        sign(world, c)  # even the right password waits now
    assert exc.value.message == str(services.SIGN_TOO_MANY_ATTEMPTS)
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD


def test_signing_waits_only_for_the_window(world, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    c = record(world, schedule(world))
    for _ in range(services.SIGN_MAX_FAILURES):
        with pytest.raises(DomainError):
            sign(world, c, password="wrong-password")
    later = timezone.now() + dt.timedelta(seconds=services.SIGN_FAILURE_WINDOW + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)
    sign(world, c)  # the failures are older than the window now
    c.refresh_from_db()
    assert c.status == ConsultationStatus.SIGNED


@pytest.mark.parametrize("who", ["staff", "unrelated_user", "handler_a"])  # the co-signer signs too
def test_nobody_but_the_member_can_sign_online(world, who):
    c = record(world, schedule(world))
    with pytest.raises(DomainError) as exc:
        sign(world, c, actor=getattr(world, who), password=PASSWORD)
    assert exc.value.message == str(services.SIGN_ONLY_MEMBER)
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and c.signed_by is None


def test_a_scheduled_record_cannot_be_signed_before_it_is_filled_in(world):
    c = schedule(world)
    with pytest.raises(DomainError) as exc:
        sign(world, c)
    assert exc.value.message == str(services.RECORD_NOT_READY)


@pytest.mark.parametrize(
    "data_url",
    [
        "data:image/jpeg;base64," + signature_data_url()[22:],
        "data:image/png;base64,not-base64!!",
        signature_data_url(b"<svg onload=alert(1)>"),
        signature_data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
    ],
)
def test_bad_signature_image_is_refused(world, data_url):
    c = record(world, schedule(world))
    with pytest.raises(DomainError) as exc:
        sign(world, c, signature_data_url=data_url)
    assert exc.value.message == str(services.SIGNATURE_INVALID)
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and not c.signature


def test_oversized_signature_is_refused(world, settings):
    settings.CONSULTATION_SIGNATURE_MAX_BYTES = 200
    c = record(world, schedule(world))
    with pytest.raises(DomainError) as exc:
        sign(world, c, signature_data_url=signature_data_url(png_bytes((600, 300))))
    assert "签名图片过大" in exc.value.message
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD


def test_signed_record_cannot_be_edited_or_signed_again(world):
    c = sign(world, record(world, schedule(world)))
    with pytest.raises(DomainError) as exc:
        record(world, c, reply_points="事后修改")
    assert exc.value.message == str(services.RECORD_LOCKED)
    with pytest.raises(DomainError) as exc:
        sign(world, c)
    assert exc.value.message == str(services.RECORD_LOCKED)
    with pytest.raises(DomainError) as exc:
        services.consultation_sign_paper(consultation=c, actor=world.staff, scan=pdf_upload(), opinion="agree")
    assert exc.value.message == str(services.RECORD_LOCKED)
    c.refresh_from_db()
    assert c.reply_points != "事后修改"


@pytest.mark.parametrize("who", ["handler_a", "staff"])
@pytest.mark.usefixtures("one_member")
def test_paper_sign_off_keeps_the_scan_and_who_entered_it(world, who):
    c = record(world, schedule(world))
    actor = getattr(world, who)
    c = services.consultation_sign_paper(
        consultation=c, actor=actor, scan=pdf_upload(), opinion="mostly", opinion_text="希望加快进度"
    )
    c.refresh_from_db()
    assert (c.status, c.sign_method, c.entered_by, c.signed_by) == (
        ConsultationStatus.SIGNED,
        SignMethod.PAPER,
        actor,
        None,
    )
    assert (c.opinion, c.opinion_text, c.paper_scan_type) == ("mostly", "希望加快进度", "application/pdf")
    assert c.paper_scan.name.endswith(".pdf")
    with c.paper_scan.open("rb") as fh:
        assert fh.read().startswith(b"%PDF-")
    assert c.content_sha256 == services.content_hash(c)
    assert TimelineEvent.objects.filter(action=ConsultationAction.SIGN_PAPER).exists()


def test_paper_sign_off_refuses_handler_of_other_agency_and_members(world):
    c = record(world, schedule(world))
    for actor in (world.handler_b, world.member_user):
        with pytest.raises(DomainError) as exc:
            services.consultation_sign_paper(consultation=c, actor=actor, scan=pdf_upload(), opinion="agree")
        assert exc.value.message == str(services.PAPER_NOT_ALLOWED)


def test_fake_scan_is_refused(world):
    c = record(world, schedule(world))
    fake = SimpleUploadedFile("scan.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        services.consultation_sign_paper(consultation=c, actor=world.handler_a, scan=fake, opinion="agree")
    assert exc.value.message == str(UPLOAD_TYPE_MISMATCH % {"allowed": ".pdf、.jpg、.jpeg、.png"})
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and not c.paper_scan


def test_oversized_scan_is_refused(world):
    c = record(world, schedule(world))
    big = pdf_upload(size=services.SCAN_MAX_BYTES)
    with pytest.raises(DomainError) as exc:
        services.consultation_sign_paper(consultation=c, actor=world.handler_a, scan=big, opinion="agree")
    assert "文件过大" in exc.value.message and "20 MB" in exc.value.message
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and not c.paper_scan


def test_missing_scan_is_refused(world):
    c = record(world, schedule(world))
    with pytest.raises(DomainError) as exc:
        services.consultation_sign_paper(consultation=c, actor=world.handler_a, scan=None, opinion="agree")
    assert exc.value.message == str(services.SCAN_REQUIRED)


def test_altering_a_signed_record_changes_its_hash_and_verify_records_reports_it(world, capsys, monkeypatch):
    from consultations.management.commands import verify_records

    monkeypatch.setattr(verify_records, "BATCH", 1)  # every batch full: the loop must still end
    c = sign(world, record(world, schedule(world)))
    call_command("verify_records")
    assert "共检查 1 份已签字面商记录，全部与签字时一致" in capsys.readouterr().out
    original = c.content_sha256
    Consultation.objects.filter(pk=c.pk).update(reply_points="被人改过的要点")
    c.refresh_from_db()
    assert services.content_hash(c) != original
    assert not services.record_hash_matches(c)
    with pytest.raises(CommandError, match="1 份内容与签字时不一致"):
        call_command("verify_records")
    out = capsys.readouterr().out
    assert f"面商记录 #{c.pk}" in out and original in out


@pytest.mark.parametrize(
    "field, value",
    [("opinion", "disagree"), ("member_phone", "13800000077"), ("handling_class", "C"), ("place", "别处")],
)
def test_hash_covers_every_content_field(world, field, value):
    c = sign(world, record(world, schedule(world)))
    Consultation.objects.filter(pk=c.pk).update(**{field: value})
    c.refresh_from_db()
    assert not services.record_hash_matches(c)


def test_reply_cannot_be_issued_before_the_consultation_is_signed(world, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = True
    reply = draft_reply(world)
    record(world, schedule(world))
    with pytest.raises(DomainError) as exc:
        issue(world, reply)
    assert exc.value.message == str(services.ISSUE_NEEDS_SIGNED_CONSULTATION)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SUBMITTED
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.ACCEPTED


def test_reply_issues_once_the_consultation_is_signed(world, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = True
    reply = draft_reply(world)
    sign(world, record(world, schedule(world)))
    reply = issue(world, reply)
    assert reply.status == ReplyStatus.ISSUED


def test_rule_can_be_switched_off(world, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    assert issue(world, draft_reply(world)).status == ReplyStatus.ISSUED


def test_the_issue_check_is_registered_with_the_replies_app():
    assert services.require_signed_consultation in reply_services.ISSUE_CHECKS
