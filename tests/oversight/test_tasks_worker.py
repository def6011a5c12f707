"""The real queue: django-tasks' database backend, and one pass of ``manage.py db_worker``.

These tests commit (transactional_db), as the web process and the worker do in production: the
request only writes the queue row; the worker, run here with --batch, picks it up and does the work.
"""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oversight.models import BuildStatus, DeliveryStatus, PublicReplyPdf, SentNotification, VolumeBuild
from oversight.reminders import send_reminders
from replies.models import Reply, ReplyStatus
from tests.factories import make_world

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_backend(settings):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_RETRY_DELAY_SECONDS = 0  # retries become due at once, so one batch pass runs them


def work_off() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, stdout=io.StringIO())


@pytest.fixture
def issued_world():
    world = make_world()
    Reply.objects.create(
        assignment=world.assignment,
        status=ReplyStatus.ISSUED,
        reply_class="A",
        title="关于第 TA0001 号提案的答复",
        addressee="张三委员：",
        body="已经解决。",
        created_by=world.handler_a,
        issued_at=timezone.now(),
        reply_date=timezone.localdate(),
    )
    return world


def test_volume_request_only_queues_and_the_worker_builds(issued_world, client):
    client.force_login(issued_world.staff)
    client.post(reverse("oversight:volume_request"), {"meeting": issued_world.meeting.pk, "format": "zip"})
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.QUEUED  # the request did not do the work
    assert DBTaskResult.objects.filter(task_path="oversight.tasks.build_volume", status="READY").count() == 1
    work_off()
    build.refresh_from_db()
    assert build.status == BuildStatus.DONE and build.total == 1
    assert DBTaskResult.objects.get(task_path="oversight.tasks.build_volume").status == "SUCCESSFUL"


def test_a_reply_saved_public_only_queues_its_public_pdf_and_the_worker_stores_it(issued_world, client):
    reply = Reply.objects.get()
    url = reverse("oversight:public_pdf", args=[reply.pk])
    assert DBTaskResult.objects.filter(task_path="oversight.tasks.store_public_pdf", status="READY").count() == 1
    assert client.get(url).status_code == 404  # not rendered by the save, nor by the request
    work_off()
    assert PublicReplyPdf.objects.filter(reply=reply).exists()
    assert DBTaskResult.objects.get(task_path="oversight.tasks.store_public_pdf").status == "SUCCESSFUL"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_reminders_are_sent_by_the_worker(issued_world):
    issued_world.handler_a.email = "handler_a@example.org"
    issued_world.handler_a.save(update_fields=["email"])
    issued_world.assignment.due_date = timezone.localdate() + dt.timedelta(days=1)
    issued_world.assignment.save(update_fields=["due_date"])
    assert send_reminders().total == 1
    assert mail.outbox == []
    work_off()
    assert len(mail.outbox) == 1
    assert SentNotification.objects.get().status == DeliveryStatus.SENT


def test_failed_runs_are_retried_and_recorded(issued_world, client, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    client.force_login(issued_world.staff)
    client.post(reverse("oversight:volume_request"), {"meeting": issued_world.meeting.pk, "format": "pdf"})
    with mock.patch("oversight.volume.build_pdf", side_effect=RuntimeError("渲染失败")):
        work_off()
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.FAILED and build.attempts == 2
    runs = DBTaskResult.objects.filter(task_path="oversight.tasks.build_volume").order_by("enqueued_at")
    assert [r.status for r in runs] == ["FAILED", "FAILED"]
    assert [r.args_kwargs["kwargs"].get("attempt", 1) for r in runs] == [1, 2]
    page = client.get(reverse("oversight:failed_tasks")).content.decode()
    assert "渲染失败" in page and "oversight.tasks.build_volume" in page
