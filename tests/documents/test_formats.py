from __future__ import annotations

import datetime as dt

import pytest

from documents.formats import balanced_lines, body_paragraphs, document_date, filling_spacing, keep_together


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


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        # The char-by-char balance broke this one "关于县政协第十届委员会第 / 四次会议第 12 号提案的答复".
        ("关于县政协第十届委员会第四次会议第 12 号提案的答复", ["第四次会议", "第 12 号"]),
        (
            "关于政协第十四届全国委员会第二次会议第 0123 号提案的答复",
            ["第十四届全国委员会", "第二次会议", "第 0123 号"],
        ),
        (
            "关于示范县政协十届四次会议常委会第十次会议第12号提案的复函",
            ["示范县政协", "十届四次会议", "常委会第十次会议"],
        ),
        (
            "关于中国人民政治协商会议晋城市委员会第八届委员会第三次会议第TA0207号提案的答复",
            ["中国人民政治协商会议", "晋城市委员会", "第八届委员会", "第三次会议", "第TA0207号"],
        ),
    ],
)
def test_balanced_lines_never_split_a_meeting_name_or_a_number(title, kept):
    lines = balanced_lines(title, 19)
    assert "".join(lines) == title
    for name in kept:
        assert any(name in line for line in lines), (name, lines)
    widths = [sum(1 if ord(c) > 0x2E80 else 0.55 for c in line) for line in lines]
    assert max(widths) <= 19


def test_the_brief_example_breaks_before_the_meeting_not_inside_it():
    assert balanced_lines("关于县政协第十届委员会第四次会议第 12 号提案的答复", 19) == [
        "关于县政协第十届委员会",
        "第四次会议第 12 号提案的答复",
    ]


def test_a_name_longer_than_the_line_is_broken_after_all():
    lines = balanced_lines("中国人民政治协商会议", 6)
    assert "".join(lines) == "中国人民政治协商会议"
    assert len(lines) == 2


def test_keep_together_marks_runs_joined_by_dashes():
    assert keep_together("请致电0356—6021234，或2024-2025年度") == [
        ("请致电", False),
        ("0356—6021234", True),
        ("，或", False),
        ("2024-2025", True),
        ("年度", False),
    ]
    assert keep_together("正文") == [("正文", False)]
    assert keep_together("") == []


def test_filling_spacing_opens_a_line_to_the_measure_within_a_limit():
    # 28 characters measured 433 pt wide with -0.25 pt after each: the last one's advance ends at
    # 433.25; 8.75 pt more over 27 gaps.
    assert filling_spacing(natural=433, available=442, chars=28, spacing=-0.25, most=1.5) == pytest.approx(
        -0.25 + 8.75 / 27
    )
    # A line that ran over is closed up.
    assert filling_spacing(natural=443, available=442, chars=28, spacing=-0.25, most=1.5) < -0.25
    # Two characters short on a line of 27 is within the limit; three and a half is not.
    assert filling_spacing(natural=442 - 32, available=442, chars=27, spacing=-0.25, most=1.5) is not None
    assert filling_spacing(natural=442 - 56, available=442, chars=27, spacing=-0.25, most=1.5) is None
    assert filling_spacing(natural=10, available=442, chars=1, spacing=-0.25, most=1.5) is None
