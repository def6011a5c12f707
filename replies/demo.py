"""Demo data of the replies app: the TA0207 reply letter exactly as in the seed, issued and stored.

The seed letter leaves 负责人 blank, which ``reply_issue`` refuses (an issued letter must name
the leader who signed it off). The demo reproduces the real document, so this one row is written
directly rather than through the service; everything else matches what the service would leave:
the stored PDF and its SHA-256, the assignment marked replied, the timeline events. Re-running
changes nothing and does not render again.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from documents.render import sha256_hex
from proposals import seed
from proposals.demo import DemoContext, local_dt
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus, TimelineEvent

from . import services
from .actions import ReplyAction
from .models import Reply, ReplyStatus, ReplyVersion
from .pdf import render_reply_pdf


def load(ctx: DemoContext) -> None:
    assignment: Assignment = ctx.objects["assignment"]  # type: ignore[assignment]
    users = ctx.objects["users"]
    assert isinstance(users, dict)  # proposals.demo stores the demo users by username
    handler, leader = users["fgw_handler"], users["fgw_leader"]
    submitted_at = local_dt(2024, 7, 8, 16)
    issued_at = local_dt(2024, 7, 9, 10)

    reply = Reply.objects.filter(assignment=assignment, round=1).first()
    if reply is None:
        reply = Reply.objects.create(
            assignment=assignment,
            round=1,
            status=ReplyStatus.ISSUED,
            reply_class=seed.REPLY_CLASS,
            title=seed.REPLY_TITLE,
            addressee=seed.REPLY_ADDRESSEE,
            body="\n".join(seed.REPLY_PARAGRAPHS),
            closing=seed.REPLY_CLOSING,
            leader_name=seed.REPLY_LEADER,
            handler_name=seed.REPLY_HANDLER,
            phone=seed.REPLY_PHONE,
            reply_date=dt.date(*seed.REPLY_DATE),
            is_public=True,
            version=1,
            created_by=handler,
            created_at=local_dt(2024, 7, 1),
            updated_at=submitted_at,
            submitted_at=submitted_at,
            submitted_by=handler,
            signed_by=leader,
            issued_at=issued_at,
        )
    if not reply.versions.exists():
        ReplyVersion.objects.create(
            reply=reply,
            version=reply.version,
            saved_by=handler,
            saved_at=reply.updated_at,
            data=services.snapshot(reply),
        )
    if reply.status == ReplyStatus.ISSUED and not reply.pdf:
        pdf = render_reply_pdf(reply, draft=False)
        reply.pdf.save(f"{seed.NUMBER}-{assignment.agency_id}-r1-{reply.pk}.pdf", ContentFile(pdf), save=False)
        reply.pdf_sha256 = sha256_hex(pdf)
        reply.save(update_fields=["pdf", "pdf_sha256"])

    if assignment.status == AssignmentStatus.ACCEPTED and reply.status == ReplyStatus.ISSUED:
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.REPLIED, replied_at=issued_at)
        assignment.refresh_from_db()
        # TA0207 has one answering assignment, so issuing its reply answers the proposal, as
        # reply_issue would have done.
        Proposal.objects.filter(pk=assignment.proposal_id, status=ProposalStatus.ASSIGNED).update(
            status=ProposalStatus.REPLIED
        )

    proposal = assignment.proposal
    events = [
        (local_dt(2024, 7, 1), handler, ReplyAction.CREATE, "", ReplyStatus.DRAFT, "第 1 轮"),
        (submitted_at, handler, ReplyAction.SUBMIT, ReplyStatus.DRAFT, ReplyStatus.SUBMITTED, ""),
        (issued_at, leader, ReplyAction.ISSUE, ReplyStatus.SUBMITTED, ReplyStatus.ISSUED, ""),
        (
            issued_at,
            leader,
            ReplyAction.ASSIGNMENT_REPLIED,
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.REPLIED,
            "",
        ),
    ]
    events.append(
        (issued_at, leader, ReplyAction.PROPOSAL_REPLIED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, "")
    )
    for at, actor, action, from_state, to_state, note in events:
        if action == ReplyAction.ISSUE and reply.pdf_sha256:
            note = f"A 类 · 2024年7月9日 · SHA-256 {reply.pdf_sha256}"
        TimelineEvent.objects.get_or_create(
            proposal=proposal,
            action=action,
            at=at,
            defaults={
                "actor": actor,
                "assignment": assignment,
                "from_state": from_state,
                "to_state": to_state,
                "note": note,
            },
        )
    ctx.objects["reply"] = reply
