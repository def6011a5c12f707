"""Reading a proposal from a Word file (``proposals.docx_form``): the form as a table, as free
paragraphs, a file with nothing to recognise, a file that is not a Word document, and a zip bomb."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from proposals.docx_form import (
    DOCX_TOO_LARGE,
    DOCX_UNPACKED_TOO_LARGE,
    MAX_BYTES,
    NO_MAIN_CONTENT,
    NOT_A_WORD_FILE,
    NOTHING_RECOGNISED,
    DocxFormError,
    read_docx_form,
)


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table_form_docx() -> bytes:
    """The usual printed form: a table of label cells and value cells, merged across the row."""
    document = docx.Document()
    document.add_paragraph("政协晋城市第八届委员会第三次会议提案")
    table = document.add_table(rows=6, cols=4)
    table.cell(0, 0).text = "标  题"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "关于加快产业合作的建议"
    table.cell(1, 0).text = "提案人"
    table.cell(1, 1).text = "张三"
    table.cell(1, 2).text = "联系电话"
    table.cell(1, 3).text = "13800000001"
    table.cell(2, 0).text = "联名人"
    table.cell(2, 1).merge(table.cell(2, 3)).text = "李四、王五"
    table.cell(3, 0).text = "类别："
    table.cell(3, 1).merge(table.cell(3, 3)).text = "经济建设"
    table.cell(4, 0).text = "案由"
    table.cell(4, 1).merge(table.cell(4, 3)).text = "两地产业互补性强。\n合作机制尚不健全。"
    table.cell(5, 0).text = "建议"
    table.cell(5, 1).merge(table.cell(5, 3)).text = "一是建立联席会议制度。\n二是共建产业园区。"
    return _bytes(document)


def paragraph_form_docx() -> bytes:
    """The form typed as lines: "标题：…" and headings with the text under them."""
    document = docx.Document()
    for line in (
        "标题：关于改善老城区交通的建议",
        "提案人：张三",
        "联名提案人：李四",
        "主要内容：老城区高峰时段拥堵严重。",
        "一、案由",
        "老城区道路狭窄。",
        "停车位不足。",
        "二、建议",
        "（一）优化信号灯配时。",
        "（二）建设立体停车场。",
    ):
        document.add_paragraph(line)
    return _bytes(document)


def unrecognisable_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("会议通知")
    document.add_paragraph("请各位委员于下周一上午九时到会。")
    return _bytes(document)


def zip_bomb_docx() -> bytes:
    """A package with the parts of a .docx and one member that unpacks to 60 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
        package.writestr("word/media/filler.bin", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


def test_the_form_as_a_table_is_read_field_by_field():
    form = read_docx_form(table_form_docx())
    assert form.fields["title"] == "关于加快产业合作的建议"
    assert form.first_proposer == "张三"
    assert form.cosigners == ["李四", "王五"]
    assert form.fields["category"] == "经济建设"
    assert form.fields["reason"] == "两地产业互补性强。\n合作机制尚不健全。"
    assert form.fields["suggestions"] == "一是建立联席会议制度。\n二是共建产业园区。"
    # No 主要内容 on this form: the 案由 stands in for it, and the reader is told.
    assert form.fields["main_content"] == form.fields["reason"]
    assert str(NO_MAIN_CONTENT) in form.warnings


def test_free_paragraphs_are_read_by_their_labels():
    form = read_docx_form(paragraph_form_docx())
    assert form.fields["title"] == "关于改善老城区交通的建议"
    assert form.first_proposer == "张三"
    assert form.cosigners == ["李四"]
    assert form.fields["main_content"] == "老城区高峰时段拥堵严重。"
    assert form.fields["reason"] == "老城区道路狭窄。\n停车位不足。"
    assert form.fields["suggestions"] == "（一）优化信号灯配时。\n（二）建设立体停车场。"
    assert form.warnings == []


def test_a_document_with_nothing_recognisable_is_refused_with_a_message():
    with pytest.raises(DocxFormError) as caught:
        read_docx_form(unrecognisable_docx())
    assert caught.value.message == str(NOTHING_RECOGNISED)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>not a word file</body></html>",
        b"PK\x03\x04 truncated zip",
        b"%PDF-1.4 renamed to docx",
    ],
)
def test_a_file_that_is_not_a_word_document_is_refused(data):
    with pytest.raises(DocxFormError) as caught:
        read_docx_form(data)
    assert caught.value.message == str(NOT_A_WORD_FILE)


def test_a_zip_without_the_document_part_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocxFormError) as caught:
        read_docx_form(buffer.getvalue())
    assert caught.value.message == str(NOT_A_WORD_FILE)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = zip_bomb_docx()
    assert len(data) < 1024 * 1024  # small on the wire
    with pytest.raises(DocxFormError) as caught:
        read_docx_form(data)
    assert caught.value.message == str(DOCX_UNPACKED_TOO_LARGE % {"limit": 50})


def test_an_oversized_file_is_refused_unread():
    with pytest.raises(DocxFormError) as caught:
        read_docx_form(b"PK\x03\x04" + b"\0" * MAX_BYTES)
    assert caught.value.message == str(DOCX_TOO_LARGE % {"limit": 20})
