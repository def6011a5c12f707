"""A new case of the seed's proposal brought to a given stage through the services.

The happy journey clicks every one of these steps in the browser; the refusal tests only need the
state, so they reach it the quick way and spend their browser time on the refusal itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import Consultation
from proposals import seed
from proposals import services as proposal_services
from proposals.models import Agency, Assignment, AssignmentRole, Meeting, Member, Proposal, User
from replies import services as reply_services
from replies.models import Reply

STAGES = ("assigned", "drafted", "recorded")


@dataclass
class Case:
    proposal: Proposal
    assignment: Assignment
    reply: Reply | None = None
    consultation: Consultation | None = None


def seed_case(stage: str) -> Case:
    """The seed's proposal filed again by staff, split to 发改委 for "第二条", up to ``stage``:

    assigned  registered and assigned (the agency has not accepted it yet)
    drafted   accepted, with a class-A reply draft of the seed's body by fgw_handler
    recorded  and a consultation record held, waiting for 朱国胜's signature
    """
    assert stage in STAGES, stage
    staff = User.objects.get(username="staff")
    handler = User.objects.get(username="fgw_handler")
    proposal = proposal_services.proposal_create(
        actor=staff,
        meeting=Meeting.objects.get(term=seed.TERM, session=seed.SESSION),
        title=seed.TITLE,
        main_content=seed.MAIN_CONTENT,
        first_proposer=Member.objects.get(name=seed.MEMBER_NAME),
    )
    proposal = proposal_services.proposal_register(proposal=proposal, actor=staff)
    spec = proposal_services.AssignmentSpec(
        agency=Agency.objects.get(name=seed.AGENCY), role=AssignmentRole.SPLIT, scope=seed.SCOPE
    )
    (assignment,) = proposal_services.proposal_assign(proposal=proposal, actor=staff, specs=[spec])
    case = Case(proposal=proposal, assignment=assignment)
    if stage == "assigned":
        return case

    assignment = proposal_services.assignment_accept(assignment=assignment, actor=handler)
    case.assignment = assignment
    case.reply = reply_services.reply_create(
        assignment=assignment,
        actor=handler,
        data={
            "reply_class": seed.REPLY_CLASS,
            "title": reply_services.default_title(assignment),
            "addressee": seed.REPLY_ADDRESSEE,
            "body": "\n".join(seed.REPLY_PARAGRAPHS),
            "closing": seed.REPLY_CLOSING,
            "leader_name": "发改委负责人",
            "handler_name": seed.REPLY_HANDLER,
            "phone": seed.REPLY_PHONE,
            "reply_date": None,
            "doc_number": "",
            "copy_to": "",
            "is_public": True,
            "not_public_reason": "",
        },
    )
    if stage == "drafted":
        return case

    consultation = consultation_services.consultation_schedule(
        assignment=assignment,
        actor=handler,
        held_at=timezone.now(),
        place=seed.RECORD_PLACE,
        method="in_person",
        host_name=seed.RECORD_HOST,
        host_phone=seed.RECORD_HOST_PHONE,
    )
    case.consultation = consultation_services.consultation_record(
        consultation=consultation, actor=handler, reply_points=seed.RECORD_REPLY_POINTS
    )
    return case
