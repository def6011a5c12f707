"""The TA0207 reply letter rendered to PDF and read back: page, fonts, text, and where the text sits."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader

from proposals import seed
from proposals.models import Agency, Assignment
from replies.models import Reply, ReplyStatus
from replies.pdf import REPLY_TEMPLATE, render_reply_pdf, reply_context
from tests.documents.pdfutil import pdf_fonts, pdf_lines, pdf_text, squeeze

SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "TA0207-reply-and-record.txt"
A4 = (595.28, 841.89)  # points
TYPE_AREA_BOTTOM_MM = 297 - 35


def seed_letter_body() -> str:
    """The letter's text in the seed file from the first paragraph to the closing, whitespace and all."""
    letter = SEED_FILE.read_text(encoding="utf-8").split("晋城市政协提案面商记录表")[0]
    start = letter.index("朱国胜委员：") + len("朱国胜委员：")
    end = letter.index("负责人")
    return letter[start:end]


def ta0207_reply(**overrides) -> Reply:
    """The seed's letter as an unsaved Reply (rendering needs no database)."""
    agency = Agency(name=seed.AGENCY, committee_id=None)  # no committee default: no database
    fields = {
        "assignment": Assignment(agency=agency),
        "status": ReplyStatus.ISSUED,
        "reply_class": seed.REPLY_CLASS,
        "title": seed.REPLY_TITLE,
        "addressee": seed.REPLY_ADDRESSEE,
        "body": "\n".join(seed.REPLY_PARAGRAPHS),
        "closing": seed.REPLY_CLOSING,
        "leader_name": seed.REPLY_LEADER,
        "handler_name": seed.REPLY_HANDLER,
        "phone": seed.REPLY_PHONE,
        "reply_date": dt.date(*seed.REPLY_DATE),
    }
    fields.update(overrides)
    return Reply(**fields)


@pytest.fixture(scope="module")
def ta0207_pdf() -> bytes:
    return render_reply_pdf(ta0207_reply())


def test_ta0207_is_a4_and_two_pages(ta0207_pdf):
    reader = PdfReader(io.BytesIO(ta0207_pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=0.5)
        assert float(box.height) == pytest.approx(A4[1], abs=0.5)


def test_ta0207_fonts_are_all_embedded(ta0207_pdf):
    fonts = pdf_fonts(ta0207_pdf)
    assert fonts, "the letter uses fonts"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert any("CJK" in f["name"] for f in fonts)


def test_ta0207_text_contains_the_seed_letter_verbatim(ta0207_pdf):
    text = squeeze(pdf_text(ta0207_pdf))
    # The whole body as the seed file has it (its page break inside "四连" included) ...
    assert squeeze(seed_letter_body()) in text
    # ... and every paragraph of the seed constants, each whole.
    for paragraph in [*seed.REPLY_PARAGRAPHS, seed.REPLY_CLOSING]:
        assert squeeze(paragraph) in text
    for expected in [
        seed.REPLY_TITLE,
        "A 类",
        "朱国胜委员：",
        "杨国强",
        "13934069668",
        "2024年7月9日",
        "负责人：",
        "承办人：杨国强",
        "联系电话：13934069668",
        seed.AGENCY,
    ]:
        assert squeeze(expected) in text, expected
    assert "A 类" in pdf_text(ta0207_pdf, first=1, last=1)


def test_ta0207_letterhead_class_mark_and_title_on_the_first_page(ta0207_pdf):
    lines = [line for line in pdf_lines(ta0207_pdf) if line.page == 1]
    assert lines[0].text == seed.AGENCY
    head = lines[0]
    # Centred on the page (105 mm), near the top: its em box starts at 30 mm, the font's ascent a
    # little above that.
    assert (head.x_min + head.x_max) / 2 == pytest.approx(105, abs=2)
    assert 27 <= head.y_min <= 31
    mark = next(line for line in lines if line.text.replace(" ", "") == "A类")
    assert mark.x_max == pytest.approx(210 - 26, abs=1.5)
    assert mark.y_min < lines[2].y_min  # above the title
    title_lines = [line for line in lines if "关于市政协" in line.text or "提案的答复" in line.text]
    assert [squeeze(t.text) for t in title_lines] == ["关于市政协八届三次会议", "第TA0207号提案的答复"]
    for t in title_lines:
        assert (t.x_min + t.x_max) / 2 == pytest.approx(106, abs=2)  # centred in the type area


def test_ta0207_text_block_sits_on_the_type_area_after_the_first_page(ta0207_pdf):
    body = [line for line in pdf_lines(ta0207_pdf) if line.page >= 2 and line.y_min < TYPE_AREA_BOTTOM_MM]
    assert body
    assert min(line.x_min for line in body) == pytest.approx(28, abs=1)
    assert min(line.y_min for line in body) == pytest.approx(37, abs=1)
    # Nothing runs past the right margin (26 mm).
    assert max(line.x_max for line in body) <= 210 - 26 + 0.5


def test_ta0207_body_lines_take_about_28_characters(ta0207_pdf):
    lines = [line for line in pdf_lines(ta0207_pdf) if line.page == 2 and line.y_min < TYPE_AREA_BOTTOM_MM]
    widest = max(len(squeeze(line.text)) for line in lines if not any(c.isdigit() for c in line.text))
    assert 27 <= widest <= 28
    # The line pitch is 225 mm / 22 ≈ 10.2 mm (28.9 pt).
    pitches = [b.y_min - a.y_min for a, b in itertools.pairwise(lines) if 9 < b.y_min - a.y_min < 11]
    assert pitches
    assert sum(pitches) / len(pitches) == pytest.approx(10.2, abs=0.15)


def test_page_numbers_from_page_two_only(ta0207_pdf):
    lines = pdf_lines(ta0207_pdf)
    footers = [line for line in lines if line.y_min > TYPE_AREA_BOTTOM_MM]
    assert [line.page for line in footers] == [2]
    number = footers[0]
    assert squeeze(number.text) == "—2—"
    # An even page: one character in from the left edge of the type area (28 mm), 7 mm below it.
    assert 28 < number.x_min < 36
    assert number.y_min == pytest.approx(TYPE_AREA_BOTTOM_MM + 7, abs=1.5)


def test_odd_pages_number_on_the_right():
    long_body = "\n".join(seed.REPLY_PARAGRAPHS * 3)
    data = render_reply_pdf(ta0207_reply(body=long_body))
    footers = [line for line in pdf_lines(data) if line.y_min > TYPE_AREA_BOTTOM_MM]
    pages = {line.page: line for line in footers}
    assert 1 not in pages
    assert squeeze(pages[3].text) == "—3—"
    assert pages[3].x_max > 170  # right-hand side
    assert pages[2].x_max < 60  # left-hand side


def test_copy_to_sits_at_the_bottom_of_the_last_page():
    data = render_reply_pdf(ta0207_reply(copy_to="市人民政府办公室"))
    lines = pdf_lines(data)
    last_page = max(line.page for line in lines)
    copy_to = next(line for line in lines if "抄送" in line.text)
    assert copy_to.page == last_page
    assert squeeze(copy_to.text) == "抄送：市人民政府办公室。"
    assert copy_to.y_max == pytest.approx(TYPE_AREA_BOTTOM_MM, abs=6)


def test_markup_in_the_body_is_printed_as_text():
    body = '<b>加粗</b> & <script>alert("x")</script> <img src="file:///etc/passwd">'
    data = render_reply_pdf(ta0207_reply(body=body, title="<i>标题</i>"))
    text = pdf_text(data)
    assert "<b>加粗</b>" in text
    assert '<script>alert("x")</script>' in text
    assert "<i>标题</i>" in squeeze(text)
    assert squeeze('<img src="file:///etc/passwd">') in squeeze(text)


def test_headings_get_their_own_font():
    body = "一、总体情况。今年工作进展顺利。\n（一）具体措施\n正文段落。"
    ctx = reply_context(ta0207_reply(body=body))
    assert ctx["paragraphs"] == [
        {"kind": "h1", "lead": "一、总体情况。", "text": "今年工作进展顺利。"},
        {"kind": "h2", "lead": "（一）具体措施", "text": ""},
        {"kind": "p", "lead": "", "text": "正文段落。"},
    ]
    data = render_reply_pdf(ta0207_reply(body=body))
    names = {f["name"] for f in pdf_fonts(data)}
    assert any("Sans" in n for n in names), names  # 黑体 stand-in for the 一、 heading


def test_draft_carries_a_draft_mark_and_issued_letter_does_not(ta0207_pdf):
    draft = render_reply_pdf(ta0207_reply(status=ReplyStatus.DRAFT))
    assert "草稿" in pdf_text(draft)
    assert "草稿" not in pdf_text(ta0207_pdf)


def test_context_is_flat_plain_values():
    ctx = reply_context(ta0207_reply())
    assert REPLY_TEMPLATE == "documents/reply_letter.html"
    assert ctx["phone"] == "13934069668"
    assert ctx["date_text"] == "2024年7月9日"
    assert ctx["class_mark"] == "A 类"
    assert ctx["title_lines"] == ["关于市政协八届三次会议", "第 TA0207 号提案的答复"]
    for key, value in ctx.items():
        assert isinstance(value, str | list | bool), key


def test_blanking_the_phone_in_the_context_removes_it_from_the_pdf():
    from documents.render import render_pdf

    ctx = reply_context(ta0207_reply())
    ctx["phone"] = ""
    text = pdf_text(render_pdf(REPLY_TEMPLATE, ctx))
    assert "13934069668" not in text
    assert "杨国强" in text


@pytest.mark.django_db
def test_seal_is_read_through_storage_and_embedded(settings):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (200, 200), (220, 0, 0, 160)).save(buffer, format="PNG")
    name = default_storage.save("seals/test-seal.png", ContentFile(buffer.getvalue()))
    agency = Agency(name=seed.AGENCY, committee_id=None)  # no committee default: no database
    agency.seal.name = name
    reply = ta0207_reply(assignment=Assignment(agency=agency))
    ctx = reply_context(reply)
    assert ctx["seal_data_uri"].startswith("data:image/png;base64,")
    data = render_reply_pdf(reply)
    reader = PdfReader(io.BytesIO(data))
    images = [img for page in reader.pages for img in page.images]
    assert images, "the seal is in the PDF"
    assert len(images) <= 2  # the picture, and its alpha mask
    plain = PdfReader(io.BytesIO(render_reply_pdf(ta0207_reply())))
    assert not [img for page in plain.pages for img in page.images]


def test_a_seal_file_that_is_not_an_image_is_left_out(settings, db):
    name = default_storage.save("seals/fake.png", ContentFile(b"<html>not an image</html>"))
    agency = Agency(name=seed.AGENCY, committee_id=None)  # no committee default: no database
    agency.seal.name = name
    assert reply_context(ta0207_reply(assignment=Assignment(agency=agency)))["seal_data_uri"] == ""
