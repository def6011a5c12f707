from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from consultations.models import Consultation, ConsultationStatus, Rating, SignMethod
from consultations.pdf import consultation_pdf_bytes
from consultations.services import content_hash
from proposals import seed
from proposals.models import Proposal, User
from tests.factories import record, schedule, sign, signature_data_url

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)
LABELS_IN_ORDER = [
    "晋城市政协提案面商记录表",
    "承办单位：",
    "提案编号：",
    "委员姓名",
    "工作单位",
    "联系电话",
    "提案主要内容：",
    "答复意见要点：",
    "办理情况（划勾）",
    "A类",
    "B类",
    "C类",
    "委员意见和要求：",
    "签字：",
    "面商时间",
    "面商地点",
    "面商人",
    "联系电话",
]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Pass-12345")
    proposal = Proposal.objects.get(number=seed.NUMBER)
    return Consultation.objects.get(assignment__proposal=proposal, round=1)


def ta0207_pdf(record: Consultation) -> bytes:
    with record.pdf.open("rb") as fh:
        return fh.read()


def test_ta0207_record_pdf_is_one_a4_page(demo):
    reader = PdfReader(io.BytesIO(ta0207_pdf(demo)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4


def test_ta0207_record_pdf_holds_every_label_and_value_of_the_seed_in_order(demo):
    text = PdfReader(io.BytesIO(ta0207_pdf(demo))).pages[0].extract_text()
    flat = compact(text)
    position = 0
    for label in LABELS_IN_ORDER:
        found = flat.find(label, position)
        assert found >= 0, f"{label} missing or out of order"
        position = found + len(label)
    for value in [
        "承办单位：晋城市发展和改革委员会",
        "提案编号：第TA0207号",
        "委员姓名朱国胜工作单位联系电话18903561885",
        compact(seed.MAIN_CONTENT),
        compact(seed.RECORD_REPLY_POINTS),
        "委员意见和要求：同意",
        "签字：朱国胜",
        "面商时间2024年7月9日面商地点市政协办公楼",
        "面商人杨国胜联系电话13934069668",
    ]:
        assert value in flat, value
    # Only the opinion as the seed has it: no doubled "同意同意".
    assert "同意同意" not in flat


def test_ta0207_record_pdf_ticks_a_and_not_b_or_c(demo):
    text = PdfReader(io.BytesIO(ta0207_pdf(demo))).pages[0].extract_text()
    assert re.search(r"A类\s*☑", text)
    assert re.search(r"B类\s*☐", text)
    assert re.search(r"C类\s*☐", text)
    assert text.count("☑") == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_ta0207_record_pdf_text_with_pdftotext_and_box_glyphs_are_embedded(demo, tmp_path):
    path = tmp_path / "record.pdf"
    path.write_bytes(ta0207_pdf(demo))
    pdftotext, pdffonts = shutil.which("pdftotext"), shutil.which("pdffonts") or "pdffonts"
    # Fixed local tools run on a file this test wrote.
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603
    assert re.search(r"A类\s*☑\s+B类\s*☐\s+C类\s*☐", text)
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, check=True, text=True).stdout  # noqa: S603
    # The box glyphs come from a real font that has them (no .notdef tofu): DejaVu Sans is embedded.
    assert "DejaVu" in fonts and "Noto-Serif-CJK-SC" in fonts
    # The form's text is 仿宋 (the vendored FandolFang), its title the bold Noto serif (issue 16, item 4).
    assert "FandolFang-Regular" in fonts and "Noto-Serif-CJK-SC-Bold" in fonts


def test_demo_record_is_as_in_the_seed_and_idempotent(demo, settings):
    zhu = User.objects.get(username="zhuguosheng")
    assert demo.status == ConsultationStatus.SIGNED
    assert (demo.sign_method, demo.signed_by, demo.opinion, demo.opinion_text) == (
        SignMethod.ONLINE,
        zhu,
        "agree",
        "同意",
    )
    assert (demo.place, demo.method, demo.host_name, demo.host_phone) == (
        "市政协办公楼",
        "in_person",
        "杨国胜",
        "13934069668",
    )
    assert (demo.handling_class, demo.work_unit, demo.member_phone) == ("A", "", "18903561885")
    assert demo.held_at.date().isoformat() == "2024-07-09"
    assert demo.reply is not None and demo.reply_version == demo.reply.version
    assert demo.content_sha256 == content_hash(demo)
    rating = Rating.objects.get(assignment=demo.assignment, round=1)
    assert (rating.member.name, rating.value) == ("朱国胜", "satisfied")
    counts = (Consultation.objects.count(), Rating.objects.count(), demo.pdf.name, demo.content_sha256)
    call_command("load_demo", password="Demo-Pass-12345")
    again = Consultation.objects.get(pk=demo.pk)
    assert (Consultation.objects.count(), Rating.objects.count(), again.pdf.name, again.content_sha256) == counts
    call_command("verify_records")


def test_export_pdf_consultation_and_reply(demo, tmp_path):
    out = tmp_path / "record.pdf"
    call_command(
        "export_pdf", "consultation", "--session", "8-3", "--number", "TA0207", "--agency", seed.AGENCY, "-o", str(out)
    )
    assert out.read_bytes() == ta0207_pdf(demo)
    letter = tmp_path / "reply.pdf"
    call_command(
        "export_pdf", "reply", "--session", "8-3", "--number", "TA0207", "--agency", seed.AGENCY, "-o", str(letter)
    )
    text = compact(PdfReader(io.BytesIO(letter.read_bytes())).pages[0].extract_text())
    assert "朱国胜委员" in text and "TA0207" in text


@pytest.mark.parametrize(
    "session, number, agency, message",
    [
        ("8-9", "TA0207", seed.AGENCY, "找不到会议"),
        ("8_3", "TA0207", seed.AGENCY, "会议格式不对"),
        ("8-3", "TA9999", seed.AGENCY, "没有编号为 TA9999 的提案"),
        ("8-3", "TA0207", "不存在的局", "没有交办给“不存在的局”"),
    ],
)
def test_export_pdf_says_what_was_not_found(demo, tmp_path, session, number, agency, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_pdf",
            "consultation",
            "--session",
            session,
            "--number",
            number,
            "--agency",
            agency,
            "-o",
            str(tmp_path / "x.pdf"),
        )


@pytest.mark.usefixtures("one_member")
def test_drawn_signature_goes_into_the_pdf_as_an_image(world):
    c = sign(world, record(world, schedule(world)), signature_data_url=signature_data_url())
    page = PdfReader(io.BytesIO(ta0207_pdf(c))).pages[0]
    assert len(page.images) == 1
    assert "签字：" in page.extract_text()


def test_title_follows_the_proposals_committee(world):
    committee = world.proposal.committee
    committee.display_name = "某市政协"
    committee.save(update_fields=["display_name"])
    c = record(world, schedule(world))
    text = compact(PdfReader(io.BytesIO(consultation_pdf_bytes(c))).pages[0].extract_text())
    assert text.startswith("某市政协提案面商记录表")
