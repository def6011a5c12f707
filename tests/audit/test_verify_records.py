"""verify_records checks the signed records and issued replies against the audit chain
(issue 18, the gaps left by findings 3 and 7).

Before, it only looked at records whose status was "signed": someone with database access could
move a record out of that status, change it, and nothing was reported; and an issued reply's
SHA-256 was checked against nothing. Now the signing row of each record carries the record's keyed
content hash, the issuing row of each reply the PDF's SHA-256, and verify_records walks those rows.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.details import digest_field, read_digest
from audit.log import record_event
from audit.models import AuditEvent
from consultations.models import Consultation, ConsultationStatus
from consultations.services import content_hash
from replies.models import Reply, ReplyStatus
from tests.factories import draft_reply, issue, pdf_upload, record, schedule, sign, sign_others

pytestmark = pytest.mark.django_db


def signing_row(c: Consultation) -> AuditEvent:
    return AuditEvent.objects.get(
        event="transition",
        object_label="consultations.Consultation",
        object_pk=str(c.pk),
        outcome="ok",
        detail__startswith="consultation_sign_",
        detail__regex=r"^consultation_sign_[a-z]+( |$)",  # not a joint record's other lines (":signer")
    )


def issue_row(reply: Reply) -> AuditEvent:
    return AuditEvent.objects.get(
        event="transition", object_label="replies.Reply", object_pk=str(reply.pk), detail__startswith="reply_issue"
    )


def verify(capsys) -> str:
    call_command("verify_records")
    return capsys.readouterr().out


def verify_fails(capsys, match: str) -> str:
    with pytest.raises(CommandError, match=match):
        call_command("verify_records")
    return capsys.readouterr().out


def sign_paper(world, c: Consultation) -> Consultation:
    from consultations.services import consultation_sign_paper

    signed = consultation_sign_paper(
        consultation=c, actor=world.handler_a, scan=pdf_upload("扫描件.pdf"), opinion="agree"
    )
    return sign_others(signed)  # the world's co-signer signs the joint record too


# --- the digest in a detail ------------------------------------------------------------------


@pytest.mark.parametrize("digest", ["13812345678" + "a" * 53, "0" * 64, "03561234567" + "f" * 53, "9" * 64])
def test_a_digest_that_looks_like_a_phone_number_survives_the_audit_masking(digest):
    row = record_event(event="test", detail=f"x {digest_field('sha', digest)}")
    assert read_digest(AuditEvent.objects.get(pk=row.pk).detail, "sha") == digest


def test_read_digest_finds_nothing_in_an_old_detail():
    assert read_digest("consultation_sign_online", "content_sha256") is None
    assert read_digest("reply_issue", "pdf_sha256") is None


# --- signed records --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["online", "paper"])
def test_the_signing_row_carries_the_keyed_content_hash(world, how):
    c = record(world, schedule(world))
    c = sign(world, c) if how == "online" else sign_paper(world, c)
    assert read_digest(signing_row(c).detail, "content_sha256") == c.content_sha256 == content_hash(c)


@pytest.mark.parametrize("how", ["online", "paper"])
def test_a_record_moved_out_of_signed_and_then_changed_is_reported(world, capsys, how):
    c = record(world, schedule(world))
    c = sign(world, c) if how == "online" else sign_paper(world, c)
    assert "全部与签字时一致" in verify(capsys)
    Consultation.objects.filter(pk=c.pk).update(status=ConsultationStatus.HELD, reply_points="被人改过的要点")
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{c.pk}" in out and "已不是已签字状态" in out


def test_a_record_rewritten_with_a_fresh_keyed_hash_is_caught_by_the_chain(world, capsys):
    """Even a forger who had the key cannot change a signed record the chain has seen."""
    c = sign(world, record(world, schedule(world)))
    c.reply_points = "被人改过的要点"
    Consultation.objects.filter(pk=c.pk).update(reply_points=c.reply_points, content_sha256=content_hash(c))
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{c.pk}" in out and "审计链" in out


def test_a_deleted_signed_record_is_reported(world, capsys):
    c = sign(world, record(world, schedule(world)))
    pk = c.pk
    Consultation.objects.filter(pk=pk).delete()
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{pk}" in out and "已不存在" in out


def test_records_signed_before_the_hash_was_recorded_are_reported_once(world, capsys, monkeypatch):
    from consultations.services import signing

    with monkeypatch.context() as m:
        m.setattr(signing, "signing_detail", lambda action, consultation: action)  # as the code before wrote it
        old = [sign(world, record(world, schedule(world)))]
    assert signing_row(old[0]).detail == "consultation_sign_online"
    out = verify(capsys)
    assert out.count("签字于记录哈希写入审计链之前") == 1 and "1 份" in out
    # their status is still checked against the chain
    Consultation.objects.filter(pk=old[0].pk).update(status=ConsultationStatus.HELD)
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{old[0].pk}" in out and "已不是已签字状态" in out


def test_a_signed_records_stored_files_are_checked_against_their_digests(world, capsys):
    c = sign_paper(world, record(world, schedule(world)))
    assert "全部与签字时一致" in verify(capsys)
    with default_storage.open(c.paper_scan.name, "wb") as fh:
        fh.write(b"%PDF-1.4 another scan")
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{c.pk}" in out and "扫描件" in out


def test_a_signed_records_pdf_is_checked_against_its_digest(world, capsys):
    c = sign(world, record(world, schedule(world)))
    with default_storage.open(c.pdf.name, "wb") as fh:
        fh.write(b"%PDF-1.4 another record")
    out = verify_fails(capsys, "不一致")
    assert f"面商记录 #{c.pk}" in out and "PDF" in out


# --- issued replies --------------------------------------------------------------------------


def issued(world) -> Reply:
    sign(world, record(world, schedule(world)))
    return issue(world, draft_reply(world))


def test_the_issue_row_carries_the_pdf_digest(world):
    reply = issued(world)
    with default_storage.open(reply.pdf.name, "rb") as fh:
        on_disk = hashlib.sha256(fh.read()).hexdigest()
    assert read_digest(issue_row(reply).detail, "pdf_sha256") == reply.pdf_sha256 == on_disk


def test_an_issued_replys_changed_pdf_file_is_reported(world, capsys):
    reply = issued(world)
    assert "PDF 全部与签发时一致" in verify(capsys)
    with default_storage.open(reply.pdf.name, "wb") as fh:
        fh.write(b"%PDF-1.4 another letter")
    out = verify_fails(capsys, "不一致")
    assert f"答复 #{reply.pk}" in out


def test_a_changed_pdf_with_its_own_sha256_stored_is_caught_by_the_chain(world, capsys):
    """The plain SHA-256 anyone can compute; the chain row is what the forger cannot rewrite."""
    reply = issued(world)
    forged = b"%PDF-1.4 another letter"
    with default_storage.open(reply.pdf.name, "wb") as fh:
        fh.write(forged)
    Reply.objects.filter(pk=reply.pk).update(pdf_sha256=hashlib.sha256(forged).hexdigest())
    out = verify_fails(capsys, "不一致")
    assert f"答复 #{reply.pk}" in out and "审计链" in out


def test_a_reply_moved_out_of_issued_is_reported(world, capsys):
    reply = issued(world)
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.SUBMITTED)
    out = verify_fails(capsys, "不一致")
    assert f"答复 #{reply.pk}" in out and "已不是已签发状态" in out


def test_replies_issued_before_the_digest_was_recorded_are_reported_once(world, capsys, monkeypatch):
    import replies.services.issuing

    sign(world, record(world, schedule(world)))
    with monkeypatch.context() as m:
        m.setattr(replies.services.issuing, "digest_field", lambda name, digest: "")  # as the code before wrote it
        reply = issue(world, draft_reply(world))
    assert read_digest(issue_row(reply).detail, "pdf_sha256") is None
    out = verify(capsys)
    assert out.count("签发于 PDF 摘要写入审计链之前") == 1
    # the file is still checked against the stored digest
    with default_storage.open(reply.pdf.name, "wb") as fh:
        fh.write(b"%PDF-1.4 another letter")
    verify_fails(capsys, "不一致")


def test_an_issued_reply_without_an_issue_row_is_reported_once(world, capsys):
    """Imported or demonstration data, or a row purged with the audit retention: said, not hidden."""
    from django.core.files.base import ContentFile

    from tests.factories import make_reply

    reply = make_reply(world.assignment, by=world.leader_a, issued=timezone.localdate())
    data = b"%PDF-1.4 an imported letter"
    reply.pdf.save(f"imported-{reply.pk}.pdf", ContentFile(data), save=False)
    Reply.objects.filter(pk=reply.pk).update(pdf=reply.pdf.name, pdf_sha256=hashlib.sha256(data).hexdigest())
    out = verify(capsys)
    assert out.count("审计链中没有签发记录") == 1


def test_an_issued_reply_without_its_pdf_is_reported(world, capsys):
    from tests.factories import make_reply

    reply = make_reply(world.assignment, by=world.leader_a, issued=timezone.localdate())
    out = verify_fails(capsys, "不一致")
    assert f"答复 #{reply.pk}" in out
