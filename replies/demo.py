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
from .models import (
    AddresseeStyle,
    ClassMarkStyle,
    ContactPlace,
    LetterProfile,
    Reply,
    ReplyStatus,
    ReplyVersion,
    TitleStyle,
)
from .pdf import render_reply_pdf
from .services.defaults import new_draft_defaults


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
    _load_county(ctx)


# The county committee's letters: another agency's house style, as seen on published replies.
COUNTY_PROFILE = {
    "name": "示范县答复函",
    "title_style": TitleStyle.TO_LETTER,
    "class_mark": ClassMarkStyle.LINE,
    "signer_line": True,
    "addressee_style": AddresseeStyle.ALL_NAMES,
    "contact_place": ContactPlace.AFTER_DATE,
    "show_leader": False,
    "handler_label": "经办人",
    "combine_handler_phone": True,
    "closings": "专此答复。",
    "show_copy_to": True,
    "show_printed": True,
}
COUNTY_BODY = [
    "你们提出的《关于加快发展县域冷链物流的建议》收悉。经研究，现答复如下：",
    "一、关于统筹规划冷链物流节点",
    "我局已会同县农业农村局将产地冷链物流节点纳入县域商业体系建设规划，2025年计划在三个乡镇建设产地预冷和冷藏设施。",
    "二、关于支持合作社建设产地冷库",
    "我们将积极争取上级农产品产地冷藏保鲜设施建设资金，对合作社新建冷库按规定给予补助。",
]


def _load_county(ctx: DemoContext) -> None:
    """The county's proposal 第12号 answered in the county's own letter profile, issued and stored."""
    assignment: Assignment = ctx.objects["county_assignment"]  # type: ignore[assignment]
    users = ctx.objects["users"]
    assert isinstance(users, dict)  # proposals.demo stores the demo users by username
    handler, leader = users["county_handler"], users["county_leader"]
    proposal = assignment.proposal
    LetterProfile.objects.get_or_create(committee_id=proposal.committee_id, agency=None, defaults=COUNTY_PROFILE)
    issued_at = local_dt(2025, 3, 18, 10)
    reply = Reply.objects.filter(assignment=assignment, round=1).first()
    if reply is None:
        defaults = new_draft_defaults(assignment, handler)
        reply = Reply.objects.create(
            assignment=assignment,
            round=1,
            status=ReplyStatus.ISSUED,
            reply_class="B",
            title=defaults["title"],
            addressee=defaults["addressee"],
            body="\n".join(COUNTY_BODY),
            closing=defaults["closing"],
            handler_name="赵晓明",
            phone="0356—6021234",
            reply_date=dt.date(2025, 3, 18),
            doc_number="示发改函〔2025〕8号",
            signer_name="孙立新",
            copy_to="县政协提案委员会，县农业农村局",
            printed_by=defaults["printed_by"],
            printed_on=dt.date(2025, 3, 18),
            is_public=True,
            version=1,
            created_by=handler,
            created_at=local_dt(2025, 3, 10),
            updated_at=local_dt(2025, 3, 17, 16),
            submitted_at=local_dt(2025, 3, 17, 16),
            submitted_by=handler,
            signed_by=leader,
            issued_at=issued_at,
        )
        ReplyVersion.objects.create(
            reply=reply, version=1, saved_by=handler, saved_at=reply.updated_at, data=services.snapshot(reply)
        )
        pdf = render_reply_pdf(reply, draft=False)
        reply.pdf.save(f"{proposal.number}-{assignment.agency_id}-r1-{reply.pk}.pdf", ContentFile(pdf), save=False)
        reply.pdf_sha256 = sha256_hex(pdf)
        reply.save(update_fields=["pdf", "pdf_sha256"])
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.REPLIED, replied_at=issued_at)
        Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.ASSIGNED).update(status=ProposalStatus.REPLIED)
    for at, actor, action, from_state, to_state in (
        (local_dt(2025, 3, 10), handler, ReplyAction.CREATE, "", ReplyStatus.DRAFT),
        (local_dt(2025, 3, 17, 16), handler, ReplyAction.SUBMIT, ReplyStatus.DRAFT, ReplyStatus.SUBMITTED),
        (issued_at, leader, ReplyAction.ISSUE, ReplyStatus.SUBMITTED, ReplyStatus.ISSUED),
        (issued_at, leader, ReplyAction.ASSIGNMENT_REPLIED, AssignmentStatus.ACCEPTED, AssignmentStatus.REPLIED),
        (issued_at, leader, ReplyAction.PROPOSAL_REPLIED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED),
    ):
        TimelineEvent.objects.get_or_create(
            proposal=proposal,
            action=action,
            at=at,
            defaults={"actor": actor, "assignment": assignment, "from_state": from_state, "to_state": to_state},
        )
