"""Compiled volumes (汇编): built by the task (immediate backend here), stored, downloaded by staff."""

from __future__ import annotations

import io
import re
import zipfile
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from oversight.models import BuildStatus, VolumeBuild, VolumeFormat
from replies.models import Reply


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def request_volume(client, run, meeting, fmt):
    return run(client.post, reverse("oversight:volume_request"), {"meeting": meeting.pk, "format": fmt})


def test_pdf_volume_with_table_of_contents(stats_data, world, login, run):
    client = login(world.staff)
    response = request_volume(client, run, stats_data.meeting, VolumeFormat.PDF)
    build = VolumeBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oversight:volume_detail", args=[build.pk])
    assert build.status == BuildStatus.DONE
    assert (build.done, build.total, build.attempts) == (5, 5, 1)  # five issued replies, the draft left out
    assert default_storage.exists(build.file.name)

    download = client.get(reverse("oversight:volume_download", args=[build.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    data = b"".join(download.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    toc = reader.pages[0].extract_text().replace(" ", "").replace("\u3000", "")
    assert "提案答复汇编" in toc and "目录" in toc
    for n in ("TB0007", "TB0008", "TB0009"):
        assert n in toc
    # Each letter starts on the page the TOC names (the first one right after the TOC).
    starts = [int(m.group(2)) for m in re.finditer(r"第(TB\d{4})号.*?[A-D](\d+)$", toc, flags=re.M | re.S)]
    assert starts[0] == 2 and len(starts) == 5 and starts == sorted(starts)
    numbers = re.findall(r"^第(TB\d{4})号", toc, flags=re.M)
    for number, page in zip(numbers, starts, strict=True):
        assert number in reader.pages[page - 1].extract_text().replace(" ", "")


def test_zip_volume_holds_one_pdf_per_issued_reply(stats_data, world, login, run):
    client = login(world.staff)
    request_volume(client, run, stats_data.meeting, VolumeFormat.ZIP)
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.DONE
    response = client.get(reverse("oversight:volume_download", args=[build.pk]))
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        names = zf.namelist()
        assert len(names) == 5
        assert any(name.startswith("TB0008-乙市商务局-第2轮") for name in names)
        assert all(zf.read(name).startswith(b"%PDF") for name in names)


def test_status_endpoint_reports_progress(stats_data, world, login, run):
    client = login(world.staff)
    request_volume(client, run, stats_data.meeting, VolumeFormat.ZIP)
    build = VolumeBuild.objects.get()
    data = client.get(reverse("oversight:volume_status", args=[build.pk])).json()
    assert data["status"] == "done" and data["percent"] == 100 and data["active"] is False
    assert data["download"] == reverse("oversight:volume_download", args=[build.pk])
    page = client.get(reverse("oversight:volume_detail", args=[build.pk])).content.decode()
    assert "js/oversight-volume.js" in page and "<script>" not in page


def test_queued_build_shows_progress_zero_and_no_download(stats_data, world, login):
    """Without a commit the task is not enqueued: the build stays queued, as while the worker is busy."""
    client = login(world.staff)
    client.post(reverse("oversight:volume_request"), {"meeting": stats_data.meeting.pk, "format": "pdf"})
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.QUEUED
    data = client.get(reverse("oversight:volume_status", args=[build.pk])).json()
    assert (data["active"], data["percent"], data["download"]) == (True, 0, "")
    assert client.get(reverse("oversight:volume_download", args=[build.pk])).status_code == 404
    # Asking again while it is queued reuses the same build.
    client.post(reverse("oversight:volume_request"), {"meeting": stats_data.meeting.pk, "format": "pdf"})
    assert VolumeBuild.objects.count() == 1


def test_a_meeting_without_issued_replies_gets_a_message_and_no_build(world, login, run):
    client = login(world.staff)
    response = request_volume(client, run, world.meeting, VolumeFormat.PDF)
    assert response.status_code == 302
    assert VolumeBuild.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "还没有已签发的答复" in page


def test_bad_format_writes_nothing(stats_data, world, login, run):
    response = request_volume(login(world.staff), run, stats_data.meeting, "docx")
    assert response.status_code == 302
    assert VolumeBuild.objects.count() == 0


def test_get_on_the_request_url_is_405(world, login):
    assert login(world.staff).get(reverse("oversight:volume_request")).status_code == 405


def test_a_failing_build_is_retried(stats_data, world, login, run):
    from oversight import volume

    real = volume.build_zip
    calls = {"n": 0}

    def flaky(build, replies):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("磁盘已满")
        return real(build, replies)

    with mock.patch.object(volume, "build_zip", side_effect=flaky):
        request_volume(login(world.staff), run, stats_data.meeting, VolumeFormat.ZIP)
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.DONE
    assert build.attempts == 2 and build.error == ""


def test_a_build_that_keeps_failing_is_shown_to_staff(stats_data, world, login, run):
    from oversight import volume

    client = login(world.staff)
    with mock.patch.object(volume, "build_pdf", side_effect=RuntimeError("字体缺失")):
        request_volume(client, run, stats_data.meeting, VolumeFormat.PDF)
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.FAILED
    assert build.attempts == 3
    assert "字体缺失" in build.error
    page = client.get(reverse("oversight:failed_tasks")).content.decode()
    assert "字体缺失" in page
    assert "字体缺失" in client.get(reverse("oversight:volume_detail", args=[build.pk])).content.decode()


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "proposer", "admin"])
def test_volumes_are_404_for_non_staff(stats_data, world, login, run, persona):
    staff = login(world.staff)
    request_volume(staff, run, stats_data.meeting, VolumeFormat.ZIP)
    build = VolumeBuild.objects.get()
    client = login(world.personas()[persona])
    for name in ("volume_detail", "volume_status", "volume_download"):
        assert client.get(reverse(f"oversight:{name}", args=[build.pk])).status_code == 404
    assert client.get(reverse("oversight:volumes")).status_code == 404
    assert (
        client.post(
            reverse("oversight:volume_request"), {"meeting": stats_data.meeting.pk, "format": "pdf"}
        ).status_code
        == 404
    )
    assert VolumeBuild.objects.count() == 1


def test_download_is_audited(stats_data, world, login, run):
    client = login(world.staff)
    request_volume(client, run, stats_data.meeting, VolumeFormat.ZIP)
    build = VolumeBuild.objects.get()
    before = AuditEvent.objects.filter(event="export", object_pk=str(build.pk)).count()
    client.get(reverse("oversight:volume_download", args=[build.pk]))
    after = AuditEvent.objects.filter(event="export", object_pk=str(build.pk))
    assert after.count() == before + 1
    assert after.latest("id").username == world.staff.username


def test_issued_replies_only(stats_data):
    from oversight.volume import volume_replies

    assert (
        volume_replies(stats_data.meeting.pk).count()
        == Reply.objects.filter(assignment__proposal__meeting=stats_data.meeting, status="issued").count()
        == 5
    )
