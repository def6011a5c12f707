"""An agency's seal (印章图片) is drawn into every reply letter it issues: the admin refuses an image
that WeasyPrint would have to decode at a huge size (issue 18, the gap of finding 6 in the admin)."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from proposals.admin import SEAL_MAX_SIDE, SEAL_TOO_LARGE
from proposals.models import Agency
from proposals.uploads import IMAGE_TOO_MANY_PIXELS, UPLOAD_TOO_LARGE, UPLOAD_TYPE_MISMATCH

pytestmark = pytest.mark.django_db


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG of that size whose pixels were never written: a few bytes that claim a huge image
    (what a decompression bomb looks like to a check that reads the header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def real_png(width: int, height: int, *, noise: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 0, 0))
    if noise:  # incompressible: the file is about width × height × 3 bytes
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _post_seal(client, agency: Agency, data: bytes, name: str = "seal.png"):
    url = reverse("admin:proposals_agency_change", args=[agency.pk])
    form = {
        "committee": agency.committee_id,
        "name": agency.name,
        "short_name": agency.short_name,
        "email": agency.email,
        "is_active": "on",
        "seal": SimpleUploadedFile(name, data, content_type="image/png"),
    }
    return client.post(url, form)


def _errors(response) -> str:
    return str(response.context["adminform"].form.errors.get("seal", ""))


def test_admin_stores_a_seal_of_ordinary_size(world, login):
    response = _post_seal(login(world.admin), world.agency_a, real_png(400, 400))
    assert response.status_code == 302, _errors(response)
    world.agency_a.refresh_from_db()
    assert world.agency_a.seal.name.startswith("seals/")


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (12_000, 8_000, IMAGE_TOO_MANY_PIXELS),  # 9600 万 pixels: only a warning for Pillow
        (16_000, 11_000, IMAGE_TOO_MANY_PIXELS),  # 1.76 亿
        (3_000, 3_000, IMAGE_TOO_MANY_PIXELS),  # 900 万: no bomb, but no seal is that large
        (SEAL_MAX_SIDE + 1, 100, SEAL_TOO_LARGE),  # few pixels, yet too wide for a seal
    ],
)
def test_admin_refuses_a_seal_too_large_to_draw(world, login, width, height, message):
    response = _post_seal(login(world.admin), world.agency_a, png_header_only(width, height))
    assert response.status_code == 200
    assert str(message).split("%")[0] in _errors(response)
    world.agency_a.refresh_from_db()
    assert not world.agency_a.seal


def test_admin_refuses_a_seal_file_over_2_mb(world, login):
    data = real_png(1000, 1000, noise=True)
    assert len(data) > 2 * 1024 * 1024
    response = _post_seal(login(world.admin), world.agency_a, data)
    assert response.status_code == 200
    assert str(UPLOAD_TOO_LARGE).split("%")[0] in _errors(response)
    world.agency_a.refresh_from_db()
    assert not world.agency_a.seal


def test_admin_refuses_a_seal_that_is_not_png_or_jpeg(world, login):
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, format="GIF")
    response = _post_seal(login(world.admin), world.agency_a, out.getvalue(), name="seal.gif")
    assert response.status_code == 200
    assert str(UPLOAD_TYPE_MISMATCH).split("%")[0] in _errors(response)
    world.agency_a.refresh_from_db()
    assert not world.agency_a.seal


def test_admin_keeps_the_stored_seal_when_other_fields_change(world, login):
    client = login(world.admin)
    assert _post_seal(client, world.agency_a, real_png(300, 300)).status_code == 302
    world.agency_a.refresh_from_db()
    seal = world.agency_a.seal.name
    url = reverse("admin:proposals_agency_change", args=[world.agency_a.pk])
    data = {"committee": world.agency_a.committee_id, "name": world.agency_a.name, "short_name": "甲发改委"}
    response = client.post(url, {**data, "email": "", "is_active": "on"})
    assert response.status_code == 302
    world.agency_a.refresh_from_db()
    assert (world.agency_a.short_name, world.agency_a.seal.name) == ("甲发改委", seal)
