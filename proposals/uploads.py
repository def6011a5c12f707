"""Upload checks: the content must be what the name says, and no larger than the cap.

The type is decided from the file's content, never from the name or the browser's Content-Type, so
an HTML page renamed ``.pdf`` is refused: the first bytes say which kind it is, then images must open
in Pillow (within a pixel limit: ``verify_image`` is the one image check of every path, the drawn
signature included), and Office files must be the container their extension names — a ZIP holding
the package's parts for .docx/.xlsx, a compound file holding a WordDocument stream for .doc — and
carry no macros: a .docm/.xlsm renamed .docx/.xlsx, or a .doc with a VBA project, is refused.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

UPLOAD_TOO_LARGE = _("文件过大：单个文件不能超过 %(limit)s MB。")
UPLOAD_TYPE_MISMATCH = _("文件内容与扩展名不符，或不是允许的类型（允许：%(allowed)s）。")
UPLOAD_EMPTY = _("文件为空。")
IMAGE_TOO_MANY_PIXELS = _("图片尺寸过大：不能超过 %(limit)s 万像素。")
UNPACKED_TOO_LARGE = _("文件解压后过大：不能超过 %(limit)s MB。")

# kind -> (extensions, content type)
KINDS = {
    "pdf": ((".pdf",), "application/pdf"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "png": ((".png",), "image/png"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "doc": ((".doc",), "application/msword"),
}
SCAN_KINDS = ("pdf", "jpeg", "png")
ATTACHMENT_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx", "doc")

# Pillow's own warning threshold (about 8900 万 pixels, 0.25 GB to decode as RGB); an A3 page scanned
# at 600 dpi has 7000 万. Checked here rather than left to Pillow, which only warns below twice this.
IMAGE_MAX_PIXELS = 89_478_485
PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG"}

# The parts an OOXML package must hold for its extension (names compared case-insensitively, as OPC
# part names are). The whole package must unpack within the limit: a 20 MB upload of zeros would
# otherwise unpack to gigabytes in whatever opens it later.
OOXML_PARTS = {"docx": ("[content_types].xml", "word/document.xml"), "xlsx": ("[content_types].xml", "xl/workbook.xml")}
OOXML_MAX_UNPACKED = 200 * 1024 * 1024
OOXML_MAX_MEMBERS = 10_000

# What marks a package with macros: a content type in [Content_Types].xml (MIME types compare
# case-insensitively) — every macro-enabled main part (.docm, .dotm, .xlsm, .xltm, .xlam, .xlsb) has
# "macroEnabled" in its type, the VBA project part its own type — or a part named as Office names the
# project, whatever the content types say.
OOXML_MACRO_TYPE_MARK = "macroenabled"
OOXML_MACRO_TYPES = frozenset({"application/vnd.ms-office.vbaproject", "application/vnd.ms-word.vbadata+xml"})
OOXML_MACRO_PART = "vbaproject.bin"
# Where a .doc keeps its VBA project: Word's ``Macros`` storage (``_VBA_PROJECT_CUR`` is Excel's name,
# refused too in case one is renamed .doc).
OLE_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur"})

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "doc"
    return None


def check_upload(upload: UploadedFile, *, kinds: tuple[str, ...] = ATTACHMENT_KINDS) -> CheckedUpload:
    """Raise ValidationError (Chinese message) unless the file is one of ``kinds`` by content."""
    limit = settings.UPLOAD_MAX_BYTES
    allowed = "、".join(ext for kind in kinds for ext in KINDS[kind][0])
    if upload.size is None or upload.size == 0:
        raise ValidationError(UPLOAD_EMPTY, code="empty")
    if upload.size > limit:
        raise ValidationError(UPLOAD_TOO_LARGE, code="too_large", params={"limit": limit // (1024 * 1024)})
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower()
    upload.seek(0)
    head = upload.read(8)
    sniffed = sniff(head)
    kind = next((k for k in kinds if ext in KINDS[k][0]), None)
    mismatch = ValidationError(UPLOAD_TYPE_MISMATCH, code="type_mismatch", params={"allowed": allowed})
    if kind is None:
        raise mismatch
    expected = "zip" if kind in ("docx", "xlsx") else kind
    if sniffed != expected:
        raise mismatch
    try:
        if kind in PILLOW_FORMATS:
            verify_image(upload, formats=(PILLOW_FORMATS[kind],))
        elif kind in OOXML_PARTS:
            _verify_ooxml(upload, OOXML_PARTS[kind])
        elif kind == "doc":
            _verify_word_ole(upload)
    except ValidationError as exc:
        if exc.code == "unreadable":
            raise mismatch from exc
        raise
    finally:
        upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        kind=kind, content_type=KINDS[kind][1], size=upload.size, sha256=digest.hexdigest(), original_name=name
    )


def verify_image(
    source: bytes | IO[bytes], *, formats: tuple[str, ...], max_pixels: int = IMAGE_MAX_PIXELS
) -> tuple[int, int]:
    """The (width, height) of an image in one of Pillow's ``formats``, read without decoding its pixels.

    Raises ValidationError: code ``too_many_pixels`` past ``max_pixels`` (Pillow's decompression-bomb
    error and warning included), code ``unreadable`` for anything else Pillow cannot make sense of —
    its plugins raise more than OSError, so every exception of opening and verifying is a refusal.
    """
    from PIL import Image

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    stream.seek(0)
    too_many = ValidationError(
        IMAGE_TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": max(1, max_pixels // 10_000)}
    )
    try:
        with Image.open(stream, formats=list(formats)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise too_many
            if image.format not in formats or width < 1 or height < 1:
                raise ValidationError("not an image of the expected format", code="unreadable")
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Raised by Image.open itself: past twice Pillow's limit, or past it under ``-W error``.
        raise too_many from exc
    except Exception as exc:  # any failure of a plugin on hostile bytes is a refusal
        raise ValidationError("not a readable image", code="unreadable") from exc
    finally:
        stream.seek(0)
    return width, height


def _unreadable(what: str) -> ValidationError:
    return ValidationError(what, code="unreadable")


def _verify_ooxml(upload: UploadedFile, parts: tuple[str, ...]) -> None:
    """A ZIP that opens, holds ``parts``, unpacks within the limit and whose every member's CRC holds."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            members = package.infolist()
            if len(members) > OOXML_MAX_MEMBERS:
                raise _unreadable("too many members")
            names = {m.filename.casefold() for m in members}
            if not all(part in names for part in parts):
                raise _unreadable("not an Office package of this kind")
            # The declared sizes bound what zipfile unpacks (it stops at file_size and then checks
            # the CRC), so their sum is the most that reading every member below can produce.
            if sum(m.file_size for m in members) > OOXML_MAX_UNPACKED:
                raise ValidationError(
                    UNPACKED_TOO_LARGE, code="unpacked_too_large", params={"limit": OOXML_MAX_UNPACKED // (1024 * 1024)}
                )
            for member in members:
                if member.flag_bits & 0x1:
                    raise _unreadable("encrypted member")
                with package.open(member) as fh:
                    while fh.read(1024 * 1024):
                        pass
            if any(PurePath(name).name == OOXML_MACRO_PART for name in names):
                raise _unreadable("a VBA project part")
            content_types = next(m for m in members if m.filename.casefold() == "[content_types].xml")
            with package.open(content_types) as fh:
                if any(_is_macro_type(t) for t in _declared_content_types(fh)):
                    raise _unreadable("a macro-enabled content type")
    except ValidationError:
        raise
    except Exception as exc:  # zipfile raises BadZipFile, OSError, EOFError, NotImplementedError…
        raise _unreadable("not a valid ZIP") from exc


def _is_macro_type(content_type: str) -> bool:
    folded = content_type.strip().casefold()
    return OOXML_MACRO_TYPE_MARK in folded or folded.split(";")[0].strip() in OOXML_MACRO_TYPES


def _declared_content_types(stream: IO[bytes]) -> list[str]:
    """Every ContentType of [Content_Types].xml (its Default and Override elements), parsed a chunk at
    a time. A DTD is refused: OPC forbids one, and entities are the way to make a small part expand."""
    found: list[str] = []

    def start(_name: str, attrs: dict[str, str]) -> None:
        if "ContentType" in attrs:
            found.append(attrs["ContentType"])

    def no_dtd(*_args: object) -> None:
        raise ValueError("a DTD in [Content_Types].xml")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    while chunk := stream.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return found


def _verify_word_ole(upload: UploadedFile) -> None:
    """A compound file whose root storage holds a ``WordDocument`` stream (what makes it a Word .doc)
    and no VBA project."""
    upload.seek(0)
    data = upload.read()
    try:
        names, storages = _ole_root_entries(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise _unreadable("not a compound file") from exc
    if "worddocument" not in names:
        raise _unreadable("no WordDocument stream")
    if storages & OLE_MACRO_STORAGES:
        raise _unreadable("a VBA project")


_OLE_NO_SECTOR = 0xFFFFFFFA  # sector ids from here up are markers (free, end of chain, FAT, DIFAT)
_OLE_NO_STREAM = 0xFFFFFFFF


def _ole_root_entries(data: bytes) -> tuple[set[str], set[str]]:
    """Casefolded names of the streams, and of the storages, directly in the root storage of an
    [MS-CFB] compound file.

    Only the FAT and the directory are read. Every sector id is checked against the file's length
    and every chain and tree walk visits a sector or entry at most once, so a hostile file ends in
    ValueError, never in a loop.
    """
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise ValueError("short or no signature")
    major, byte_order, shift = struct.unpack_from("<HHH", data, 26)
    if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)):
        raise ValueError("bad header")
    size = 1 << shift
    sectors = (len(data) - size + size - 1) // size  # sector 0 starts after the header's sector
    num_fat, first_dir = struct.unpack_from("<II", data, 44)
    first_difat, num_difat = struct.unpack_from("<II", data, 68)
    if num_fat > sectors:
        raise ValueError("more FAT sectors than the file has")

    def sector(sid: int) -> bytes:
        if sid >= _OLE_NO_SECTOR or sid >= sectors:
            raise ValueError("sector id out of range")
        start = (sid + 1) * size
        return data[start : start + size].ljust(size, b"\0")

    fat_ids = list(struct.unpack_from("<109I", data, 76))
    sid, seen = first_difat, set()
    for _step in range(num_difat):
        if sid in seen:
            raise ValueError("DIFAT loop")
        seen.add(sid)
        entries = struct.unpack(f"<{size // 4}I", sector(sid))
        fat_ids.extend(entries[:-1])
        sid = entries[-1]
    fat: list[int] = []
    for fat_sid in fat_ids[:num_fat]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(fat_sid)))

    directory = b""
    sid, seen = first_dir, set()
    while sid < _OLE_NO_SECTOR:
        if sid in seen:
            raise ValueError("directory chain loop")
        seen.add(sid)
        directory += sector(sid)
        sid = fat[sid]
    count = len(directory) // 128
    if count == 0 or directory[66] != 5:  # entry 0 is the root storage
        raise ValueError("no root entry")

    def entry(index: int) -> tuple[str, int, int, int]:
        raw = directory[index * 128 : (index + 1) * 128]
        name_len, kind = struct.unpack_from("<HB", raw, 64)
        left, right = struct.unpack_from("<II", raw, 68)
        name = raw[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", errors="replace")
        return name, kind, left, right

    names: set[str] = set()
    storages: set[str] = set()
    pending, visited = [struct.unpack_from("<I", directory, 76)[0]], set()
    while pending:
        index = pending.pop()
        if index == _OLE_NO_STREAM:
            continue
        if index >= count or index in visited:
            raise ValueError("directory tree out of range or looped")
        visited.add(index)
        name, kind, left, right = entry(index)
        if kind == 2:
            names.add(name.casefold())
        elif kind == 1:
            storages.add(name.casefold())
        pending += [left, right]
    return names, storages
