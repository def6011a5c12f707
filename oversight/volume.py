"""Building a compiled volume (汇编) of a meeting's issued replies. Runs in the task worker.

The one-file PDF renders each letter with the replies app's template and context (the same
output as its own PDF), then a table of contents whose page numbers count the volume's physical
pages, TOC included, and joins all pages with WeasyPrint. The zip holds each reply's stored,
issued PDF byte for byte (rendered afresh only for a reply that has no stored file).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from documents.formats import document_date
from documents.render import font_css, html_document
from proposals.models import ANSWERING_ROLES
from replies.models import Reply, ReplyStatus

from .models import BuildStatus, VolumeBuild, VolumeFormat

TOC_TEMPLATE = "documents/volume_toc.html"


def volume_replies(meeting_id: int) -> QuerySet[Reply]:
    """All issued answers of the meeting in the order of the volume: proposal number, agency, round.
    Co-handlers' views (会办意见) went to the lead agency, not to the member: they are not in it."""
    return (
        Reply.objects.filter(
            assignment__proposal__meeting_id=meeting_id,
            assignment__role__in=ANSWERING_ROLES,
            status=ReplyStatus.ISSUED,
        )
        .select_related(
            "assignment",
            "assignment__agency",
            "assignment__proposal",
            "assignment__proposal__meeting",
            "assignment__proposal__committee",
        )
        .order_by(
            "assignment__proposal__sequence", "assignment__proposal__number", "assignment__agency__name", "round", "id"
        )
    )


@dataclass
class TocEntry:
    number: str
    subject: str  # the proposal's own title ("关于加强交流共谋发展"): what the reply answers
    title: str
    agency: str
    reply_class: str
    page: int


def _progress(build: VolumeBuild, done: int) -> None:
    # A separate short write per reply, so the status endpoint (another request) sees it move.
    VolumeBuild.objects.filter(pk=build.pk).update(done=done)


def _html_document(html: str):
    # The documents' own fetcher: fonts, their static files and data: URIs only (documents.render).
    return html_document(html).render()


def _render_letter(reply: Reply):
    """The letter laid out as an issued one is (``replies.pdf.reply_document``), for the volume."""
    from replies.pdf import reply_context, reply_document

    with translation.override("zh-hans"):
        return reply_document(reply_context(reply))


def _render_toc(build: VolumeBuild, entries: list[TocEntry]):
    context = {
        "font_css": mark_safe(font_css()),  # noqa: S308 - built from settings only
        "committee": build.meeting.committee.short_name,
        "meeting": build.meeting.display_name,
        "entries": entries,
        "date_text": document_date(timezone.localdate()),
    }
    return _html_document(render_to_string(TOC_TEMPLATE, context))


def build_pdf(build: VolumeBuild, replies: list[Reply]) -> bytes:
    letters = []
    for i, reply in enumerate(replies, start=1):
        letters.append((reply, _render_letter(reply)))
        _progress(build, i)

    def entries(offset: int) -> list[TocEntry]:
        page = offset + 1
        out = []
        for reply, doc in letters:
            proposal = reply.assignment.proposal
            out.append(
                TocEntry(
                    number=proposal.display_number,
                    subject=proposal.title,
                    title=reply.title,
                    agency=reply.assignment.agency.name,
                    reply_class=reply.reply_class,
                    page=page,
                )
            )
            page += len(doc.pages)
        return out

    # The TOC's own length shifts every page number after it: render until it stops changing.
    toc_pages = 1
    toc = _render_toc(build, entries(toc_pages))
    for _attempt in range(3):
        if len(toc.pages) == toc_pages:
            break
        toc_pages = len(toc.pages)
        toc = _render_toc(build, entries(toc_pages))
    pages = [*toc.pages, *(p for _reply, doc in letters for p in doc.pages)]
    return toc.copy(pages).write_pdf()


def _zip_name(reply: Reply) -> str:
    proposal = reply.assignment.proposal
    number = proposal.number or f"P{proposal.pk}"
    suffix = f"-第{reply.round}轮" if reply.round > 1 else ""
    return f"{number}-{reply.assignment.agency.name}{suffix}-{reply.pk}.pdf"


def build_zip(build: VolumeBuild, replies: list[Reply]) -> bytes:
    from replies.pdf import reply_pdf_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, reply in enumerate(replies, start=1):
            zf.writestr(_zip_name(reply), reply_pdf_bytes(reply))
            _progress(build, i)
    return buffer.getvalue()


def volume_filename(build: VolumeBuild) -> str:
    ext = "zip" if build.format == VolumeFormat.ZIP else "pdf"
    return f"{build.meeting.display_name}提案答复汇编.{ext}"


def volume_build(*, build_id: int) -> int:
    """Build the file of one request and store it through the storage API; returns its size."""
    build = VolumeBuild.objects.select_related("meeting").get(pk=build_id)
    if build.status == BuildStatus.DONE:
        return build.size
    replies = list(volume_replies(build.meeting_id))
    VolumeBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.RUNNING, started_at=timezone.now(), total=len(replies), done=0, attempts=build.attempts + 1
    )
    with translation.override("zh-hans"):
        data = build_zip(build, replies) if build.format == VolumeFormat.ZIP else build_pdf(build, replies)
    build.refresh_from_db()
    build.file.save(
        f"{build.meeting.code}-{build.pk}.{'zip' if build.format == VolumeFormat.ZIP else 'pdf'}",
        ContentFile(data),
        save=False,
    )
    build.size = len(data)
    build.status = BuildStatus.DONE
    build.done = len(replies)
    build.error = ""
    build.finished_at = timezone.now()
    build.save(update_fields=["file", "size", "status", "done", "error", "finished_at"])
    return build.size
