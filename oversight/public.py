"""The public copy of a reply: the letter's own context with personal data taken out.

The page and the PDF are built from the same redacted context, so what one hides the other hides.
Removed: the handler's 联系电话 (masked), the proposers' phones and work units wherever they are
quoted, any other phone-like number, and the agency's seal (a seal image on a public file invites
copying). Everything else is the issued letter as it stands.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import translation

from documents.formats import balanced_lines
from proposals.models import Category, Member
from replies.models import Reply, ReplyStatus

from .models import PublicReplyText
from .redaction import MASK, redact


def personal_terms(reply: Reply) -> list[str]:
    """Strings to remove from the text: phones and work units of the proposal's members, and
    the phone of the reply itself (which need not look like a phone to the patterns)."""
    proposal = reply.assignment.proposal
    first = (
        Member.objects.filter(pk=proposal.first_proposer_id)
        if proposal.first_proposer_id is not None
        else Member.objects.none()
    )
    members = first | Member.objects.filter(cosigned_proposals=proposal)
    terms = [reply.phone, proposal.body_contact_phone]
    for phone, work_unit in members.values_list("phone", "work_unit"):
        terms += [phone, work_unit]
    return [t for t in terms if t]


def public_search_text(title: str, body: str, personal: Iterable[str]) -> dict[str, str]:
    """The title and body the public search looks in: redacted as the public page shows them."""
    terms = list(personal)
    return {"title": redact(title, terms), "body": redact(body, terms)}


def refresh_public_text(reply: Reply) -> None:
    """Store the searchable public text of an issued reply (``PublicReplyText``); the public search
    finds a reply only through it. Called when a reply is saved (``OversightConfig.ready``); rows
    written around the ORM (``bulk_create``, ``QuerySet.update``) need ``refresh_public_texts``."""
    if reply.status != ReplyStatus.ISSUED:
        return
    if not reply.assignment.proposal.publication_consent:
        # The proposer refused publication: no public copy of the text is kept at all.
        PublicReplyText.objects.filter(reply=reply).delete()
        return
    PublicReplyText.objects.update_or_create(
        reply=reply, defaults=public_search_text(reply.title, reply.body, personal_terms(reply))
    )


def _member_terms(proposal_ids: set[int]) -> dict[int, list[str]]:
    """The phones and work units of each proposal's members, in two queries."""
    by_proposal: dict[int, list[str]] = {pid: [] for pid in proposal_ids}
    firsts = Member.objects.filter(first_proposals__in=proposal_ids).values_list(
        "first_proposals", "phone", "work_unit"
    )
    cosigned = Member.objects.filter(cosigned_proposals__in=proposal_ids).values_list(
        "cosigned_proposals", "phone", "work_unit"
    )
    for pid, phone, work_unit in [*firsts, *cosigned]:
        by_proposal[pid] += [t for t in (phone, work_unit) if t]
    return by_proposal


def _terms(reply: Reply, by_proposal: dict[int, list[str]]) -> list[str]:
    """``personal_terms`` of a reply, from ``_member_terms`` of its proposal."""
    terms = [*by_proposal[reply.assignment.proposal_id], reply.phone, reply.assignment.proposal.body_contact_phone]
    return [t for t in terms if t]


def refresh_public_texts(replies: Iterable[Reply] | None = None, *, batch_size: int = 500) -> int:
    """``refresh_public_text`` of these replies (every issued reply when None), a batch at a time;
    returns how many were stored (none of a proposal whose proposer refused publication)."""
    if replies is None:
        replies = (
            Reply.objects.filter(status=ReplyStatus.ISSUED)
            .select_related("assignment__proposal__committee")
            .iterator(chunk_size=batch_size)
        )
    stored = 0
    batch: list[Reply] = []

    def flush() -> int:
        refused = [r.pk for r in batch if not r.assignment.proposal.publication_consent]
        if refused:
            PublicReplyText.objects.filter(reply_id__in=refused).delete()
            batch[:] = [r for r in batch if r.assignment.proposal.publication_consent]
            if not batch:
                return 0
        by_proposal = _member_terms({r.assignment.proposal_id for r in batch})
        rows = [PublicReplyText(reply=r, **public_search_text(r.title, r.body, _terms(r, by_proposal))) for r in batch]
        PublicReplyText.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["reply"], update_fields=["title", "body"]
        )
        batch.clear()
        return len(rows)

    for reply in replies:
        if reply.status == ReplyStatus.ISSUED:
            batch.append(reply)
        if len(batch) >= batch_size:
            stored += flush()
    if batch:
        stored += flush()
    return stored


def refresh_member_public_texts(member_id: int) -> int:
    """``refresh_public_texts`` of the issued replies to the proposals a member proposed or co-signed
    (called when the member's phone or work unit changes, ``OversightConfig.ready``); returns how
    many were stored."""
    proposals = Q(assignment__proposal__first_proposer_id=member_id) | Q(assignment__proposal__cosigners__id=member_id)
    replies = (
        Reply.objects.filter(proposals, status=ReplyStatus.ISSUED)
        .distinct()
        .select_related("assignment__proposal__committee")
    )
    return refresh_public_texts(replies)


def redact_titles(replies: list[Reply]) -> None:
    """Set ``public_title`` (the reply's title) and ``public_subject`` (the proposal's own title, its
    subject: "关于加强交流共谋发展") on each reply of a list page, redacted like the reply page, in two
    queries whatever the page size."""
    by_proposal = _member_terms({r.assignment.proposal_id for r in replies})
    for r in replies:
        terms = _terms(r, by_proposal)
        r.public_title = redact(r.title, terms)  # type: ignore[attr-defined]  # set for the list page only
        r.public_subject = redact(r.assignment.proposal.title, terms)  # type: ignore[attr-defined]  # as above


def public_categories(published: QuerySet[Reply]) -> QuerySet[Category]:
    """The topics (类别) that published replies answer proposals of: the public list's topic filter."""
    return (
        Category.objects.filter(proposals__assignments__replies__in=published)
        .select_related("committee")
        .distinct()
        .order_by("committee_id", "order", "name")
    )


def filter_by_category(replies: QuerySet[Reply], category_id: int | None) -> QuerySet[Reply]:
    """The public list narrowed to one topic (类别), with the topic of each row read along."""
    replies = replies.select_related("assignment__proposal__category")
    return replies.filter(assignment__proposal__category_id=category_id) if category_id else replies


def public_reply_context(reply: Reply) -> dict:
    from replies.pdf import TITLE_MAX_EMS, reply_context

    ctx = reply_context(reply, draft=False, seal=False)  # no seal on a public copy: not even read
    terms = personal_terms(reply)

    def r(text: str) -> str:
        return redact(text, terms)

    title = r(ctx["title"])
    ctx.update(
        subject=r(reply.assignment.proposal.title),
        title=title,
        title_lines=balanced_lines(title, TITLE_MAX_EMS),
        addressee=r(ctx["addressee"]),
        paragraphs=[{**p, "lead": r(p.get("lead", "")), "text": r(p.get("text", ""))} for p in ctx["paragraphs"]],
        closing_lines=[r(line) for line in ctx["closing_lines"]],
        leader_name=r(ctx["leader_name"]),
        handler_name=r(ctx["handler_name"]),
        phone=MASK if ctx["phone"] else "",
        copy_to=r(ctx["copy_to"]),
        report_to=r(ctx["report_to"]),
        printed_by=r(ctx["printed_by"]),
        signer_line=r(ctx["signer_line"]),
        doc_number=r(ctx["doc_number"]),
    )
    return ctx


def render_public_reply_pdf(reply: Reply) -> bytes:
    """The redacted copy, laid out as the letter is (justified, never a lone signature page)."""
    from replies.pdf import render_reply_context

    with translation.override("zh-hans"):
        return render_reply_context(public_reply_context(reply))
