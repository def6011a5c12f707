"""Background tasks, run by the django-tasks worker (``manage.py db_worker``).

django-tasks runs a task once and records a failure; it does not retry. Each task here takes an
``attempt`` number: when the work raises, the failure is written on the row staff look at
(``VolumeBuild.error`` / ``SentNotification.last_error``) and, below ``settings.TASK_MAX_ATTEMPTS``,
the task is enqueued again with ``attempt + 1`` — after a growing delay when the backend can defer
(the database backend can), at once otherwise. The exception is then re-raised so the backend
records that run as failed too (with its traceback, listed on the staff page of failed tasks).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import services

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASK_MAX_ATTEMPTS", 3)))


def retry_delay(attempt: int) -> dt.timedelta:
    base = int(getattr(settings, "TASK_RETRY_DELAY_SECONDS", 60))
    return dt.timedelta(seconds=base * 2 ** (attempt - 1))


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _retry(the_task, *, attempt: int, **kwargs) -> None:
    queued = the_task
    if the_task.get_backend().supports_defer:
        queued = the_task.using(run_after=timezone.now() + retry_delay(attempt))
    queued.enqueue(attempt=attempt + 1, **kwargs)


@task()
def send_notification(notification_id: int, attempt: int = 1) -> bool:
    try:
        return services.notification_deliver(notification_id=notification_id)
    except Exception as exc:
        final = attempt >= max_attempts()
        logger.warning("notification %s attempt %s failed: %s", notification_id, attempt, _error_text(exc))
        services.notification_failed(notification_id=notification_id, error=_error_text(exc), final=final)
        if not final:
            _retry(send_notification, attempt=attempt, notification_id=notification_id)
        raise


@task()
def build_volume(build_id: int, attempt: int = 1) -> int:
    from .volume import volume_build

    try:
        return volume_build(build_id=build_id)
    except Exception as exc:
        final = attempt >= max_attempts()
        logger.warning("volume build %s attempt %s failed: %s", build_id, attempt, _error_text(exc))
        services.volume_failed(build_id=build_id, error=_error_text(exc), final=final)
        if not final:
            _retry(build_volume, attempt=attempt, build_id=build_id)
        raise


@task()
def store_public_pdf(reply_id: int, attempt: int = 1) -> bool:
    """Render and store the redacted public PDF of a reply that became public (queued by
    ``services.public_pdf_queue``); until it is stored the public view answers 404."""
    try:
        return services.public_pdf_store(reply_id=reply_id) is not None
    except Exception as exc:
        final = attempt >= max_attempts()
        logger.warning("public PDF of reply %s attempt %s failed: %s", reply_id, attempt, _error_text(exc))
        if not final:
            _retry(store_public_pdf, attempt=attempt, reply_id=reply_id)
        raise
