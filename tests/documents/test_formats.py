from __future__ import annotations

import datetime as dt

import pytest

from documents.formats import balanced_lines, body_paragraphs, document_date


def test_document_date_has_no_leading_zeros():
    assert document_date(dt.date(2024, 7, 9)) == "2024年7月9日"
    assert document_date(None) == ""


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于市政协八届三次会议第 TA0207 号提案的答复", ["关于市政协八届三次会议", "第 TA0207 号提案的答复"]),
        ("短标题", ["短标题"]),
    ],
)
def test_balanced_lines(title, lines):
    assert balanced_lines(title, 19) == lines


def test_balanced_lines_never_leave_an_orphan_or_split_a_latin_run():
    title = "关于市政协八届三次会议第 TA0207 号提案的会办意见和进一步加强协作的说明"
    lines = balanced_lines(title, 19)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    # Widths in ems: a CJK character is one, a Latin letter or digit about half.
    widths = [sum(1 if ord(c) > 0x2E80 else 0.55 for c in line) for line in lines]
    assert min(widths) >= 2
    assert max(widths) <= 19
    assert max(widths) - min(widths) <= 2
    assert any("TA0207" in line for line in lines)


def test_balanced_lines_keep_closing_punctuation_off_the_line_start():
    title = "关于加强交流共谋发展，加快晋城向西开放向西合作步伐的建议的答复"
    for line in balanced_lines(title, 16)[1:]:
        assert line[0] not in "，。、；："


def test_body_paragraphs_recognise_heading_levels():
    text = "一、总体情况。正文\n（二）措施\n3. 第三点\n（4）细节\n\n普通段落"
    assert [p["kind"] for p in body_paragraphs(text)] == ["h1", "h2", "h3", "h4", "p"]
    assert body_paragraphs(text)[0] == {"kind": "h1", "lead": "一、总体情况。", "text": "正文"}
