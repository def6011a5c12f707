"""Hostile and honest upload bodies built byte by byte: decompression bombs, Office containers, OLE files.

Built here rather than stored, so each test shows what is wrong with the file it sends.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

# --- images --------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A few dozen bytes that claim width×height pixels (RGB): Pillow refuses 30000×30000 as a bomb,
    warns on 10000×10000, and would need gigabytes to decode either."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b""))
        + _png_chunk(b"IEND", b"")
    )


def bomb_jpeg(width: int = 60000, height: int = 60000) -> bytes:
    """A JPEG start and a frame header claiming width×height pixels, and nothing to decode."""
    sof = struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def upload(name: str, body: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type=content_type)


# --- Office Open XML (ZIP) ------------------------------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def docx_bytes(**extra: bytes) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
            **extra,
        }
    )


def xlsx_bytes() -> bytes:
    return zip_of(
        {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>", "xl/workbook.xml": b"<workbook/>"}
    )


# The main part's content type, as Word and Excel write it in [Content_Types].xml.
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"


def content_types(overrides: dict[str, str], *, defaults: dict[str, str] | None = None, doctype: str = "") -> bytes:
    """A [Content_Types].xml: ``defaults`` by extension, ``overrides`` by part name."""
    items = [
        f'<Default Extension="{ext}" ContentType="{ct}"/>'
        for ext, ct in (defaults or {"xml": "application/xml"}).items()
    ]
    items += [f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides.items()]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + doctype
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(items)
        + "</Types>"
    ).encode()


def office_bytes(kind: str, *, main_type: str, vba_part: str | None = None, **types: str) -> bytes:
    """A package of ``kind`` ("docx" or "xlsx") whose main part has ``main_type``; with ``vba_part``,
    it also holds a macro project under that name (Word and Excel write word/vbaProject.bin and
    xl/vbaProject.bin). ``types`` add overrides: part name (without the slash) -> content type."""
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    overrides = {f"/{main}": main_type, **{f"/{part}": ct for part, ct in types.items()}}
    members = {"_rels/.rels": b"<Relationships/>", main: b"<w:document/>" if kind == "docx" else b"<workbook/>"}
    if vba_part is not None:
        overrides[f"/{vba_part}"] = VBA_PROJECT
        members[vba_part] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # a compound file, as Office writes
    return zip_of({"[Content_Types].xml": content_types(overrides), **members})


def docm_bytes() -> bytes:
    """A macro-enabled Word document (.docm), as Word saves one."""
    return office_bytes("docx", main_type=DOCM_MAIN, vba_part="word/vbaProject.bin")


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook (.xlsm), as Excel saves one."""
    return office_bytes("xlsx", main_type=XLSM_MAIN, vba_part="xl/vbaProject.bin")


def zip_bomb_docx(unpacked: int) -> bytes:
    """A well-formed .docx whose one extra member unpacks to ``unpacked`` zero bytes."""
    return docx_bytes(**{"word/media/zeros.bin": b"\0" * unpacked})


def truncated(body: bytes, cut: int = 40) -> bytes:
    return body[:-cut]


# --- OLE compound files (.doc) --------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, *, left=NO_STREAM, right=NO_STREAM, child=NO_STREAM, start=0, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", left, right, child)
        + b"\0" * 16  # class id
        + b"\0" * 4  # state bits
        + b"\0" * 16  # created, modified
        + struct.pack("<IQ", start, size)
    )


def ole_bytes(*streams: str, storages: tuple[str, ...] = ()) -> bytes:
    """A version-3 compound file (512-byte sectors) whose root holds the named streams of 4096 bytes,
    then the named empty storages (Word keeps a document's macros in a ``Macros`` storage).

    Sector 0 is the FAT, sector 1 the directory, then eight sectors per stream. The streams and
    storages are siblings in a right-leaning chain under the root, as a simple writer would leave them.
    """
    sector = 512
    count = len(streams) + len(storages)
    entries = [_dir_entry("Root Entry", 5, child=1 if count else NO_STREAM, start=END_OF_CHAIN)]
    fat = [FAT_SECTOR, END_OF_CHAIN]
    data = b""
    for i, name in enumerate(streams):
        start = len(fat)
        fat.extend(range(start + 1, start + 8))
        fat.append(END_OF_CHAIN)
        right = i + 2 if i + 1 < count else NO_STREAM
        entries.append(_dir_entry(name, 2, right=right, start=start, size=4096))
        data += name.encode("ascii").ljust(4096, b"x")
    for i, name in enumerate(storages, start=len(streams)):
        right = i + 2 if i + 1 < count else NO_STREAM
        entries.append(_dir_entry(name, 1, right=right))
    assert len(entries) <= 4 and len(fat) <= sector // 4
    directory = b"".join(entries).ljust(sector, b"\0")
    # unused directory slots are empty entries (type 0)
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(sector, b"\xff")
    header = (
        OLE_MAGIC
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (109 * 4 - 4)
    )
    assert len(header) == sector
    return header + fat_sector + directory + data
