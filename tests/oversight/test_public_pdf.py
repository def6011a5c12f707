"""The redacted public PDF of a reply is rendered once, when the reply becomes public, and stored
(issue 18, finding 11): an anonymous request only hands out the stored file, so it cannot make the
server render (a 400 KB letter took 12.5 s)."""

from __future__ import annotations

import hashlib
import io

import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

import documents.render
import oversight.public
import replies.pdf
from replies.models import Reply
from tests.factories import make_reply

HANDLER_PHONE = "13800000009"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def _no_rendering(*args, **kwargs):
    raise AssertionError("rendered a PDF")


@pytest.fixture
def renderer_fails(monkeypatch):
    """Every way to a rendered PDF raises from here on."""
    monkeypatch.setattr(weasyprint, "HTML", _no_rendering)
    monkeypatch.setattr(documents.render, "render_pdf", _no_rendering)
    monkeypatch.setattr(replies.pdf, "render_pdf", _no_rendering)
    monkeypatch.setattr(oversight.public, "render_public_reply_pdf", _no_rendering)
    monkeypatch.setattr("oversight.views.render_public_reply_pdf", _no_rendering, raising=False)


def _public_reply(world, **extra) -> Reply:
    world.assignment.status = "replied"
    world.assignment.save(update_fields=["status"])
    extra.setdefault("body", "经研究，现答复如下：正在推进产业合作。")
    return make_reply(
        world.assignment,
        by=world.handler_a,
        issued=timezone.localdate(),
        cls="B",
        phone=HANDLER_PHONE,
        handler_name="甲经办",
        **extra,
    )


@pytest.fixture
def published(world, run) -> Reply:
    """An issued public reply, saved as at issue: its post_save hooks run as a commit would run them."""
    return run(_public_reply, world)


def _stored_bytes(reply: Reply) -> bytes:
    from oversight.models import PublicReplyPdf

    stored = PublicReplyPdf.objects.get(reply=reply)
    with default_storage.open(stored.file.name, "rb") as fh:
        return fh.read()


def test_anonymous_request_for_the_public_pdf_never_renders(published, client, renderer_fails):
    url = reverse("oversight:public_pdf", args=[published.pk])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    body = b"".join(first.streaming_content) if first.streaming else first.content
    again = b"".join(second.streaming_content) if second.streaming else second.content
    assert body == again
    text = pdf_text(body)
    assert "正在推进产业合作" in text
    assert HANDLER_PHONE not in text
    assert "no-store" not in first.get("Cache-Control", "")


def test_public_pdf_is_stored_at_publication_with_its_sha256(published, client):
    from oversight.models import PublicReplyPdf

    stored = PublicReplyPdf.objects.get(reply=published)
    data = _stored_bytes(published)
    assert data.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert HANDLER_PHONE not in pdf_text(data)
    response = client.get(reverse("oversight:public_pdf", args=[published.pk]))
    assert b"".join(response.streaming_content) == data


def test_public_pdf_is_404_while_none_is_stored(world, client, renderer_fails):
    reply = _public_reply(world)  # saved without a commit: no task ran, nothing is stored
    assert client.get(reverse("oversight:public_detail", args=[reply.pk])).status_code == 200
    assert client.get(reverse("oversight:public_pdf", args=[reply.pk])).status_code == 404


def test_reply_that_is_not_public_gets_no_stored_pdf(world, run):
    from oversight.models import PublicReplyPdf

    reply = run(_public_reply, world, is_public=False, not_public_reason="涉及内部事项")
    assert not PublicReplyPdf.objects.filter(reply=reply).exists()


def test_unpublishing_removes_the_stored_pdf(published, world, client, run):
    from oversight import services
    from oversight.models import PublicReplyPdf

    name = PublicReplyPdf.objects.get(reply=published).file.name
    assert default_storage.exists(name)
    run(services.reply_unpublish, reply=published, actor=world.staff, reason="含有未脱敏信息")
    assert not PublicReplyPdf.objects.filter(reply=published).exists()
    assert not default_storage.exists(name)
    assert client.get(reverse("oversight:public_pdf", args=[published.pk])).status_code == 404


def test_refresh_public_pdfs_backfills_earlier_public_replies_once(world, client, monkeypatch):
    from oversight.models import PublicReplyPdf

    reply = _public_reply(world)  # published before the stored copies existed
    out = io.StringIO()
    call_command("refresh_public_pdfs", stdout=out)
    stored = PublicReplyPdf.objects.get(reply=reply)
    assert stored.sha256 == hashlib.sha256(_stored_bytes(reply)).hexdigest()
    assert "1" in out.getvalue()
    response = client.get(reverse("oversight:public_pdf", args=[reply.pk]))
    assert response.status_code == 200
    assert HANDLER_PHONE not in pdf_text(b"".join(response.streaming_content))

    # A second run renders nothing: every public reply has its copy.
    monkeypatch.setattr(replies.pdf, "render_pdf", _no_rendering)
    call_command("refresh_public_pdfs", stdout=io.StringIO())
    assert PublicReplyPdf.objects.get(reply=reply).file.name == stored.file.name


def test_refresh_public_pdfs_removes_the_copy_of_a_reply_no_longer_public(published, run):
    from oversight.models import PublicReplyPdf

    name = PublicReplyPdf.objects.get(reply=published).file.name
    Reply.objects.filter(pk=published.pk).update(is_public=False)  # around the service, as a fix-up would
    run(call_command, "refresh_public_pdfs", stdout=io.StringIO())
    assert not PublicReplyPdf.objects.filter(reply=published).exists()
    assert not default_storage.exists(name)


def test_public_reply_page_does_not_read_the_agency_seal(published, world, client, monkeypatch):
    """The public copy has no seal; an anonymous page view must not read (up to 2 MB) and encode it
    only to drop it."""
    import replies.pdf

    world.agency_a.seal = default_storage.save("seals/a.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    world.agency_a.save(update_fields=["seal"])
    monkeypatch.setattr(replies.pdf, "seal_data_uri", _no_rendering)
    response = client.get(reverse("oversight:public_detail", args=[published.pk]))
    assert response.status_code == 200
    assert "正在推进产业合作" in response.content.decode()
    # nor does rendering the stored copy
    from oversight.services import public_pdf_store

    stored = public_pdf_store(reply_id=published.pk, force=True)
    assert stored is not None and "正在推进产业合作" in pdf_text(_stored_bytes(published))
