"""The record form's page model: long texts shrink, then run on to a page with the header; every
paragraph keeps its indent; the signature mark and the verification code (issue 16, item 5)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from consultations import services
from consultations.models import Consultation
from consultations.pdf import PAPER_MARK, TEXT_STEPS, consultation_pdf_bytes
from consultations.services.hashing import VERIFICATION_CODE_LENGTH, verification_code
from documents.formats import chinese_numeral, document_date
from proposals import seed
from proposals.models import Proposal
from tests.factories import pdf_upload, record, schedule, sign, signature_data_url

pytestmark = [
    pytest.mark.django_db,
    # The one-member form, laid out exactly as before joint signing (a joint record: test_signers.py).
    pytest.mark.usefixtures("one_member"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

A4 = (595.28, 841.89)
HEADER = "晋城市政协提案面商记录表（续）提案编号：第TA0001号"
SENTENCES = (
    "积极推进两地优势互补合作双赢。",
    "研究梳理国家鼓励向西开放的优惠政策，采取多种形式引导企业进疆。",
    "加强交流合作，在招商引资、项目落地、基础设施建设等重点领域上下功夫。",
)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paragraph(length: int, marker: str = "", start: int = 0) -> str:
    """A paragraph of exactly ``length`` characters, ending with 。; the filler never says 段."""
    text, i = marker, start
    while len(text) < length:
        text += SENTENCES[i % len(SENTENCES)]
        i += 1
    return text[: length - 1] + "。"


def text_of(total: int, count: int, *, tag: str) -> str:
    """``count`` paragraphs, ``total`` characters in all, each opened by its marker (甲段一：…)."""
    size = total // count
    return "\n".join(paragraph(size, f"{tag}段{chinese_numeral(n + 1)}：", n) for n in range(count))


def pdftotext(data: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext") or "pdftotext"
    # A fixed local tool run on a file this test wrote.
    return subprocess.run([tool, *args, str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603


def page_texts(data: bytes, tmp_path) -> list[str]:
    """pdftotext -layout of each page (pages are separated by form feeds)."""
    return pdftotext(data, tmp_path, "-layout").split("\f")[: len(PdfReader(io.BytesIO(data)).pages)]


def body_text(data: bytes, tmp_path) -> str:
    """The form's text over all its pages, without the running header and the code in the footer."""
    lines = pdftotext(data, tmp_path, "-layout").splitlines()
    return compact("".join(line for line in lines if "（续）" not in line and "核验码" not in line))


@dataclass
class Line:
    page: int
    x: float
    height: float
    text: str


def text_lines(data: bytes, tmp_path) -> list[Line]:
    """Every line of the PDF with its left edge and height (pdftotext -bbox-layout), in reading order."""
    root = ET.fromstring(pdftotext(data, tmp_path, "-bbox-layout"))  # noqa: S314 - poppler's output for our own file
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    lines = []
    for number, page in enumerate(root.iterfind(".//h:page", ns), start=1):
        for line in page.iterfind(".//h:line", ns):
            words = "".join(word.text or "" for word in line.iterfind("h:word", ns))
            height = float(line.get("yMax")) - float(line.get("yMin"))
            lines.append(Line(number, float(line.get("xMin")), height, words))
    return lines


def long_text_lines(data: bytes, tmp_path) -> tuple[list[Line], float, float]:
    """The lines of 主要内容 and 答复要点 over all pages, the cell's left edge, and the texts' size in pt.

    The labels are set at 12 pt, so their line height gives the font's height per point.
    """
    lines = text_lines(data, tmp_path)
    start = next(i for i, line in enumerate(lines) if line.text == "提案主要内容：")
    end = next(i for i, line in enumerate(lines) if line.text.startswith("办理情况"))
    label = lines[start]
    per_pt = label.height / 12
    running = ("（续）", "提案编号：", "核验码：")  # the header and footer of each page, not the form's text
    body = [
        line
        for line in lines[start + 1 : end]
        if line.text != "答复意见要点：" and not any(part in line.text for part in running)
    ]
    size = round(max(line.height for line in body) / per_pt, 2)
    return body, label.x, size


def long_record(world, main: str, reply: str) -> Consultation:
    return sign(world, record(world, schedule(world), main_content=main, reply_points=reply))


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Pass-12345")
    proposal = Proposal.objects.get(number=seed.NUMBER)
    return Consultation.objects.get(assignment__proposal=proposal, round=1)


def stored(consultation: Consultation) -> bytes:
    with consultation.pdf.open("rb") as fh:
        return fh.read()


# --- TA0207 ------------------------------------------------------------------------------------

# The record's text as pdftotext -layout reads it today, before the signing mark and the code.
TA0207_TEXT = compact(
    "晋城市政协提案面商记录表"
    f"承办单位：{seed.AGENCY}"
    f"提案编号：第 {seed.NUMBER} 号"
    f"委员姓名{seed.MEMBER_NAME}工作单位{seed.MEMBER_WORK_UNIT}联系电话{seed.MEMBER_PHONE}"
    f"提案主要内容：{seed.MAIN_CONTENT}"
    f"答复意见要点：{seed.RECORD_REPLY_POINTS}"
    "办理情况（划勾）A类☑B类☐C类☐"
    f"委员意见和要求：{seed.RECORD_OPINION_TEXT}"
    f"签字：{seed.MEMBER_NAME}"
    "{mark}"
    f"面商时间2024年7月9日面商地点{seed.RECORD_PLACE}"
    f"面商人{seed.RECORD_HOST}联系电话{seed.RECORD_HOST_PHONE}"
    "{code}"
)


def test_ta0207_record_keeps_todays_text_and_adds_only_the_sign_mark_and_code(demo, tmp_path):
    data = stored(demo)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    code = verification_code(demo)
    expected = TA0207_TEXT.format(mark="网上签字2024年7月9日09:00", code=f"核验码：{code}")
    assert compact(pdftotext(data, tmp_path, "-layout")) == expected
    # The seed's own size: nothing of TA0207 is shrunk.
    _, _, size = long_text_lines(data, tmp_path)
    assert size == pytest.approx(TEXT_STEPS[0].size_pt, abs=0.2)


def test_verification_code_is_the_start_of_the_keyed_content_hash(demo):
    code = verification_code(demo)
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code)
    assert code.replace("-", "").lower() == demo.content_sha256[:VERIFICATION_CODE_LENGTH]
    assert demo.content_sha256 == services.content_hash(demo)


# --- Long texts --------------------------------------------------------------------------------


def test_600_character_content_and_300_character_reply_points_on_one_page_or_with_the_header(world, tmp_path):
    main, reply = text_of(600, 3, tag="甲"), text_of(300, 2, tag="乙")
    assert (len(main.replace("\n", "")), len(reply.replace("\n", ""))) == (600, 300)
    data = consultation_pdf_bytes(long_record(world, main, reply))
    reader = PdfReader(io.BytesIO(data))
    assert all((round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) == A4 for p in reader.pages)
    pages = page_texts(data, tmp_path)
    assert HEADER not in compact(pages[0])
    for page in pages[1:]:
        assert compact(page).startswith(HEADER)
    flat = body_text(data, tmp_path)
    assert compact(main) in flat and compact(reply) in flat
    # Shrunk within the limits rather than run on: with the default fonts it fits one page.
    _, _, size = long_text_lines(data, tmp_path)
    assert TEXT_STEPS[-1].size_pt - 0.2 <= size < TEXT_STEPS[0].size_pt
    assert len(pages) == 1


def test_texts_past_the_limits_run_on_to_a_page_with_the_header(world, tmp_path):
    main, reply = text_of(2400, 3, tag="甲"), text_of(1200, 2, tag="乙")
    c = long_record(world, main, reply)
    data = consultation_pdf_bytes(c)
    pages = page_texts(data, tmp_path)
    assert len(pages) >= 2
    first = compact(pages[0])
    assert first.startswith("晋城市政协提案面商记录表承办单位：") and "（续）" not in first
    for page in pages[1:]:
        assert compact(page).startswith(HEADER), page[:200]
    # The code of the record in the footer of every page.
    code = verification_code(c)
    assert all(f"核验码：{code}" in compact(page) for page in pages)
    # Nothing is lost at the break, and the signature stays with the opinion on the last page.
    flat = body_text(data, tmp_path)
    assert compact(main) in flat and compact(reply) in flat
    assert "委员意见和要求：同意签字：张三网上签字" in compact(pages[-1])
    # Shrunk to the last step first.
    _, _, size = long_text_lines(data, tmp_path)
    assert size == pytest.approx(TEXT_STEPS[-1].size_pt, abs=0.2)


def test_every_paragraph_keeps_its_first_line_indent_also_across_the_page_break(world, tmp_path):
    main = text_of(2400, 4, tag="甲")
    # Indents typed by hand (full-width spaces) and blank lines do not add to the form's own.
    reply = "\u3000\u3000" + paragraph(300, "乙段一：") + "\n\n  " + paragraph(300, "乙段二：", 1)
    data = consultation_pdf_bytes(long_record(world, main, reply))
    body, left, size = long_text_lines(data, tmp_path)
    starts = [line for line in body if re.match(r"[甲乙]段", line.text)]
    assert [line.text[:3] for line in starts] == ["甲段一", "甲段二", "甲段三", "甲段四", "乙段一", "乙段二"]
    for line in body:
        indent = line.x - left
        if line in starts:
            assert indent == pytest.approx(2 * size, abs=1.5), line.text
        else:
            assert indent == pytest.approx(0, abs=1.5), line.text
    # A paragraph ran on to the next page, and its continuation there is not indented again.
    page_openers = [next(line for line in body if line.page == page) for page in sorted({line.page for line in body})]
    assert any(line not in starts for line in page_openers[1:])


def test_the_signature_keeps_the_end_of_an_opinion_longer_than_a_page(world, tmp_path):
    opinion = text_of(2000, 2, tag="丙")
    c = record(world, schedule(world), main_content=text_of(600, 2, tag="甲"), reply_points=text_of(300, 1, tag="乙"))
    data = stored(sign(world, c, opinion="mostly", opinion_text=opinion))
    pages = [compact(page) for page in page_texts(data, tmp_path)]
    last = next(page for page in pages if "签字：张三" in page)
    before_signature = last.split("签字：张三")[0].removeprefix(HEADER)
    # Not the signature alone on a page: the opinion's last characters come before it.
    assert before_signature.endswith(compact(opinion)[-10:])
    assert compact(opinion) in body_text(data, tmp_path)


# --- How it was signed -------------------------------------------------------------------------


def test_online_signature_without_a_drawing_shows_the_name_and_网上签字_with_the_time(world, tmp_path):
    c = sign(world, record(world, schedule(world)))
    data = stored(c)
    at = timezone.localtime(c.signed_at)
    flat = compact(pdftotext(data, tmp_path, "-layout"))
    assert f"签字：张三网上签字{document_date(at)}{at:%H:%M}" in flat
    assert "纸质签字" not in flat
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0


def test_drawn_signature_is_the_image_with_网上签字_and_the_time(world, tmp_path):
    c = sign(world, record(world, schedule(world)), signature_data_url=signature_data_url())
    data = stored(c)
    at = timezone.localtime(c.signed_at)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    flat = compact(pdftotext(data, tmp_path, "-layout"))
    assert f"签字：网上签字{document_date(at)}{at:%H:%M}" in flat
    assert "张三网上签字" not in flat  # the drawing stands for the name


def test_paper_signature_says_纸质签字_扫描件_and_no_time(world, tmp_path):
    c = services.consultation_sign_paper(
        consultation=record(world, schedule(world)), actor=world.handler_a, scan=pdf_upload(), opinion="agree"
    )
    flat = compact(pdftotext(stored(c), tmp_path, "-layout"))
    assert f"签字：张三{PAPER_MARK}" in flat
    assert "网上签字" not in flat
    assert f"核验码：{verification_code(c)}" in flat


def test_an_unsigned_record_has_no_sign_mark_and_no_code(world, tmp_path):
    c = record(world, schedule(world))
    flat = compact(pdftotext(consultation_pdf_bytes(c), tmp_path, "-layout"))
    assert "签字：面商时间" in flat
    assert "网上签字" not in flat and "纸质签字" not in flat and "核验码" not in flat
