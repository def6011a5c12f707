"""Office attachments are checked by their container, not their first bytes (issue 18, finding 16)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals import uploads
from tests.upload_samples import (
    CONTENT_TYPES,
    DOCM_MAIN,
    DOCX_MAIN,
    XLSX_MAIN,
    content_types,
    docm_bytes,
    docx_bytes,
    office_bytes,
    ole_bytes,
    truncated,
    upload,
    xlsm_bytes,
    xlsx_bytes,
    zip_bomb_docx,
    zip_of,
)

MISMATCH = "文件内容与扩展名不符"


def _refused(name: str, body: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(upload(name, body))
    return exc.value


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("报告.docx", docx_bytes(), "docx"),
        ("统计.xlsx", xlsx_bytes(), "xlsx"),
        ("旧稿.doc", ole_bytes("WordDocument"), "doc"),
        ("旧稿.doc", ole_bytes("\x01CompObj", "WordDocument", "1Table"), "doc"),
    ],
)
def test_real_office_files_pass(name, body, kind):
    assert uploads.check_upload(upload(name, body)).kind == kind


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("a.docx", zip_of({"readme.txt": b"just a zip"})),
        ("a.docx", zip_of({"word/document.xml": b"<w:document/>"})),  # no [Content_Types].xml
        ("a.docx", xlsx_bytes()),  # a workbook named as a document
        ("a.xlsx", docx_bytes()),
        ("a.xlsx", zip_of({"[Content_Types].xml": CONTENT_TYPES})),
        ("a.docx", truncated(docx_bytes())),  # the central directory cut off
    ],
)
def test_a_zip_that_is_not_the_office_package_its_name_says_is_refused(name, body):
    assert MISMATCH in _refused(name, body).messages[0]


def test_a_package_with_a_damaged_member_is_refused():
    body = bytearray(docx_bytes(**{"word/styles.xml": b"<w:styles>" + b"x" * 500 + b"</w:styles>"}))
    # Damage the first member's compressed data (after its 30-byte local header and name): the
    # central directory still opens, reading the member does not.
    start = 30 + len("[Content_Types].xml")
    body[start + 5 : start + 9] = b"\xff\xff\xff\xff"
    assert MISMATCH in _refused("a.docx", bytes(body)).messages[0]


def test_an_encrypted_member_is_refused():
    body = bytearray(docx_bytes())
    central = body.rfind(b"PK\x01\x02")
    body[central + 8] |= 0x1  # the "encrypted" flag in the last member's central directory entry
    assert MISMATCH in _refused("a.docx", bytes(body)).messages[0]


def test_a_zip_bomb_is_refused_for_its_unpacked_size(monkeypatch):
    monkeypatch.setattr(uploads, "OOXML_MAX_UNPACKED", 1024 * 1024)
    body = zip_bomb_docx(2 * 1024 * 1024)
    assert len(body) < 20_000  # the upload itself is small
    error = _refused("a.docx", body)
    assert error.code == "unpacked_too_large"
    assert "解压后过大" in error.messages[0]
    # the same package within the limit passes: the refusal is about the unpacked size
    assert uploads.check_upload(upload("a.docx", zip_bomb_docx(512 * 1024))).kind == "docx"


def test_a_zip_bomb_of_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "OOXML_MAX_MEMBERS", 50)
    body = docx_bytes(**{f"word/media/{i}.bin": b"" for i in range(60)})
    assert MISMATCH in _refused("a.docx", body).messages[0]


def test_the_default_unpacked_limit_refuses_a_real_bomb():
    """A few hundred kilobytes of upload that would unpack to more than the limit."""
    body = zip_bomb_docx(uploads.OOXML_MAX_UNPACKED + 1)
    assert len(body) < settings.UPLOAD_MAX_BYTES
    assert _refused("a.docx", body).code == "unpacked_too_large"


def test_a_lying_size_in_the_central_directory_does_not_let_more_through():
    """zipfile stops at the declared size and the CRC check refuses the rest."""
    body = bytearray(zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>" * 1000}))
    central = body.rfind(b"PK\x01\x02")
    body[central + 24 : central + 28] = struct.pack("<I", 10)  # uncompressed size: 10 bytes
    with zipfile.ZipFile(io.BytesIO(bytes(body))) as zf:
        assert zf.infolist()[-1].file_size == 10
    assert MISMATCH in _refused("a.docx", bytes(body)).messages[0]


@pytest.mark.parametrize(
    "body",
    [
        ole_bytes("Workbook"),  # an Excel 97 workbook named .doc
        ole_bytes(),  # an empty compound file
        ole_bytes("WordDocumentX"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # the signature and nothing else
        ole_bytes("WordDocument")[:600],  # the directory cut off
    ],
)
def test_an_ole_file_without_a_word_document_stream_is_refused(body):
    assert MISMATCH in _refused("a.doc", body).messages[0]


def test_a_compound_file_whose_directory_chain_loops_is_refused_without_hanging():
    body = bytearray(ole_bytes("WordDocument"))
    fat = 512  # sector 0
    body[fat + 4 : fat + 8] = struct.pack("<I", 1)  # the directory sector's next sector is itself
    assert MISMATCH in _refused("a.doc", bytes(body)).messages[0]


def test_a_compound_file_whose_directory_tree_loops_is_refused_without_hanging():
    body = bytearray(ole_bytes("Workbook", "WordDocument"))
    first_stream = 512 * 2 + 128  # directory entry 1
    body[first_stream + 68 : first_stream + 72] = struct.pack("<I", 1)  # its left sibling is itself
    assert MISMATCH in _refused("a.doc", bytes(body)).messages[0]


def test_a_word_document_stream_deeper_than_the_root_does_not_count():
    body = bytearray(ole_bytes("Workbook", "WordDocument"))
    first_stream = 512 * 2 + 128
    # The workbook becomes a storage whose child is the WordDocument stream, no longer its sibling.
    body[first_stream + 66] = 1
    body[first_stream + 72 : first_stream + 80] = struct.pack("<II", 0xFFFFFFFF, 2)
    assert MISMATCH in _refused("a.doc", bytes(body)).messages[0]


@pytest.mark.django_db
def test_attachment_page_refuses_a_plain_zip_named_docx(world, login):
    from proposals.models import Attachment

    client = login(world.staff)
    url = reverse("proposals:attachment_upload", kwargs={"pk": world.proposal.pk})
    response = client.post(url, {"file": upload("方案.docx", zip_of({"a.txt": b"x"}))}, follow=True)
    assert MISMATCH in response.content.decode()
    assert not Attachment.objects.exists()
    client.post(url, {"file": upload("方案.docx", docx_bytes())})
    assert Attachment.objects.get().content_type == uploads.KINDS["docx"][1]


# --- Macro-enabled packages renamed (issue 18, follow-up of finding 16) ----------------------------


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("报告.docx", office_bytes("docx", main_type=DOCX_MAIN), "docx"),
        ("统计.xlsx", office_bytes("xlsx", main_type=XLSX_MAIN), "xlsx"),
        # a package that only mentions macros in a part's text is not a macro project
        ("报告.docx", docx_bytes(**{"word/comments.xml": b"<c>vbaProject.bin macroEnabled</c>"}), "docx"),
    ],
)
def test_office_files_as_word_and_excel_save_them_pass(name, body, kind):
    assert uploads.check_upload(upload(name, body)).kind == kind


@pytest.mark.parametrize(
    ("name", "body"),
    [
        pytest.param("方案.docx", docm_bytes(), id="docm-renamed"),
        pytest.param("统计.xlsx", xlsm_bytes(), id="xlsm-renamed"),
        # the macro-enabled main part without the project part, and the project part alone
        pytest.param("方案.docx", office_bytes("docx", main_type=DOCM_MAIN), id="docm-type-only"),
        pytest.param(
            "方案.docx", office_bytes("docx", main_type=DOCX_MAIN, vba_part="word/vbaProject.bin"), id="vba-part-only"
        ),
        pytest.param(
            "统计.xlsx", office_bytes("xlsx", main_type=XLSX_MAIN, vba_part="xl/VBAPROJECT.BIN"), id="vba-part-case"
        ),
        # a project part under another name is still declared by its content type
        pytest.param(
            "方案.docx", office_bytes("docx", main_type=DOCX_MAIN, vba_part="word/media/image9.bin"), id="vba-renamed"
        ),
        # MIME types compare case-insensitively; templates and add-ins are macro-enabled too
        pytest.param("方案.docx", office_bytes("docx", main_type=DOCM_MAIN.lower()), id="docm-type-lowercase"),
        pytest.param(
            "方案.docx",
            office_bytes("docx", main_type="application/vnd.ms-word.template.macroEnabledTemplate.main+xml"),
            id="dotm-renamed",
        ),
        pytest.param(
            "统计.xlsx",
            office_bytes("xlsx", main_type="application/vnd.ms-excel.addin.macroEnabled.main+xml"),
            id="xlam-renamed",
        ),
    ],
)
def test_a_macro_enabled_package_renamed_docx_or_xlsx_is_refused(name, body):
    assert MISMATCH in _refused(name, body).messages[0]


def test_content_types_with_a_dtd_are_refused():
    """OPC forbids a DTD in the package's XML; expanding entities would also cost memory."""
    laughs = '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    body = zip_of(
        {
            "[Content_Types].xml": content_types({"/word/document.xml": DOCX_MAIN}, doctype=laughs),
            "word/document.xml": b"<w:document/>",
        }
    )
    assert MISMATCH in _refused("a.docx", body).messages[0]


def test_content_types_that_are_not_xml_are_refused():
    body = zip_of({"[Content_Types].xml": b"<Types><Default", "word/document.xml": b"<w:document/>"})
    assert MISMATCH in _refused("a.docx", body).messages[0]


def test_a_word_97_document_with_macros_is_refused():
    """A .doc keeps its VBA project in a ``Macros`` storage at the root."""
    assert uploads.check_upload(upload("旧稿.doc", ole_bytes("WordDocument", "1Table"))).kind == "doc"
    assert MISMATCH in _refused("旧稿.doc", ole_bytes("WordDocument", "1Table", storages=("Macros",))).messages[0]
    assert MISMATCH in _refused("旧稿.doc", ole_bytes("WordDocument", storages=("_VBA_PROJECT_CUR",))).messages[0]


@pytest.mark.django_db
def test_attachment_page_refuses_a_docm_renamed_docx(world, login):
    from proposals.models import Attachment

    client = login(world.staff)
    url = reverse("proposals:attachment_upload", kwargs={"pk": world.proposal.pk})
    response = client.post(url, {"file": upload("方案.docx", docm_bytes())}, follow=True)
    assert MISMATCH in response.content.decode()
    assert not Attachment.objects.exists()
    client.post(url, {"file": upload("方案.docx", office_bytes("docx", main_type=DOCX_MAIN))})
    assert Attachment.objects.get().original_name == "方案.docx"
