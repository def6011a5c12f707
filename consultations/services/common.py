"""What the consultation services share: row locks, the audit line, the scan check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from audit.log import record_event
from proposals.errors import DomainError
from proposals.models import Assignment, User
from proposals.roles import is_handler_of
from proposals.uploads import KINDS, SCAN_KINDS, UPLOAD_TOO_LARGE, check_upload

PROPOSAL_CLOSED = _("提案已办结，不能再修改。")
SCAN_REQUIRED = _("请上传委员签字的纸质面商记录表扫描件（PDF、JPEG 或 PNG）。")
SCAN_MAX_BYTES = 20 * 1024 * 1024


def lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal", "agency", "proposal__meeting", "proposal__committee")
        .get(pk=assignment.pk)
    )


def is_agency_handler(actor: User, assignment: Assignment) -> bool:
    return is_handler_of(actor, assignment.agency_id)


def audit_event(actor: User, obj, detail: str, outcome: str = "ok") -> None:
    record_event(event="transition", user=actor, obj=obj, detail=detail, outcome=outcome)


def checked_scan(upload: UploadedFile | None, missing_message) -> tuple[UploadedFile, str, str, str]:
    """The upload, its SHA-256, content type and the extension of the kind its content proved to be."""
    if upload is None:
        raise DomainError(missing_message, code="invalid")
    if upload.size is not None and upload.size > SCAN_MAX_BYTES:
        raise DomainError(UPLOAD_TOO_LARGE % {"limit": SCAN_MAX_BYTES // (1024 * 1024)}, code="invalid")
    try:
        checked = check_upload(upload, kinds=SCAN_KINDS)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid") from None
    return upload, checked.sha256, checked.content_type, KINDS[checked.kind][0][0]
