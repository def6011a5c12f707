"""The TA0207 demo reply exactly as in the seed, and the verification page on its issued file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from documents.render import sha256_hex
from proposals import seed
from proposals.models import Assignment, AssignmentStatus, TimelineEvent, User
from replies import rules, services
from replies.forms import VerifyForm
from replies.models import Reply, ReplyVersion
from replies.pdf import reply_pdf_bytes
from tests.documents.pdfutil import pdf_text, squeeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> Reply:
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Pass-12345")
    return Reply.objects.select_related("assignment__proposal", "assignment__agency").get(
        assignment__proposal__number=seed.NUMBER
    )


def stored_bytes(reply: Reply) -> bytes:
    with default_storage.open(reply.pdf.name, "rb") as fh:
        return fh.read()


def test_demo_reply_is_the_seed_letter(demo):
    reply = demo
    assert reply.status == "issued"
    assert reply.reply_class == "A"
    assert reply.title == "关于市政协八届三次会议第 TA0207 号提案的答复"
    assert reply.addressee == "朱国胜委员："
    assert reply.body.split("\n") == seed.REPLY_PARAGRAPHS
    assert reply.closing == seed.REPLY_CLOSING
    assert (reply.leader_name, reply.handler_name, reply.phone) == ("", "杨国强", "13934069668")
    assert reply.reply_date == dt.date(2024, 7, 9)
    assert reply.assignment.agency.name == "晋城市发展和改革委员会"
    data = stored_bytes(reply)
    assert sha256_hex(data) == reply.pdf_sha256
    assert reply_pdf_bytes(reply) == data
    text = squeeze(pdf_text(data))
    for paragraph in seed.REPLY_PARAGRAPHS:
        assert squeeze(paragraph) in text
    assert "草稿" not in text
    assert Assignment.objects.get(pk=reply.assignment_id).status in (AssignmentStatus.REPLIED, AssignmentStatus.DONE)


def test_demo_reply_would_be_refused_by_the_service_for_its_blank_leader(demo):
    # The seed leaves 负责人 blank; the service would not issue such a letter (see replies.demo).
    assert str(rules.LEADER_REQUIRED) in services.issue_problems(demo)


def test_load_demo_twice_keeps_the_same_rows_and_file(demo, settings):
    first = (
        demo.pdf.name,
        demo.pdf_sha256,
        Reply.objects.count(),
        ReplyVersion.objects.count(),
        TimelineEvent.objects.count(),
    )
    call_command("load_demo", password="Demo-Pass-12345")
    again = Reply.objects.get(pk=demo.pk)
    assert (
        again.pdf.name,
        again.pdf_sha256,
        Reply.objects.count(),
        ReplyVersion.objects.count(),
        TimelineEvent.objects.count(),
    ) == first


# --- verification ---------------------------------------------------------------------------


def verify(client, **data):
    return client.post(reverse("replies:verify"), data)


def test_verify_recognises_the_issued_file(demo, client):
    client.force_login(User.objects.get(username="other_member"))
    data = stored_bytes(demo)
    response = verify(client, file=SimpleUploadedFile("答复.pdf", data, content_type="application/pdf"))
    assert response.status_code == 200
    assert response.context["result"] == demo
    html = response.content.decode()
    assert "核验通过" in html
    assert "第 TA0207 号" in html and "晋城市发展和改革委员会" in html
    assert AuditEvent.objects.filter(event="verify", outcome="ok", object_pk=str(demo.pk)).exists()


def test_verify_rejects_a_file_with_one_byte_changed(demo, client):
    client.force_login(User.objects.get(username="other_member"))
    data = bytearray(stored_bytes(demo))
    middle = len(data) // 2
    data[middle] = (data[middle] + 1) % 256
    response = verify(client, file=SimpleUploadedFile("答复.pdf", bytes(data), content_type="application/pdf"))
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "核验未通过" in response.content.decode()
    assert AuditEvent.objects.filter(event="verify", outcome="failed").exists()


def test_verify_by_pasted_sha256(demo, client):
    client.force_login(User.objects.get(username="fgw_handler"))
    response = verify(client, sha256=demo.pdf_sha256.upper())
    assert response.context["result"] == demo
    other = "0" * 64
    assert verify(client, sha256=other).context["result"] is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sha256": "abc"}, VerifyForm.BAD_HASH),
        ({}, VerifyForm.NEED_ONE),
        ({"file": SimpleUploadedFile("x.pdf", b"<html></html>")}, VerifyForm.NOT_PDF),
    ],
)
def test_verify_bad_input(demo, client, data, message):
    client.force_login(User.objects.get(username="other_member"))
    response = verify(client, **data)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert response.context["result"] is None


def test_verify_needs_login(client, db):
    response = client.get(reverse("replies:verify"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
