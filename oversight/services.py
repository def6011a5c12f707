"""Writes of the oversight app: unpublishing a reply, storing its public PDF, queueing notifications,
requesting volumes.

The slow parts (sending mail, rendering a volume) run in the task worker (``oversight.tasks``);
the services here only write the row that describes the work and enqueue it after commit.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.log import record_event
from common.sms import send_sms
from documents.render import sha256_hex
from proposals.errors import DomainError
from proposals.models import Meeting, User
from proposals.roles import NOT_ALLOWED, is_staff_of
from proposals.timeline import timeline_record
from replies.models import Reply, ReplyStatus

from .actions import OversightAction
from .models import BuildStatus, Channel, DeliveryStatus, PublicReplyPdf, SentNotification, VolumeBuild, VolumeFormat
from .redaction import mask_phones
from .selectors import public_replies
from .volume import volume_replies

# --- Messages users see -------------------------------------------------------------------

UNPUBLISH_REASON_REQUIRED = _("请填写撤销公开的理由。")
NOT_PUBLISHED = _("该答复未公开或已撤销公开，无需再撤销。")
VOLUME_FORMAT_INVALID = _("请选择汇编格式。")
NO_ISSUED_REPLIES = _("本次会议还没有已签发的答复，无法汇编。")


# --- Public page -----------------------------------------------------------------------------
@transaction.atomic
def reply_unpublish(*, reply: Reply, actor: User, reason: str) -> Reply:
    """Take an issued public reply off the public page. The reply itself stays as issued."""
    if not is_staff_of(actor, reply.assignment.proposal.committee_id):
        raise DomainError(NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(UNPUBLISH_REASON_REQUIRED)
    reply = Reply.objects.select_for_update(of=("self",)).select_related("assignment__proposal").get(pk=reply.pk)
    if reply.status != ReplyStatus.ISSUED or not reply.is_public or reply.unpublished_at is not None:
        raise DomainError(NOT_PUBLISHED)
    reply.unpublished_at = timezone.now()
    reply.unpublished_by = actor
    reply.unpublish_reason = reason
    reply.save(update_fields=["unpublished_at", "unpublished_by", "unpublish_reason"])
    stored = PublicReplyPdf.objects.filter(reply=reply).first()
    if stored is not None:
        _public_pdf_remove(stored)
    timeline_record(
        proposal=reply.assignment.proposal,
        assignment=reply.assignment,
        actor=actor,
        action=OversightAction.UNPUBLISH,
        from_state="public",
        to_state="unpublished",
        note=reason,
    )
    # timeline_record also writes the audit row of the transition.
    return reply


# --- The stored public PDF ----------------------------------------------------------------------
def public_pdf_queue(reply: Reply) -> None:
    """Have the public PDF of a reply that is public and has none rendered, after commit, by the task
    worker: a long letter takes seconds to render, too long for the issuing transaction's locks (on
    SQLite the database's one write lock). Called when a reply is saved (``OversightConfig.ready``)."""
    if reply.status != ReplyStatus.ISSUED or not reply.is_public or reply.unpublished_at is not None:
        return  # decided without a query: most saves are of drafts
    if not public_replies().filter(pk=reply.pk, public_pdf__isnull=True).exists():
        return
    from .tasks import store_public_pdf

    reply_id = reply.pk
    transaction.on_commit(lambda: store_public_pdf.enqueue(reply_id=reply_id))


def public_pdf_store(*, reply_id: int, force: bool = False) -> PublicReplyPdf | None:
    """Render the redacted public PDF of a public reply and store it with its SHA-256; a stored copy
    is kept unless ``force``. None when the reply is not public (any more)."""
    from .public import render_public_reply_pdf

    reply = public_replies().select_related("assignment__proposal").filter(pk=reply_id).first()
    if reply is None:
        return None
    if not force:
        existing = PublicReplyPdf.objects.filter(reply=reply).first()
        if existing is not None:
            return existing
    data = render_public_reply_pdf(reply)  # outside any transaction: it may take seconds
    return _public_pdf_save(reply, data)


@transaction.atomic
def _public_pdf_save(reply: Reply, data: bytes) -> PublicReplyPdf | None:
    # Under the reply's lock, as reply_unpublish takes it: an unpublish while rendering wins.
    locked = list(Reply.objects.select_for_update().filter(pk=reply.pk).values_list("pk", flat=True))
    if not locked or not public_replies().filter(pk=reply.pk).exists():
        return None
    stored = PublicReplyPdf.objects.filter(reply=reply).first() or PublicReplyPdf(reply=reply)
    old_name = stored.file.name or ""
    proposal = reply.assignment.proposal
    stored.file.save(f"{proposal.number or proposal.pk}-{reply.pk}.pdf", ContentFile(data), save=False)
    stored.sha256 = sha256_hex(data)
    stored.size = len(data)
    stored.rendered_at = timezone.now()
    storage, name = stored.file.storage, stored.file.name or ""
    try:
        stored.save()
    except Exception:
        storage.delete(name)  # no on-rollback hook: the file of a refused row must not stay behind
        raise
    if old_name and old_name != name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return stored


def _public_pdf_remove(stored: PublicReplyPdf) -> None:
    storage, name = stored.file.storage, stored.file.name or ""
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))  # the file goes once the row's removal commits


@transaction.atomic
def public_pdfs_prune() -> int:
    """Remove the stored public PDFs of replies that are no longer public (changed around the
    services); returns how many."""
    stale = list(PublicReplyPdf.objects.select_for_update().exclude(reply__in=public_replies()))
    for stored in stale:
        _public_pdf_remove(stored)
    return len(stale)


# --- Notifications ---------------------------------------------------------------------------
def notification_queue(
    *,
    committee_id: int,
    kind: str,
    obj_type: str,
    obj_id: int,
    recipient: str,
    event_key: str,
    subject: str,
    body: str,
    channel: str = "email",
) -> SentNotification | None:
    """Record one message and enqueue its sending; None when it was recorded before (sent once).

    The unique constraint decides, so two reminder runs at the same moment cannot both send.
    Phone-like numbers are masked in the text as a last guard: e-mails never carry members' phones.
    """
    recipient = recipient.strip().lower() if channel == "email" else recipient.strip()
    try:
        with transaction.atomic():
            note = SentNotification.objects.create(
                channel=channel,
                committee_id=committee_id,
                kind=kind,
                object_type=obj_type,
                object_id=obj_id,
                recipient=recipient,
                event_key=event_key,
                subject=mask_phones(subject)[:200],
                body=mask_phones(body),
            )
    except IntegrityError:
        return None
    from .tasks import send_notification

    transaction.on_commit(lambda: send_notification.enqueue(notification_id=note.pk))
    return note


def notification_deliver(*, notification_id: int) -> bool:
    """Send one recorded message unless it was sent already; True when this call sent it."""
    with transaction.atomic():
        note = SentNotification.objects.select_for_update().get(pk=notification_id)
        if note.status == DeliveryStatus.SENT:
            return False
        note.attempts += 1
        note.save(update_fields=["attempts"])
    if note.channel == Channel.SMS:
        send_sms(note.recipient, note.body)
    else:
        send_mail(note.subject, note.body, None, [note.recipient], fail_silently=False)
    note.status = DeliveryStatus.SENT
    note.sent_at = timezone.now()
    note.last_error = ""
    note.save(update_fields=["status", "sent_at", "last_error"])
    return True


def notification_failed(*, notification_id: int, error: str, final: bool) -> None:
    SentNotification.objects.filter(pk=notification_id).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING, last_error=error[:2000]
    )


# --- Compiled volumes ------------------------------------------------------------------------
@transaction.atomic
def volume_request(*, meeting: Meeting, actor: User, fmt: str) -> VolumeBuild:
    """Ask the worker for a volume; a build of the same meeting and format still under way is reused."""
    if not is_staff_of(actor, meeting.committee_id):
        raise DomainError(NOT_ALLOWED)
    if fmt not in VolumeFormat.values:
        raise DomainError(VOLUME_FORMAT_INVALID)
    if not volume_replies(meeting.pk).exists():
        raise DomainError(NO_ISSUED_REPLIES)
    running = (
        VolumeBuild.objects.select_for_update()
        .filter(meeting=meeting, format=fmt, status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.RETRYING])
        .first()
    )
    if running is not None:
        return running
    build = VolumeBuild.objects.create(meeting=meeting, format=fmt, requested_by=actor)
    record_event(event="export", user=actor, obj=build, detail=f"volume requested {fmt}")
    from .tasks import build_volume

    transaction.on_commit(lambda: build_volume.enqueue(build_id=build.pk))
    return build


def volume_failed(*, build_id: int, error: str, final: bool) -> None:
    VolumeBuild.objects.filter(pk=build_id).exclude(status=BuildStatus.DONE).update(
        status=BuildStatus.FAILED if final else BuildStatus.RETRYING,
        error=error[:4000],
        finished_at=timezone.now() if final else None,
    )
