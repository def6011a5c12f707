"""A browser import as a job the background worker runs: the uploaded file and a small JSON state
(step, progress, the preview) kept through the storage API beside it, so any web process or worker
machine reads the same job (no state in process memory; no table needed for a short-lived job).

Steps: ``checking`` → ``checked`` (the preview; nothing written) → ``committing`` → ``done``; a file
refused as a whole ends ``refused``, an error during the work ``failed``. Only the user who uploaded
the file may see or commit the job.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.probes import record_out_of_scope
from common.storage import replace
from proposals.errors import DomainError
from proposals.models import User

from .importer import MAX_BYTES, TOO_LARGE, WorkbookRefused, workbook_import

logger = logging.getLogger(__name__)

FOLDER = "workbook-imports"
NOT_CHECKED = _("请先完成检查，且没有问题后才能导入。")
NO_FILE = _("请选择要导入的 .xlsx 文件。")
WORK_FAILED = _("处理时出错，没有写入任何数据：%(error)s")


class Step:
    CHECKING = "checking"
    CHECKED = "checked"
    REFUSED = "refused"
    COMMITTING = "committing"
    DONE = "done"
    FAILED = "failed"


ACTIVE = (Step.CHECKING, Step.COMMITTING)
STEP_LABELS = {
    Step.CHECKING: _("正在检查"),
    Step.CHECKED: _("检查完成"),
    Step.REFUSED: _("无法导入"),
    Step.COMMITTING: _("正在导入"),
    Step.DONE: _("导入完成"),
    Step.FAILED: _("导入失败"),
}


def _path(token: str, name: str) -> str:
    return f"{FOLDER}/{token}/{name}"


def _write(token: str, job: dict[str, Any]) -> None:
    # Replaced in place: in an object store the status page polling meanwhile never finds no job.
    replace(default_storage, _path(token, "job.json"), ContentFile(json.dumps(job, ensure_ascii=False).encode()))


def _read(token: str) -> dict[str, Any] | None:
    if not token.isalnum():
        return None
    path = _path(token, "job.json")
    try:
        with default_storage.open(path, "rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def _forget_file(token: str) -> None:
    """The uploaded workbook (members' phones among its cells) is not kept once it is imported or
    refused; the job's state stays for its page."""
    path = _path(token, "upload.xlsx")
    if default_storage.exists(path):
        default_storage.delete(path)


def job_update(token: str, **changes: Any) -> dict[str, Any]:
    job = _read(token) or {}
    job.update(changes)
    _write(token, job)
    return job


def job_create(*, actor: User, upload: UploadedFile | None) -> str:
    """Keep the uploaded file and queue its check; returns the job's token."""
    if upload is None:
        raise DomainError(NO_FILE)
    if (upload.size or 0) > MAX_BYTES:
        raise DomainError(str(TOO_LARGE) % {"mb": MAX_BYTES // (1024 * 1024)})
    token = secrets.token_hex(16)
    default_storage.save(_path(token, "upload.xlsx"), upload)
    _write(
        token,
        {
            "token": token,
            "user_id": actor.pk,
            "filename": (upload.name or "")[:200],
            "size": upload.size,
            "step": Step.CHECKING,
            "done": 0,
            "total": 0,
            "message": "",
            "summary": None,
            "created_at": timezone.now().isoformat(),
        },
    )
    from .tasks import run_import

    run_import.enqueue(token=token, commit=False)
    return token


def job_for_user(user: User, token: str) -> dict[str, Any]:
    """The job, when ``user`` uploaded it; 404 otherwise (missing and not yours alike)."""
    job = _read(token)
    if job is None or job.get("user_id") != user.pk:
        record_out_of_scope(user, "oversight.workbook job", token[:40])
        raise Http404
    job["step_label"] = str(STEP_LABELS.get(job.get("step", ""), ""))
    job["active"] = job.get("step") in ACTIVE
    job["percent"] = int(100 * job["done"] / job["total"]) if job.get("total") else 0
    return job


def job_commit(*, actor: User, token: str) -> None:
    # A second 确认导入 (a double click, two tabs) must not queue a second import: the uploader's
    # row is locked while the step is read and moved on, so the second request sees "committing".
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        job = job_for_user(actor, token)
        summary = job.get("summary") or {}
        if job.get("step") != Step.CHECKED or summary.get("problems"):
            raise DomainError(NOT_CHECKED)
        job_update(token, step=Step.COMMITTING, done=0, message="")
    from .tasks import run_import

    run_import.enqueue(token=token, commit=True)


def job_run(*, token: str, commit: bool) -> bool:
    """The worker's part: check (or import) the job's file, keeping the state up to date."""
    job = _read(token)
    if job is None:
        return False
    if job.get("step") != (Step.COMMITTING if commit else Step.CHECKING):
        return False  # done already (a task queued twice), or refused: nothing left to do
    actor = User.objects.filter(pk=job["user_id"], is_active=True).first()
    if actor is None:
        job_update(token, step=Step.FAILED, message=str(WORK_FAILED) % {"error": "user"})
        return False

    def progress(done: int, total: int) -> None:
        job_update(token, done=done, total=total)

    try:
        with default_storage.open(_path(token, "upload.xlsx"), "rb") as fh:
            result = workbook_import(source=fh.read(), actor=actor, dry_run=not commit, progress=progress)
    except WorkbookRefused as exc:
        job_update(token, step=Step.REFUSED, message=exc.message)
        _forget_file(token)
        return False
    except Exception as exc:
        logger.exception("workbook import %s failed", token)
        job_update(token, step=Step.FAILED, message=str(WORK_FAILED) % {"error": type(exc).__name__})
        raise
    plan = result.plan
    if commit and result.committed:
        job_update(
            token, step=Step.DONE, summary=plan.summary(), created=result.created, events=result.events,
            done=plan.total_rows, total=plan.total_rows,
        )  # fmt: skip
        _forget_file(token)
        if result.issued_replies:
            from .tasks import store_imported_pdfs

            store_imported_pdfs.enqueue(reply_ids=result.issued_replies)
        return True
    job_update(token, step=Step.CHECKED, summary=plan.summary(), done=plan.total_rows, total=plan.total_rows)
    return plan.ok
