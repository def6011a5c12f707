"""Upload checks: the content must be what the name says, and no larger than the cap.

The type is decided from the file's first bytes (and, for images, by Pillow opening them), never
from the name or the browser's Content-Type, so an HTML page renamed ``.pdf`` is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

UPLOAD_TOO_LARGE = _("文件过大：单个文件不能超过 %(limit)s MB。")
UPLOAD_TYPE_MISMATCH = _("文件内容与扩展名不符，或不是允许的类型（允许：%(allowed)s）。")
UPLOAD_EMPTY = _("文件为空。")

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
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
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
    if kind in ("jpeg", "png"):
        _verify_image(upload, mismatch)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        kind=kind, content_type=KINDS[kind][1], size=upload.size, sha256=digest.hexdigest(), original_name=name
    )


def _verify_image(upload: UploadedFile, error: ValidationError) -> None:
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise error from exc
    finally:
        upload.seek(0)
