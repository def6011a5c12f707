"""Every download of personal data says ``Cache-Control: private, no-store``.

Attachments, reply and record PDFs, scans, signatures, paper rating forms, the proposal export,
the statistics workbook and the compiled volumes carry names, phones, work units or handwriting:
neither a shared cache (a proxy on the agency's network) nor the browser's disk cache on a shared
office machine may keep a copy. Each URL is fetched by a user allowed to download it and its header
checked; the source check below keeps a new download from building its response by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from oversight.models import BuildStatus
from replies.models import Reply, ReplyStatus
from tests.factories import build_objects, png_bytes

ROOT = Path(__file__).resolve().parents[1]
APPS = ("audit", "common", "consultations", "documents", "oversight", "proposals", "replies", "search")
HELPER = ROOT / "common" / "downloads.py"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def cache_directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def objects(world):
    objects = build_objects(world)
    consultation = objects.a["consultation"]
    consultation.paper_scan.save("scan.pdf", ContentFile(PDF), save=False)
    consultation.signature.save("signature.png", ContentFile(png_bytes()), save=False)
    consultation.paper_scan_type = "application/pdf"
    consultation.save(update_fields=["paper_scan", "signature", "paper_scan_type"])
    volume = objects.a["volume"]
    volume.file.save("volume.pdf", ContentFile(PDF), save=False)
    volume.status = BuildStatus.DONE
    volume.save(update_fields=["file", "status"])
    return objects


def _issued_reply(objects) -> Reply:
    """Agency A's reply as if issued, with a stored file (the download serves it byte for byte)."""
    reply = objects.a["reply"]
    name = default_storage.save("replies/issued.pdf", ContentFile(PDF))
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.ISSUED, reply_class="A", pdf=name)
    return reply


# (label, who downloads, URL name, object of objects.a or a callable, extra query)
DOWNLOADS = [
    ("attachment", "staff", "proposals:attachment_download", "attachment", None),
    ("proposal export", "staff", "proposals:export", None, None),
    ("draft reply PDF", "handler_a", "replies:pdf", "reply", None),
    ("issued reply PDF", "handler_a", "replies:pdf", _issued_reply, None),
    ("record PDF", "handler_a", "consultations:pdf", "consultation", None),
    ("record scan", "handler_a", "consultations:scan", "consultation", None),
    ("signature image", "handler_a", "consultations:signature", "consultation", None),
    ("paper rating form", "staff", "consultations:rating_form", "rating", None),
    ("statistics workbook", "staff", "oversight:statistics_xlsx", "meeting", None),
    ("scorecard workbook", "staff", "oversight:statistics_xlsx", "meeting", {"part": "scorecard"}),
    ("compiled volume", "staff", "oversight:volume_download", "volume", None),
]


@pytest.mark.parametrize(("label", "persona", "name", "obj", "query"), DOWNLOADS, ids=[d[0] for d in DOWNLOADS])
def test_download_of_personal_data_is_private_and_not_stored(world, objects, login, label, persona, name, obj, query):
    user = world.personas()[persona]
    if obj is None:
        url = reverse(name)
    else:
        target = obj(objects) if callable(obj) else objects.a[obj]
        url = reverse(name, args=[target.pk])
    response = login(user).get(url, query or {})
    assert response.status_code == 200, (label, response.status_code)
    assert {"private", "no-store"} <= cache_directives(response), (label, response.get("Cache-Control"))
    if response.streaming:
        b"".join(response.streaming_content)  # read it: closes the file


def test_the_public_reply_pdf_may_be_cached(world, client):
    """The public copy is redacted and needs no login: it is not marked private (nothing to hide)."""
    from django.utils import timezone

    from oversight.services import public_pdf_store
    from tests.factories import make_reply

    reply = make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate())
    public_pdf_store(reply_id=reply.pk)  # as the task queued after the issuing commit does
    response = client.get(reverse("oversight:public_pdf", args=[reply.pk]))
    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)
    b"".join(response.streaming_content)  # read it: closes the file


FILE_RESPONSE_BY_HAND = re.compile(r"\bFileResponse\(|Content-Disposition|content_disposition_header\(")


def test_every_download_is_built_by_the_one_helper():
    """A view that builds a file response itself would skip the cache header: only the helper does."""
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == HELPER or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if FILE_RESPONSE_BY_HAND.search(line) and not line.lstrip().startswith(("#", "from ", "import ")):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert HELPER.exists()
    assert not offenders, "build downloads with common.downloads.file_download:\n" + "\n".join(offenders)
