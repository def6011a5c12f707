from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from proposals.models import DeclineReason, ProposalStatus
from tests.factories import make_proposal


@pytest.fixture
def submitted(world):
    """A proposal by 张三 awaiting review (no number yet)."""
    return make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.proposer,
        status=ProposalStatus.SUBMITTED,
        title="关于改善城区停车的建议",
    )


@pytest.fixture
def decline_reason(db):
    return DeclineReason.objects.create(text="内容空泛、没有具体建议")


def pdf_upload(name: str = "附件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def fake_pdf_upload(name: str = "evil.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="application/pdf")
