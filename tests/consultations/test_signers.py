"""Every proposer on the consultation record (issue 21, item 2): a five-member joint proposal's
record lists the five, each signs online or on the paper form, the record is 已签字 only after the
fifth, its PDF shows every name with its state, and records of one member verify as before."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from consultations import services
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationSigner, ConsultationStatus, SignMethod
from consultations.pdf import SIGNER_PAPER_MARK, SIGNER_UNSIGNED_MARK, consultation_pdf_bytes
from consultations.selectors import awaiting_signature
from consultations.services.hashing import content_payload, record_hash_matches
from proposals.models import Member, ProposalCosigner, Role, TimelineEvent, User
from replies import services as reply_services
from tests.factories import (
    PASSWORD,
    World,
    complete_data,
    draft_reply,
    last_event,
    make_user,
    pdf_upload,
    record,
    refused,
    schedule,
    sign,
    signature_data_url,
)

pytestmark = pytest.mark.django_db

NAMES = ("张三", "李四", "赵六", "钱七", "孙八")


@dataclass
class Five:
    """The world's proposal with three more confirmed co-signers: five proposers, one user each."""

    users: dict[str, User]  # by name, 张三 first

    def user(self, name: str) -> User:
        return self.users[name]


@pytest.fixture
def five(world: World) -> Five:
    users = {"张三": world.member_user, "李四": world.cosigner_user}
    for order, (name, username) in enumerate((("赵六", "zhaoliu"), ("钱七", "qianqi"), ("孙八", "sunba")), start=1):
        member = Member.objects.create(name=name, phone=f"1380000010{order}", work_unit=f"{name}的单位")
        ProposalCosigner.objects.create(proposal=world.proposal, member=member, order=order)
        users[name] = make_user(username, Role.MEMBER, member=member)
    return Five(users=users)


def sign_as(consultation: Consultation, user: User, **extra) -> Consultation:
    data = {"password": PASSWORD, "opinion": "agree", "opinion_text": "同意"}
    data.update(extra)
    return services.consultation_sign_online(consultation=consultation, actor=user, **data)


def sign_on_paper(consultation: Consultation, actor: User, member: Member, **extra) -> Consultation:
    return services.consultation_sign_paper(
        consultation=consultation,
        actor=actor,
        scan=pdf_upload("纸质记录表.pdf"),
        opinion=extra.get("opinion", "agree"),
        opinion_text=extra.get("opinion_text", ""),
        member_id=member.pk,
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext") or "pdftotext"
    # A fixed local tool run on a file this test wrote.
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603


def state(c: Consultation) -> str:
    c.refresh_from_db()
    return c.status


def test_the_record_lists_the_five_proposers_in_order(world, five):
    c = record(world, schedule(world))
    assert [line.name for line in services.signer_lines(c)] == list(NAMES)
    assert c.member_id == world.proposer.pk  # the record's own member: the first proposer, as before
    rows = list(ConsultationSigner.objects.filter(consultation=c).order_by("order"))
    assert [r.member_name for r in rows] == list(NAMES[1:]) and [r.order for r in rows] == [1, 2, 3, 4]
    assert not any(r.is_signed for r in rows)


def test_five_signatures_online_and_on_paper_and_signed_only_after_the_fifth(world, five, tmp_path):
    reply = draft_reply(world)
    c = record(world, schedule(world))
    members = {line.name: line.member_id for line in services.signer_lines(c)}

    sign_as(c, five.user("张三"), signature_data_url=signature_data_url())
    assert state(c) == ConsultationStatus.HELD
    event = last_event(world.proposal)
    assert event.action == ConsultationAction.SIGN_ONLINE and event.actor == world.member_user
    assert "张三签字" in event.note and "尚有 4 位提案人未签字" in event.note

    sign_as(c, five.user("李四"))
    sign_on_paper(c, world.handler_a, Member.objects.get(pk=members["赵六"]))
    assert last_event(world.proposal).action == ConsultationAction.SIGN_PAPER
    assert "赵六签字" in last_event(world.proposal).note
    sign_on_paper(c, world.staff, Member.objects.get(pk=members["钱七"]), opinion="mostly", opinion_text="希望加快")
    assert state(c) == ConsultationStatus.HELD and not c.content_sha256 and not c.pdf

    # Four of five: the reply cannot be issued yet, the draft PDF says who has not signed.
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    with refused(services.ISSUE_NEEDS_SIGNED_CONSULTATION):
        reply_services.reply_issue(reply=reply, actor=world.leader_a)
    draft = pdf_text(consultation_pdf_bytes(c), tmp_path)
    assert draft.count(SIGNER_UNSIGNED_MARK) == 1 and "核验码" not in draft

    sign_as(c, five.user("孙八"))
    c.refresh_from_db()
    assert c.status == ConsultationStatus.SIGNED and c.is_locked
    assert c.content_sha256 and c.pdf and record_hash_matches(c)
    assert "全部 5 位提案人已签字" in last_event(world.proposal).note
    assert (
        TimelineEvent.objects.filter(
            proposal=world.proposal, action__in=[ConsultationAction.SIGN_ONLINE, ConsultationAction.SIGN_PAPER]
        ).count()
        == 5
    )

    lines = {line.name: line for line in services.signer_lines(c)}
    assert [lines[n].sign_method for n in NAMES] == ["online", "online", "paper", "paper", "online"]
    assert lines["钱七"].opinion == "mostly" and lines["钱七"].entered_by == world.staff
    assert lines["赵六"].paper_scan and lines["赵六"].paper_scan_sha256 and lines["赵六"].signed_by is None
    assert lines["孙八"].signed_by == five.user("孙八")

    # The stored PDF: every name with its state; the drawn signature is an image in it.
    with c.pdf.open("rb") as handle:
        data = handle.read()
    text = pdf_text(data, tmp_path)
    for name in NAMES:
        assert name in text
    assert text.count(SIGNER_PAPER_MARK) == 2 and text.count("网上签字") == 3
    assert SIGNER_UNSIGNED_MARK not in text and "核验码" in text
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert len(page.images) == 1

    issued = reply_services.reply_issue(reply=reply, actor=world.leader_a)
    assert issued.status == "issued"
    call_command("verify_records", stdout=io.StringIO())  # raises CommandError on a mismatch


def test_the_hash_covers_every_proposers_line(world, five):
    c = record(world, schedule(world))
    for name in NAMES:
        sign_as(c, five.user(name))
    c.refresh_from_db()
    assert record_hash_matches(c) and len(content_payload(c)["signers"]) == 4
    ConsultationSigner.objects.filter(consultation=c, member_name="钱七").update(opinion="disagree")
    assert not record_hash_matches(c)


def test_one_member_records_hash_and_verify_as_before(world, one_member):
    c = sign(world, record(world, schedule(world)))
    assert c.status == ConsultationStatus.SIGNED
    assert "signers" not in content_payload(c)  # the payload records signed before joint signing had
    assert services.signer_lines(c)[0].name == "张三" and len(services.signer_lines(c)) == 1
    assert record_hash_matches(c)
    call_command("verify_records", stdout=io.StringIO())


def test_a_record_signed_by_the_first_proposer_alone_before_joint_signing_still_verifies(world):
    c = record(world, schedule(world))
    ConsultationSigner.objects.filter(consultation=c).delete()  # as every record made before
    c = sign(world, c, actor=world.member_user)
    assert c.status == ConsultationStatus.SIGNED
    assert "signers" not in content_payload(c) and record_hash_matches(c)
    out = io.StringIO()
    call_command("verify_records", stdout=out)
    assert "全部与签字时一致" in out.getvalue()


def test_wrong_actors_are_refused(world, five):
    c = record(world, schedule(world))
    zhao = Member.objects.get(name="赵六")
    for outsider in (world.unrelated_user, world.staff, world.handler_a):
        with refused(services.SIGN_ONLY_MEMBER):
            sign_as(c, outsider)
    for not_allowed in (world.handler_b, world.leader_a, five.user("李四"), world.unrelated_user):
        with refused(services.PAPER_NOT_ALLOWED):
            sign_on_paper(c, not_allowed, zhao)
    with refused(services.SIGNER_NOT_ON_RECORD):
        sign_on_paper(c, world.handler_a, world.unrelated)
    sign_as(c, five.user("李四"))
    with refused(services.ALREADY_SIGNED):
        sign_as(c, five.user("李四"))
    with refused(services.SIGNER_ALREADY_SIGNED):
        sign_on_paper(c, world.handler_a, world.cosigner)
    row = ConsultationSigner.objects.get(consultation=c, member=world.cosigner)
    assert row.signed_by == world.cosigner_user and state(c) == ConsultationStatus.HELD


def test_editing_the_record_after_some_signed_clears_their_signatures(world, five):
    c = record(world, schedule(world))
    sign_as(c, five.user("张三"))
    sign_as(c, five.user("李四"))
    c.refresh_from_db()
    edited = services.consultation_record(
        consultation=c, actor=world.handler_a, expected_updated_at=c.updated_at, place="市政协三楼会议室"
    )
    assert any("张三、李四" in warning for warning in edited.warnings)
    assert all(not line.is_signed for line in services.signer_lines(edited))
    row = ConsultationSigner.objects.get(consultation=c, member=world.cosigner)
    assert row.history.filter(sign_method=SignMethod.ONLINE).exists()  # the old signature stays readable


def test_resign_clears_every_proposers_signature(world, five):
    reply = reply_services.reply_save_draft(
        reply=draft_reply(world), actor=world.handler_a, data=complete_data(), expected_version=1
    )
    c = record(world, schedule(world))
    for name in NAMES:
        sign_as(c, five.user(name))
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    reply.refresh_from_db()
    reply_services.reply_save_draft(
        reply=reply,
        actor=world.leader_a,
        data=complete_data(body=complete_data()["body"] + "\n负责人补充的一段。"),
        expected_version=reply.version,
    )
    c.refresh_from_db()
    services.consultation_request_resign(consultation=c, actor=world.handler_a)
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and not c.sign_method and not c.content_sha256
    assert [line.is_signed for line in services.signer_lines(c)] == [False] * 5
    assert set(awaiting_signature(five.user("孙八"))) == {c}
    for name in NAMES:
        sign_as(c, five.user(name))
    c.refresh_from_db()
    assert c.status == ConsultationStatus.SIGNED and record_hash_matches(c)
    services.require_signed_consultation(c.reply)  # the issue's check passes again (raises otherwise)


# --- Pages ----------------------------------------------------------------------------------


def test_each_proposer_signs_on_their_own_sign_page(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:sign", args=[c.pk])
    client = login(five.user("钱七"))
    assert c in awaiting_signature(five.user("钱七"))
    page = client.get(url).content.decode()
    assert 'name="password"' in page and "未签字" in page
    response = client.post(url, {"opinion": "agree", "opinion_text": "", "password": PASSWORD, "signature": ""})
    assert response.status_code == 302
    assert ConsultationSigner.objects.get(consultation=c, member_name="钱七").sign_method == SignMethod.ONLINE
    assert c not in awaiting_signature(five.user("钱七"))
    page = client.get(url).content.decode()
    assert 'name="password"' not in page and "您已签字" in page
    # 张三's own line is still to sign: the page still offers it to him.
    assert 'name="password"' in login(world.member_user).get(url).content.decode()


def test_the_record_page_shows_each_proposers_state_and_buttons_only_where_one_may_act(world, five, login):
    c = record(world, schedule(world))
    sign_as(c, five.user("李四"))
    url = reverse("consultations:assignment", args=[world.assignment.pk])
    sign_url = reverse("consultations:sign", args=[c.pk])
    paper_url = reverse("consultations:paper", args=[c.pk])

    page = login(world.handler_a).get(url).content.decode()
    for name in NAMES:
        assert f"<strong>{name}</strong>" in page
    assert page.count("未签字") >= 4 and "网上签字" in page
    assert paper_url in page and sign_url not in page

    assert sign_url not in login(five.user("李四")).get(url).content.decode()  # signed already
    member_page = login(five.user("孙八")).get(url).content.decode()
    assert sign_url in member_page and paper_url not in member_page

    # The paper page asks whose signature the scan is, among those not signed yet.
    paper = login(world.handler_a).get(paper_url).content.decode()
    assert 'name="member"' in paper
    assert f'value="{world.cosigner.pk}"' not in paper and f'value="{world.proposer.pk}"' in paper
    response = login(world.handler_a).post(
        paper_url,
        {"member": Member.objects.get(name="赵六").pk, "opinion": "agree", "opinion_text": "", "scan": pdf_upload()},
    )
    assert response.status_code == 302
    row = ConsultationSigner.objects.get(consultation=c, member_name="赵六")
    assert row.sign_method == SignMethod.PAPER and row.entered_by == world.handler_a
    scan = login(world.staff).get(reverse("consultations:signer_scan", args=[row.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")
    assert login(world.unrelated_user).get(reverse("consultations:signer_scan", args=[row.pk])).status_code == 404
    assert login(world.handler_b).get(reverse("consultations:signer_scan", args=[row.pk])).status_code == 404


def test_record_form_warns_that_saving_clears_the_signatures_given(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:record", args=[c.pk])
    assert "data-signed-names" not in login(world.handler_a).get(url).content.decode()
    sign_as(c, five.user("赵六"))
    page = login(world.handler_a).get(url).content.decode()
    assert "data-signed-names" in page and "赵六" in page


def test_verify_records_checks_the_other_proposers_files(world, five):
    c = record(world, schedule(world))
    for name in NAMES[:-1]:
        sign_as(c, five.user(name))
    sign_on_paper(c, world.handler_a, Member.objects.get(name="孙八"))
    row = ConsultationSigner.objects.get(consultation=c, member_name="孙八")
    with row.paper_scan.open("wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_records", stdout=out)
    assert "第 5 位提案人的纸质签字扫描件" in out.getvalue()
