"""Media in an S3-compatible object store (issue 22, item 1), against moto's S3 server.

moto's server mode speaks the S3 protocol over HTTP on 127.0.0.1: a stand-in for MinIO, Ceph RGW or
a cloud object store, none of which installs here. Each test points ``STORAGES["default"]`` at a
bucket of its own, built by the same function the settings use for ``S3_BUCKET``, and checks that
the files are objects in the bucket (and nothing lands in MEDIA_ROOT), that the pages serve them
after their access check, and that a backup and a restore carry them.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

pytest.importorskip("moto.server", reason="moto[server] is not installed (it is in the dev extra: make deps)")

from moto.server import ThreadedMotoServer

from common.storage import check_object_storage_reachable, check_object_storage_settings, walk
from common.storage_settings import s3_storage
from tests.factories import (
    draft_reply,
    issue,
    pdf_upload,
    png_bytes,
    record,
    schedule,
    sign,
    signature_data_url,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: a free one
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    name: str
    env: dict[str, str]
    client: Any

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {obj["Key"] for page in pages for obj in page.get("Contents", ())}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "proposal-desk-test",
        "S3_SECRET_ACCESS_KEY": "proposal-desk-test-secret",
    }


@pytest.fixture
def bucket(settings, tmp_path, s3_endpoint):
    """A fresh bucket, the default storage pointed at it; MEDIA_ROOT must stay untouched."""
    import boto3

    name = f"pd-{uuid.uuid4().hex[:12]}"
    env = s3_env(s3_endpoint, name)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(env)}
    settings.MEDIA_ROOT = tmp_path / "media-unused"
    settings.TASKS = IMMEDIATE
    assert default_storage.bucket_name == name  # the lazy default storage follows the setting
    yield Bucket(name=name, env=env, client=client)
    assert not (tmp_path / "media-unused").exists(), "a file went to the local folder instead of the bucket"


def signed_record(world, **overrides):
    """The round's record signed online by every proposer of the joint proposal (the issue needs it)."""
    consultation = sign(world, record(world, schedule(world)), **overrides)
    if not consultation.is_locked:
        consultation = sign(world, consultation, actor=world.cosigner_user)
    return consultation


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_settings_choose_the_object_store_from_the_environment():
    assert s3_storage({}) is None
    entry = s3_storage(s3_env("http://127.0.0.1:9000", "media"))
    assert entry is not None and entry["BACKEND"] == "storages.backends.s3.S3Storage"
    options = entry["OPTIONS"]
    assert options["region_name"] == "us-east-1"
    assert options["querystring_auth"] is False and options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["client_config"].s3 == {"addressing_style": "path"}


def test_a_bucket_without_endpoint_or_keys_fails_the_check(settings):
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage({"S3_BUCKET": "media"})}
    [error] = check_object_storage_settings()
    assert error.id == "common.E001"
    assert "S3_ENDPOINT_URL" in error.msg and "S3_ACCESS_KEY_ID" in error.msg and "S3_SECRET_ACCESS_KEY" in error.msg
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_env("http://127.0.0.1:9", "media"))}
    assert check_object_storage_settings() == []


def test_check_deploy_asks_the_store_for_the_bucket(settings, bucket):
    assert check_object_storage_reachable() == []
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage({**bucket.env, "S3_BUCKET": "no-such-bucket"}),
    }
    [error] = check_object_storage_reachable()
    assert error.id == "common.E002" and "no-such-bucket" in error.msg


def test_attachment_is_an_object_and_only_those_who_may_see_the_proposal_download_it(world, login, bucket):
    from proposals.models import Attachment

    upload = pdf_upload("调研报告.pdf", size=4000)
    content = upload.read()
    upload.seek(0)
    response = login(world.staff).post(
        reverse("proposals:attachment_upload", args=[world.proposal.pk]), {"file": upload}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=world.proposal)
    assert bucket.keys() == {attachment.file.name}
    assert bucket.read(attachment.file.name) == content
    url = reverse("proposals:attachment_download", args=[attachment.pk])
    response = login(world.handler_a).get(url)
    assert response.status_code == 200
    assert body(response) == content
    assert int(response["Content-Length"]) == len(content)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "attachment;" in response["Content-Disposition"]
    assert login(world.handler_b).get(url).status_code == 404
    assert login(world.unrelated_user).get(url).status_code == 404


def test_issued_reply_pdf_with_seal_and_signed_record_are_objects_served_after_the_access_check(world, login, bucket):
    agency = world.agency_a
    seal = png_bytes((240, 240))
    agency.seal.save("seal.png", ContentFile(seal), save=True)
    reply = draft_reply(world)
    consultation = signed_record(world, signature_data_url=signature_data_url())
    reply = issue(world, reply)
    consultation.refresh_from_db()
    keys = bucket.keys()
    assert {agency.seal.name, reply.pdf.name, consultation.signature.name} <= keys
    stored_pdf = bucket.read(reply.pdf.name)
    assert hashlib.sha256(stored_pdf).hexdigest() == reply.pdf_sha256
    # The seal was read back from the bucket and drawn on the letter (WeasyPrint fetches no file path).
    images = [image for page in PdfReader(io.BytesIO(stored_pdf)).pages for image in page.images]
    assert any(image.image.size == (240, 240) for image in images), [image.image.size for image in images]
    # The issued letter is served from the bucket byte for byte, to its agency only.
    url = reverse("replies:pdf", args=[reply.pk])
    response = login(world.handler_a).get(url)
    assert response.status_code == 200 and body(response) == stored_pdf
    assert login(world.handler_b).get(url).status_code == 404
    # The drawn signature: stored as an object, served as it was drawn, and printed on the record.
    assert bucket.read(consultation.signature.name) == png_bytes()
    response = login(world.handler_a).get(reverse("consultations:signature", args=[consultation.pk]))
    assert response.status_code == 200 and body(response) == png_bytes()
    assert login(world.handler_b).get(reverse("consultations:signature", args=[consultation.pk])).status_code == 404
    record_pdf = body(login(world.handler_a).get(reverse("consultations:pdf", args=[consultation.pk])))
    assert len(PdfReader(io.BytesIO(record_pdf)).pages[0].images) == 1


def test_paper_scan_is_an_object_served_to_the_agency_only(world, login, bucket):
    from consultations import services

    upload = pdf_upload("签字记录表.pdf", size=2000)
    content = upload.read()
    upload.seek(0)
    consultation = record(world, schedule(world))
    consultation = services.consultation_sign_paper(
        consultation=consultation, actor=world.staff, scan=upload, opinion="agree"
    )
    assert bucket.read(consultation.paper_scan.name) == content
    url = reverse("consultations:scan", args=[consultation.pk])
    response = login(world.handler_a).get(url)
    assert response.status_code == 200 and body(response) == content
    assert login(world.handler_b).get(url).status_code == 404


def test_volume_is_built_from_the_bucket_into_the_bucket(world, login, bucket, django_capture_on_commit_callbacks):
    from oversight.models import BuildStatus, VolumeBuild

    signed_record(world)
    reply = issue(world, draft_reply(world))
    stored_pdf = bucket.read(reply.pdf.name)
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the request commits
        response = login(world.staff).post(
            reverse("oversight:volume_request"), {"meeting": world.meeting.pk, "format": "zip"}
        )
    assert response.status_code == 302
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.DONE and build.file.name in bucket.keys()
    url = reverse("oversight:volume_download", args=[build.pk])
    data = body(login(world.staff).get(url))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        # Each letter in the volume is the issued file read back from the bucket, byte for byte.
        assert [zf.read(name) for name in zf.namelist()] == [stored_pdf]
    assert data == bucket.read(build.file.name)
    assert login(world.handler_a).get(url).status_code == 404


def test_workbook_import_keeps_its_file_and_state_in_the_bucket(world, login, bucket):
    from oversight.workbook import columns as c
    from proposals.models import Proposal
    from tests.oversight.workbook_files import workbook_bytes

    committee = world.meeting.committee.name
    data = workbook_bytes(
        {
            c.MEMBERS: [{"committee": committee, "name": "新委员", "work_unit": "丁单位", "phone": "13800000009"}],
            c.PROPOSALS: [
                {
                    "committee": committee,
                    "meeting": "8-3",
                    "number": "TA0600",
                    "title": "关于新建公园的建议",
                    "proposer_kind": "individual",
                    "first_proposer": "新委员",
                    "first_proposer_unit": "丁单位",
                    "main_content": "新建公园",
                    "status": "registered",
                    "created_by": "staff1",
                }
            ],
        }
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("数据.xlsx", data, content_type="application/octet-stream")
    client = login(world.staff)
    job_url = client.post(reverse("oversight:workbook_upload"), {"file": upload})["Location"]
    token = job_url.rstrip("/").split("/")[-1]
    prefix = f"workbook-imports/{token}/"
    assert bucket.read(prefix + "upload.xlsx") == data
    assert json.loads(bucket.read(prefix + "job.json"))["step"] == "checked"
    assert client.get(reverse("oversight:workbook_job_status", args=[token])).json()["percent"] == 100
    assert login(world.handler_a).get(job_url).status_code == 404
    client = login(world.staff)
    client.post(reverse("oversight:workbook_commit", args=[token]))
    assert Proposal.objects.filter(number="TA0600").exists()
    # The job's state stays; the workbook (members' phones) is gone from the bucket once imported.
    assert {key for key in bucket.keys() if key.startswith(prefix)} == {prefix + "job.json"}
    assert json.loads(bucket.read(prefix + "job.json"))["step"] == "done"


def test_walk_lists_every_object_once(bucket):
    names = {"a.txt", "replies/2026/b.pdf", "replies/2026/c.pdf", "volumes/d.zip"}
    for name in names:
        default_storage.save(name, ContentFile(name.encode()))
    assert sorted(walk(default_storage)) == sorted(names)


def test_backup_and_restore_carry_the_media_of_the_bucket(tmp_path, bucket):
    """``manage.py backup`` and ``restore`` in a child process configured by the S3_* variables alone
    (the database part of the round trip is tests/audit/test_backup.py's)."""
    from tests.audit.subproc import Site, base_env

    # An empty database file will do: the media part reads no table (and a migrate costs seconds).
    site = Site(
        base_env(
            SQLITE_PATH=str(tmp_path / "db.sqlite3"),
            MEDIA_ROOT=str(tmp_path / "media"),
            AUDIT_ANCHOR_PATH=str(tmp_path / "audit-anchor.log"),
            **bucket.env,
        )
    )
    original = {"attachments/keep.pdf": b"%PDF-1.4 original", "replies/2026/letter.pdf": b"%PDF-1.4 letter"}
    for key, data in original.items():
        bucket.client.put_object(Bucket=bucket.name, Key=key, Body=data)
    backup_dir = tmp_path / "backup"
    out = site.manage("backup", "-o", str(backup_dir)).stdout
    assert "media files: 2" in out  # read from the bucket: the child's MEDIA_ROOT is empty
    assert not (tmp_path / "media").exists()
    assert (backup_dir / "media" / "attachments" / "keep.pdf").read_bytes() == b"%PDF-1.4 original"
    sums = (backup_dir / "media.sha256").read_text().splitlines()
    assert f"{hashlib.sha256(b'%PDF-1.4 letter').hexdigest()}  replies/2026/letter.pdf" in sums
    # After the backup: one object deleted, one added, one overwritten.
    bucket.client.delete_object(Bucket=bucket.name, Key="attachments/keep.pdf")
    bucket.client.put_object(Bucket=bucket.name, Key="attachments/new.pdf", Body=b"%PDF-1.4 later")
    bucket.client.put_object(Bucket=bucket.name, Key="replies/2026/letter.pdf", Body=b"%PDF-1.4 changed")
    site.manage("restore", "--noinput", str(backup_dir))
    # The bucket holds exactly the backed-up objects again, byte for byte.
    assert {key: bucket.read(key) for key in bucket.keys()} == original
    # A backup file changed after the fact is refused before anything is restored.
    (backup_dir / "media" / "attachments" / "keep.pdf").write_bytes(b"%PDF-1.4 forged")
    bucket.client.put_object(Bucket=bucket.name, Key="attachments/new.pdf", Body=b"%PDF-1.4 later")
    result = site.manage("restore", "--noinput", str(backup_dir), check=False)
    assert result.returncode != 0 and "checksum" in result.stderr
    assert bucket.read("attachments/keep.pdf") == b"%PDF-1.4 original"
    assert "attachments/new.pdf" in bucket.keys()


MEDIA_BY_PATH = re.compile(
    r"settings\.MEDIA_ROOT|[\"']MEDIA_ROOT[\"']|FileSystemStorage"
    r"|\b(?:file|pdf|seal|signature|paper_scan|paper_form|storage)\.path\b"
)
APPS = ("audit", "common", "consultations", "documents", "oversight", "proposals", "replies", "search")
SETTINGS_FILES = {Path("common/storage_settings.py")}


def test_no_app_code_reaches_media_by_a_local_path():
    """Media is read and written through the storage API only: in an object store there is no path."""
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if relative in SETTINGS_FILES or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if MEDIA_BY_PATH.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "use the storage API (default_storage, FieldFile.open):\n" + "\n".join(offenders)
