"""The workbook's background work (django-tasks): a browser import's check and commit, and the
PDFs of imported issued replies."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_import(token: str, commit: bool = False) -> bool:
    """Check (and with ``commit``, import) the workbook a staff member uploaded as job ``token``."""
    from .jobs import job_run

    return job_run(token=token, commit=commit)


@task()
def store_imported_pdfs(reply_ids: list[int]) -> int:
    """Render and store the frozen PDFs of imported issued replies (their real 成文日期)."""
    from .importer import store_issued_pdfs

    return store_issued_pdfs(reply_ids)
