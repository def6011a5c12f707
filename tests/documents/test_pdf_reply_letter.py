"""The TA0207 reply letter rendered to PDF and read back: page, fonts, text, and where the text sits."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader

from proposals import seed
from proposals.models import Agency, Assignment
from replies.models import Reply, ReplyStatus
from replies.pdf import REPLY_TEMPLATE, render_reply_pdf, reply_context
from tests.documents.pdfutil import Line, need, pdf_fonts, pdf_lines, pdf_text, squeeze

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


def drawn_texts(data: bytes) -> list[list[tuple[str, float]]]:
    """For each page, the text runs as drawn, with the angle of their baseline in degrees (0: level,
    45: rising to the right), read from the page's content stream."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        runs: list[tuple[str, float]] = []

        def visit(text, cm, tm, _font, _size, runs=runs):
            if text.strip():
                # The text space to device: tm × cm; its first row is the baseline's direction.
                a = tm[0] * cm[0] + tm[1] * cm[2]
                b = tm[0] * cm[1] + tm[1] * cm[3]
                runs.append((text.strip(), math.degrees(math.atan2(b, a))))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def test_a_draft_carries_a_diagonal_watermark_on_every_page():
    draft = render_reply_pdf(ta0207_reply(status=ReplyStatus.DRAFT, body="\n".join(seed.REPLY_PARAGRAPHS * 3)))
    pages = drawn_texts(draft)
    assert len(pages) >= 3
    for runs in pages:
        marks = [angle for text, angle in runs if text == "草稿"]
        assert marks, runs
        assert marks[0] == pytest.approx(45, abs=1)
    # The old small notice is gone; the text of the letter is level and whole.
    assert "未签发" not in pdf_text(draft)
    assert all(angle == pytest.approx(0, abs=0.01) for runs in pages for text, angle in runs if text != "草稿")


def test_an_issued_letter_has_no_watermark(ta0207_pdf):
    assert "草稿" not in pdf_text(ta0207_pdf)
    assert all(angle == pytest.approx(0, abs=0.01) for runs in drawn_texts(ta0207_pdf) for _, angle in runs)


@pytest.mark.django_db
def test_the_public_copy_of_a_draft_has_no_watermark(world):
    from oversight.public import render_public_reply_pdf
    from tests.factories import make_reply

    reply = make_reply(world.assignment, by=world.handler_a, issued=None)
    assert reply.status == ReplyStatus.DRAFT

    def marks(data: bytes) -> list[str]:
        return [text for runs in drawn_texts(data) for text, _ in runs if text == "草稿"]

    assert marks(render_reply_pdf(reply))
    assert not marks(render_public_reply_pdf(reply))


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


def sample_seal_png(size: int = 420) -> bytes:
    """A red seal as agencies upload them: a ring and a five-pointed star on a transparent ground."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (220, 20, 30, 235)
    draw.ellipse((6, 6, size - 6, size - 6), outline=red, width=size // 26)
    centre, outer, inner = size / 2, size / 6, size / 15
    star = [
        (
            centre + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            centre - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=red)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def sealed_reply(**overrides) -> Reply:
    name = default_storage.save("seals/sample-seal.png", ContentFile(sample_seal_png()))
    agency = Agency(name=seed.AGENCY, committee_id=None)  # no committee default: no database
    agency.seal.name = name
    return ta0207_reply(assignment=Assignment(agency=agency), **overrides)


def red_box(data: bytes, page: int, *, top_mm: float = 60, bottom_mm: float = 265) -> tuple[float, ...]:
    """(left, top, right, bottom) in mm of the red ink on ``page`` between ``top_mm`` and
    ``bottom_mm`` (below the letterhead and its rule, above the first page's bottom rule), from the
    page rasterised by pdftoppm at 100 dpi."""
    import subprocess
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        args = [need("pdftoppm"), "-r", "100", "-f", str(page), "-l", str(page), "-png", str(pdf), f"{tmp}/p"]
        subprocess.run(args, check=True, capture_output=True)  # noqa: S603
        image = Image.open(next(Path(tmp).glob("p*.png"))).convert("RGB")
    mm = 25.4 / 100
    width, height = image.size
    pixels = image.load()
    red = [
        (x, y)
        for y in range(int(top_mm / mm), min(height, int(bottom_mm / mm)))
        for x in range(width)
        if (lambda r, g, b: r > 170 and g < 110 and b < 110)(*pixels[x, y])
    ]
    assert red, "no red ink there"
    xs, ys = [x for x, _ in red], [y for _, y in red]
    return min(xs) * mm, min(ys) * mm, (max(xs) + 1) * mm, (max(ys) + 1) * mm


@pytest.mark.django_db
def test_seal_is_read_through_storage_and_embedded(settings):
    reply = sealed_reply()
    ctx = reply_context(reply)
    assert ctx["seal_data_uri"].startswith("data:image/png;base64,")
    data = render_reply_pdf(reply)
    reader = PdfReader(io.BytesIO(data))
    images = [img for page in reader.pages for img in page.images]
    assert images, "the seal is in the PDF"
    assert len(images) <= 2  # the picture, and its alpha mask
    plain = PdfReader(io.BytesIO(render_reply_pdf(ta0207_reply())))
    assert not [img for page in plain.pages for img in page.images]


@pytest.mark.django_db
def test_the_seal_sits_over_the_signature_and_date_as_the_standard_places_it(settings):
    data = render_reply_pdf(sealed_reply())
    # The seal's room does not cost the letter a page: the signature is not left alone on page 3.
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    lines = [line for line in pdf_lines(data) if line.page == 2]
    signature = next(line for line in lines if squeeze(line.text) == seed.AGENCY)
    date = next(line for line in lines if squeeze(line.text) == "2024年7月9日")
    above = max((line for line in lines if line.y_max < signature.y_min), key=lambda line: line.y_max)
    left, top, right, bottom = red_box(data, 2)
    seal_x, seal_y = (left + right) / 2, (top + bottom) / 2
    # 42 mm across, as drawn.
    assert right - left == pytest.approx(42, abs=1.5)
    # The date four characters in from the right margin; the signing body centred on it; the seal
    # centred on both.
    assert (210 - 26) - date.x_max == pytest.approx(4 * 156 / 28, abs=1.5)
    assert (signature.x_min + signature.x_max) / 2 == pytest.approx((date.x_min + date.x_max) / 2, abs=1)
    assert seal_x == pytest.approx((date.x_min + date.x_max) / 2, abs=1.5)
    # It presses on both, which sit a little below its middle ...
    assert top < signature.y_min and date.y_max < bottom
    assert seal_y < (signature.y_min + date.y_max) / 2
    # ... and its top is within one line (28.9 pt ≈ 10.2 mm) of the text above, without covering it.
    assert 0 <= top - above.y_max <= 10.2


def test_a_seal_file_that_is_not_an_image_is_left_out(settings, db):
    name = default_storage.save("seals/fake.png", ContentFile(b"<html>not an image</html>"))
    agency = Agency(name=seed.AGENCY, committee_id=None)  # no committee default: no database
    agency.seal.name = name
    assert reply_context(ta0207_reply(assignment=Assignment(agency=agency)))["seal_data_uri"] == ""


# --- Page rules (GB/T 9704: no page carries only the signature and date; justified body lines) ---

CLOSING = "特此答复。"


def one_line_paragraphs(count: int) -> str:
    return "\n".join(f"第{i}项工作已经按计划完成，现将情况报告如下。" for i in range(1, count + 1))


def where_signature_and_last_body_line(data: bytes) -> tuple[Line, Line]:
    lines = pdf_lines(data)
    # The agency's name as it signs: not the letterhead at the top of the first page.
    signature = [line for line in lines if squeeze(line.text) == seed.AGENCY and (line.page, line.y_min) > (1, 60)]
    last_body = [line for line in lines if squeeze(line.text) == CLOSING]
    assert len(signature) == 1 and len(last_body) == 1, [line.text for line in lines]
    return signature[0], last_body[0]


def plain_letter(reply: Reply) -> bytes:
    """The letter as the browser alone sets it, the ending free to start a page: today's letter."""
    from documents.render import render_pdf

    return render_pdf(REPLY_TEMPLATE, {**reply_context(reply), "free_ending": True})


def line_pitch(data: bytes) -> float:
    lines = [line for line in pdf_lines(data) if "项工作" in line.text]
    pitches = [b.y_min - a.y_min for a, b in itertools.pairwise(lines) if a.page == b.page]
    return sum(pitches) / len(pitches)


@pytest.fixture(scope="module")
def lone_signature_bodies() -> tuple[int, int]:
    """Two counts of one-line paragraphs whose signature the browser alone sets on page 2 with no body
    line: the smallest (the ending misses page 1 by less than a line) and the largest (page 1 full).
    Found by setting the letter, so that they hold with whatever fonts are configured."""
    full = pdf_lines(plain_letter(ta0207_reply(body=one_line_paragraphs(30), closing=CLOSING)))
    capacity = sum(1 for line in full if line.page == 1 and "项工作" in line.text)
    alone = []
    for count in range(capacity - 7, capacity + 1):
        signature, last_body = where_signature_and_last_body_line(
            plain_letter(ta0207_reply(body=one_line_paragraphs(count), closing=CLOSING))
        )
        if signature.page > last_body.page:
            alone.append(count)
    assert len(alone) >= 2, alone
    return alone[0], alone[-1]


def test_a_signature_that_would_stand_alone_on_page_two_does_not(lone_signature_bodies):
    reply = ta0207_reply(body=one_line_paragraphs(lone_signature_bodies[0]), closing=CLOSING)
    before_signature, before_body = where_signature_and_last_body_line(plain_letter(reply))
    assert (before_signature.page, before_body.page) == (2, 1)  # what the spacing rule is for

    data = render_reply_pdf(reply)
    signature, last_body = where_signature_and_last_body_line(data)
    assert signature.page == last_body.page == 1
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    # By a tighter line pitch, within the limit (27 pt ≈ 9.5 mm; the standard's 28.9 pt ≈ 10.2 mm).
    assert 9.5 - 0.1 <= line_pitch(data) < 10.2 - 0.1


def test_when_tightening_is_not_enough_the_last_body_lines_go_over_with_the_signature(lone_signature_bodies):
    reply = ta0207_reply(body=one_line_paragraphs(lone_signature_bodies[1]), closing=CLOSING)
    data = render_reply_pdf(reply)
    signature, last_body = where_signature_and_last_body_line(data)
    assert signature.page == last_body.page == 2
    assert line_pitch(data) == pytest.approx(10.2, abs=0.15)  # the standard's pitch: nothing was gained
    # Even the plain template (a public copy, a compiled volume) never leaves the signature alone.
    from documents.render import render_pdf

    plain = render_pdf(REPLY_TEMPLATE, reply_context(reply))
    signature, last_body = where_signature_and_last_body_line(plain)
    assert signature.page == last_body.page


@pytest.mark.django_db
def test_the_county_letter_keeps_its_ending_and_end_block_on_its_one_page():
    """The live example of issue 16: the 示范县 letter put its 抄送 and 印发 lines alone on page 2."""
    from django.core.management import call_command

    call_command("load_demo", "--password", "Demo-Pass-2024!", "--force", stdout=io.StringIO())
    reply = Reply.objects.select_related("assignment__proposal", "assignment__agency").get(
        assignment__proposal__number="12"
    )
    data = reply.pdf.open("rb").read()
    lines = pdf_lines(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    date = next(line for line in lines if squeeze(line.text) == "2025年3月18日")
    contact = next(line for line in lines if "经办人及联系电话" in line.text)
    copy_to = next(line for line in lines if "抄送" in line.text)
    printed = next(line for line in lines if "印发" in line.text)
    assert date.y_max < contact.y_min < copy_to.y_min < printed.y_min
    assert printed.y_max == pytest.approx(TYPE_AREA_BOTTOM_MM, abs=6)  # the end block at the bottom


def paragraph_rows(data: bytes, paragraphs: list[str]) -> list[list[Line]]:
    """The body's lines grouped by paragraph (each paragraph found by its text)."""
    lines = [line for line in pdf_lines(data) if line.y_min < TYPE_AREA_BOTTOM_MM]
    texts = [squeeze(line.text) for line in lines]
    groups = []
    for paragraph in paragraphs:
        target = squeeze(paragraph)
        for start in range(len(lines)):
            end, joined = start, ""
            while end < len(lines) and target.startswith(joined + texts[end]):
                joined += texts[end]
                end += 1
            if joined == target:
                groups.append(lines[start:end])
                break
        else:
            raise AssertionError(f"paragraph not found: {paragraph[:20]}")
    return groups


def test_ta0207_body_lines_end_flush_with_the_type_area(ta0207_pdf):
    groups = paragraph_rows(ta0207_pdf, [*seed.REPLY_PARAGRAPHS, seed.REPLY_CLOSING])
    assert sum(len(g) for g in groups) >= 25  # every line of the body was found
    for group in groups:
        for line, following in itertools.pairwise(group):
            if squeeze(following.text)[0].isascii():
                continue  # before an unbreakable Latin or digit run a line may stay short
            assert line.x_max == pytest.approx(210 - 26, abs=0.4), line.text
        assert group[-1].x_max <= 210 - 26 + 0.4


def test_no_body_line_starts_with_closing_punctuation():
    # Each paragraph reaches a line end exactly at a comma or a full stop.
    body = "\n".join("经" * n + "，继续推进各项工作。" + "一" * 20 + "。" for n in range(24, 29))
    data = render_reply_pdf(ta0207_reply(body=body))
    body_lines = [squeeze(line.text) for line in pdf_lines(data) if "经" in line.text or "一" in line.text]
    assert len(body_lines) >= 10
    assert not [line for line in body_lines if line[0] in "，。、；：！？）》」』”’"]
    assert squeeze(body) in squeeze(pdf_text(data))


def test_a_phone_number_in_the_body_is_never_broken_at_its_dash():
    # The browser alone would break "0356—" from "6021234" at the end of the first line.
    body = "甲" * 20 + "请致电0356—6021234联系。" + "乙" * 30
    reply = ta0207_reply(body=body)
    split = [line.text for line in pdf_lines(plain_letter(reply)) if "0356" in line.text or "6021234" in line.text]
    assert not any("0356—6021234" in squeeze(t) for t in split)
    kept = [line.text for line in pdf_lines(render_reply_pdf(reply)) if "0356" in line.text]
    assert len(kept) == 1 and "0356—6021234" in squeeze(kept[0])


def test_a_title_with_a_long_meeting_name_is_not_split_inside_it():
    title = "关于县政协第十届委员会第四次会议第 12 号提案的答复"
    data = render_reply_pdf(ta0207_reply(title=title))
    lines = [line for line in pdf_lines(data) if line.page == 1 and 60 < line.y_min < 100]
    assert [squeeze(line.text) for line in lines] == ["关于县政协第十届委员会", "第四次会议第12号提案的答复"]
    for line in lines:
        assert (line.x_min + line.x_max) / 2 == pytest.approx(106, abs=2)  # each line centred
