"""The test data of the whole suite, in one place: the fixed cast of personas of STYLE.md and the
builders every app's tests use. Conftests hold fixtures only; they call these.

Two kinds of builders: ``make_*`` writes rows directly (for states the test does not examine the
way to, e.g. a reply issued 25 days ago), while ``schedule``, ``record``, ``sign``,
``draft_reply``, ``issue``, ``signed_round`` and ``seed_case`` go through the real services, so the
state comes with its timeline, files and audit rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import Consultation, ConsultationStatus, Rating
from oversight.models import Notification, VolumeBuild
from proposals import seed
from proposals import services as proposal_services
from proposals.errors import DomainError
from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Committee,
    CommitteeLevel,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
)
from replies import services as reply_services
from replies.models import Reply, ReplyStatus

PASSWORD = "Test-Password-12345"


# --- People ------------------------------------------------------------------------------------


def make_user(username: str, role: str, **extra) -> User:
    user = User(username=username, role=role, display_name=extra.pop("display_name", username), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


# --- Proposals and assignments -----------------------------------------------------------------


def make_meeting(term: int = 8, session: int = 3, prefix: str = "TA") -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(term=term, session=session, defaults={"number_prefix": prefix})
    return meeting


def make_proposal(
    *,
    meeting: Meeting,
    created_by: User,
    first_proposer: Member | None = None,
    status: str = ProposalStatus.SUBMITTED,
    number: str = "",
    title: str = "测试提案",
    kind: str = ProposerKind.INDIVIDUAL,
    cosigners: tuple[Member, ...] = (),
    **extra,
) -> Proposal:
    proposal = Proposal.objects.create(
        meeting=meeting,
        created_by=created_by,
        first_proposer=first_proposer,
        status=status,
        number=number,
        title=title,
        proposer_kind=kind,
        main_content=extra.pop("main_content", "主要内容"),
        **extra,
    )
    for i, member in enumerate(cosigners):
        ProposalCosigner.objects.create(proposal=proposal, member=member, order=i)
    return proposal


def make_assignment(
    *,
    proposal: Proposal,
    agency: Agency,
    assigned_by: User,
    role: str = AssignmentRole.LEAD,
    status: str = AssignmentStatus.ACCEPTED,
    due: dt.date | None = None,
    scope: str = "",
) -> Assignment:
    due = due or timezone.localdate() + dt.timedelta(days=90)
    return Assignment.objects.create(
        proposal=proposal,
        agency=agency,
        role=role,
        status=status,
        assigned_by=assigned_by,
        due_date=due,
        original_due_date=due,
        scope=scope,
        accepted_at=timezone.now() if status != AssignmentStatus.PENDING else None,
    )


# --- The world: the cast and the proposal they relate to ---------------------------------------

# The names of ``personas(world)``, in the order the permission matrix checks them.
PERSONAS = (
    "anonymous",
    "staff",
    "handler_a",
    "leader_a",
    "handler_b",
    "proposer",
    "cosigner",
    "unrelated_member",
    "admin",
    "auditor",
)


@dataclass
class World:
    meeting: Meeting
    agency_a: Agency
    agency_b: Agency
    proposer: Member
    cosigner: Member
    unrelated: Member
    staff: User
    handler_a: User
    leader_a: User
    handler_b: User
    member_user: User
    cosigner_user: User
    unrelated_user: User
    admin: User
    auditor: User
    proposal: Proposal
    assignment: Assignment

    def personas(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "staff": self.staff,
            "handler_a": self.handler_a,
            "leader_a": self.leader_a,
            "handler_b": self.handler_b,
            "proposer": self.member_user,
            "cosigner": self.cosigner_user,
            "unrelated_member": self.unrelated_user,
            "admin": self.admin,
        }


def personas(world: World) -> dict[str, User | None]:
    """Every persona of ``PERSONAS``: ``world.personas()`` and the auditor."""
    return {**world.personas(), "auditor": world.auditor}


def make_world() -> World:
    """A joint proposal TA0001 by 张三 with co-signer 李四, assigned (accepted) to agency A."""
    meeting = make_meeting()
    Category.objects.get_or_create(name="经济建设")
    agency_a = Agency.objects.create(name="甲市发展和改革委员会")
    agency_b = Agency.objects.create(name="乙市商务局")
    proposer = Member.objects.create(name="张三", phone="13800000001", work_unit="甲单位")
    cosigner = Member.objects.create(name="李四", phone="13800000002", work_unit="乙单位")
    unrelated = Member.objects.create(name="王五", phone="13800000003")
    staff = make_user("staff1", Role.STAFF)
    world = World(
        meeting=meeting,
        agency_a=agency_a,
        agency_b=agency_b,
        proposer=proposer,
        cosigner=cosigner,
        unrelated=unrelated,
        staff=staff,
        handler_a=make_user("handler_a", Role.HANDLER, agency=agency_a, display_name="甲经办"),
        leader_a=make_user("leader_a", Role.LEADER, agency=agency_a, display_name="甲负责人"),
        handler_b=make_user("handler_b", Role.HANDLER, agency=agency_b),
        member_user=make_user("zhangsan", Role.MEMBER, member=proposer),
        cosigner_user=make_user("lisi", Role.MEMBER, member=cosigner),
        unrelated_user=make_user("wangwu", Role.MEMBER, member=unrelated),
        admin=make_user("admin1", Role.ADMIN, is_staff=True, is_superuser=True),
        auditor=make_user("auditor1", Role.AUDITOR),
        proposal=None,  # type: ignore[arg-type]
        assignment=None,  # type: ignore[arg-type]
    )
    world.proposal = make_proposal(
        meeting=meeting,
        created_by=staff,
        first_proposer=proposer,
        status=ProposalStatus.ASSIGNED,
        number="TA0001",
        sequence=1,
        title="关于加快产业合作的建议",
        kind=ProposerKind.JOINT,
        cosigners=(cosigner,),
    )
    meeting.last_sequence = 1
    meeting.save(update_fields=["last_sequence"])
    world.assignment = make_assignment(proposal=world.proposal, agency=agency_a, assigned_by=staff)
    return world


# --- Outcomes ----------------------------------------------------------------------------------


def refused(message):
    """pytest.raises for a DomainError carrying exactly this message constant."""
    return pytest.raises(DomainError, match=f"^{re.escape(str(message))}$")


def last_event(proposal) -> TimelineEvent:
    return TimelineEvent.objects.filter(proposal=proposal).latest("at", "id")


# --- Times -------------------------------------------------------------------------------------


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """That day at that hour, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def when(days: int = 0, hour: int = 10) -> dt.datetime:
    """``days`` from today at that hour, in the site's time zone."""
    return at(timezone.localdate() + dt.timedelta(days=days), hour)


# --- Uploads -----------------------------------------------------------------------------------


def pdf_upload(name: str = "附件.pdf", *, size: int = 0) -> SimpleUploadedFile:
    """A file that is a PDF by its content; ``size`` bytes of padding make it larger than that."""
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"0" * size + b"trailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def fake_pdf_upload(name: str = "evil.pdf") -> SimpleUploadedFile:
    """An HTML page with a script, named and typed as a PDF."""
    body = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_bytes(size: tuple[int, int] = (120, 40)) -> bytes:
    """A transparent PNG with a stroke on it, as the signature pad sends."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 30), (60, 5), (115, 35)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def signature_data_url(raw: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(raw if raw is not None else png_bytes()).decode()


# --- Replies through the services --------------------------------------------------------------

# A short class-A draft by agency A, complete enough to be issued.
REPLY_DATA = {
    "reply_class": "A",
    "body": "经研究，答复如下：\n已经落实。",
    "leader_name": "甲负责人",
    "handler_name": "甲经办",
    "phone": "13800000009",
}


def complete_data(**overrides) -> dict:
    """A draft that can be issued: the TA0207 text with a 负责人 (which the seed leaves blank)."""
    data = {
        "reply_class": "A",
        "body": "\n".join(seed.REPLY_PARAGRAPHS),
        "closing": seed.REPLY_CLOSING,
        "leader_name": "王主任",
        "handler_name": seed.REPLY_HANDLER,
        "phone": seed.REPLY_PHONE,
        "reply_date": timezone.localdate(),
        "is_public": True,
        "not_public_reason": "",
    }
    data.update(overrides)
    return data


def draft_reply(world: World, assignment: Assignment | None = None, **data) -> Reply:
    """A ``REPLY_DATA`` draft by agency A's handler (``data`` overrides fields)."""
    return reply_services.reply_create(
        assignment=assignment or world.assignment, actor=world.handler_a, data={**REPLY_DATA, **data}
    )


def issue(world: World, reply: Reply) -> Reply:
    """Submitted by agency A's handler and issued by its leader."""
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    return reply_services.reply_issue(reply=reply, actor=world.leader_a)


# --- Consultations through the services --------------------------------------------------------


def schedule(world: World, assignment: Assignment | None = None, **overrides) -> Consultation:
    data = {
        "held_at": when(0, 9),
        "place": "市政协办公楼",
        "method": "in_person",
        "host_name": "甲面商人",
        "host_phone": "13900000001",
    }
    data.update(overrides)
    return consultation_services.consultation_schedule(
        assignment=assignment or world.assignment, actor=world.handler_a, **data
    )


def record(world: World, consultation: Consultation, **fields) -> Consultation:
    fields.setdefault("expected_updated_at", consultation.updated_at)  # the editor loaded this record as it is
    return consultation_services.consultation_record(consultation=consultation, actor=world.handler_a, **fields)


def sign(world: World, consultation: Consultation, **overrides) -> Consultation:
    """Signed online by the proposer, agreeing, then by the record's other proposers who have an
    account (the world's co-signer), agreeing, without a drawn signature: every proposer signs a
    joint record (consultations.services.signers). ``actor=``: that member's signature only."""
    data = {"password": PASSWORD, "opinion": "agree", "opinion_text": "同意", "ip": "10.0.0.8"}
    data.update(overrides)
    if "actor" in data:
        actor = data.pop("actor")
        return consultation_services.consultation_sign_online(consultation=consultation, actor=actor, **data)
    signed = consultation_services.consultation_sign_online(consultation=consultation, actor=world.member_user, **data)
    return sign_others(signed)


def sign_others(consultation: Consultation) -> Consultation:
    """The record's proposers not yet signed who have an account sign online, agreeing."""
    for line in consultation_services.signer_lines(consultation):
        user = User.objects.filter(member_id=line.member_id, is_active=True).first()
        if line.is_signed or user is None:
            continue
        consultation = consultation_services.consultation_sign_online(
            consultation=consultation, actor=user, password=PASSWORD, opinion="agree", opinion_text="同意"
        )
    return consultation


def signed_round(world: World, assignment: Assignment | None = None) -> tuple[Consultation, Reply]:
    """One full round: reply draft, consultation held and signed by the member, reply issued."""
    assignment = assignment or world.assignment
    reply = draft_reply(world, assignment)
    consultation = record(world, schedule(world, assignment))
    consultation = sign(world, consultation)
    reply = issue(world, reply)
    return consultation, reply


# --- Rows made directly, with the dates a test needs -------------------------------------------


def make_reply(assignment: Assignment, *, by, issued: dt.date | None, cls: str = "A", round: int = 1, **extra) -> Reply:
    """An issued reply dated ``issued`` (a draft when None); no file, no timeline."""
    return Reply.objects.create(
        assignment=assignment,
        round=round,
        status=ReplyStatus.ISSUED if issued else ReplyStatus.DRAFT,
        reply_class=cls if issued else "",
        title=extra.pop("title", f"关于{assignment.proposal.display_number}提案的答复"),
        addressee=extra.pop("addressee", "张三委员："),
        body=extra.pop("body", "经研究，现答复如下：正在推进。"),
        created_by=by,
        issued_at=at(issued) if issued else None,
        reply_date=issued,
        **extra,
    )


def make_consultation(assignment: Assignment, *, member, by, held: dt.date, status=ConsultationStatus.HELD):
    return Consultation.objects.create(
        assignment=assignment,
        member=member,
        status=status,
        held_at=at(held, 10),
        place="市政协办公楼",
        host_name="面商人",
        host_phone="13900000000",
        created_by=by,
    )


def make_rating(assignment: Assignment, *, member, by, value: str, round: int = 1) -> Rating:
    return Rating.objects.create(assignment=assignment, round=round, member=member, value=value, entered_by=by)


# --- A meeting counted by hand (oversight statistics) ------------------------------------------


@dataclass
class StatsData:
    meeting: Meeting
    today: dt.date
    agency_a: Agency
    agency_b: Agency
    assignments: dict[str, Assignment]
    proposals: dict[str, Proposal]


def make_stats_data(world: World) -> StatsData:
    """A meeting (八届四次) whose figures are counted by hand in tests/oversight/test_stats.py.

    Proposals: P1 draft, P2 submitted, P3 not registered, P4 registered, P5, P6, P10 assigned,
    P7, P8 replied, P9 closed. Assignments (T = today):
      a1 P5 A lead accepted, due T-5, no reply                      → overdue, late without reply
      a2 P5 B co   accepted, due T-10                                → not answering
      a3 P6 A lead returned                                          → returned
      a4 P6 B lead pending,  due T+3
      a5 P7 A lead replied,  due T-20, reply T-25 class A; held T-27; rated 满意
      a6 P8 A split replied, due T-30, reply T-28 class B; held T-27 (after reply); rated 基本满意
      a7 P8 B split done,    due T-30, replies T-40 class C and (round 2) T-10 class B;
                             rated 不满意 in round 1, 满意 in round 2
      a8 P9 B lead done,     due T-60, reply T-61 class A; signed record T-65; rated 不满意
      a9 P10 A lead accepted, due T+30, a draft reply only
    """
    w = world
    today = timezone.localdate()
    meeting = Meeting.objects.create(term=8, session=4, number_prefix="TB")

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    statuses = {
        "P1": ProposalStatus.DRAFT,
        "P2": ProposalStatus.SUBMITTED,
        "P3": ProposalStatus.NOT_REGISTERED,
        "P4": ProposalStatus.REGISTERED,
        "P5": ProposalStatus.ASSIGNED,
        "P6": ProposalStatus.ASSIGNED,
        "P7": ProposalStatus.REPLIED,
        "P8": ProposalStatus.REPLIED,
        "P9": ProposalStatus.CLOSED,
        "P10": ProposalStatus.ASSIGNED,
    }
    proposals = {}
    for i, (key, status) in enumerate(statuses.items(), start=1):
        proposals[key] = make_proposal(
            meeting=meeting,
            created_by=w.staff,
            first_proposer=w.proposer,
            status=status,
            number=f"TB{i:04d}" if status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED) else "",
            sequence=i,
            title=f"统计测试提案{key}",
            is_key=key == "P10",
        )

    def assign(p, agency, role, status, due):
        return make_assignment(
            proposal=proposals[p], agency=agency, assigned_by=w.staff, role=role, status=status, due=due
        )

    A, B = w.agency_a, w.agency_b
    lead, co, split = AssignmentRole.LEAD, AssignmentRole.CO, AssignmentRole.SPLIT
    S = AssignmentStatus
    a = {
        "a1": assign("P5", A, lead, S.ACCEPTED, day(-5)),
        "a2": assign("P5", B, co, S.ACCEPTED, day(-10)),
        "a3": assign("P6", A, lead, S.RETURNED, day(60)),
        "a4": assign("P6", B, lead, S.PENDING, day(3)),
        "a5": assign("P7", A, lead, S.REPLIED, day(-20)),
        "a6": assign("P8", A, split, S.REPLIED, day(-30)),
        "a7": assign("P8", B, split, S.DONE, day(-30)),
        "a8": assign("P9", B, lead, S.DONE, day(-60)),
        "a9": assign("P10", A, lead, S.ACCEPTED, day(30)),
    }
    by = w.handler_a
    make_reply(a["a5"], by=by, issued=day(-25), cls="A")
    make_reply(a["a6"], by=by, issued=day(-28), cls="B")
    make_reply(a["a7"], by=w.handler_b, issued=day(-40), cls="C")
    make_reply(a["a7"], by=w.handler_b, issued=day(-10), cls="B", round=2)
    make_reply(a["a8"], by=w.handler_b, issued=day(-61), cls="A")
    make_reply(a["a9"], by=by, issued=None)

    make_consultation(a["a5"], member=w.proposer, by=by, held=day(-27))
    make_consultation(a["a6"], member=w.proposer, by=by, held=day(-27))
    make_consultation(a["a8"], member=w.proposer, by=w.handler_b, held=day(-65), status=ConsultationStatus.SIGNED)

    make_rating(a["a5"], member=w.proposer, by=w.member_user, value="satisfied")
    make_rating(a["a6"], member=w.proposer, by=w.member_user, value="basic")
    make_rating(a["a7"], member=w.proposer, by=w.member_user, value="unsatisfied")
    make_rating(a["a7"], member=w.proposer, by=w.member_user, value="satisfied", round=2)
    make_rating(a["a8"], member=w.proposer, by=w.member_user, value="unsatisfied")
    return StatsData(meeting=meeting, today=today, agency_a=A, agency_b=B, assignments=a, proposals=proposals)


# --- One object of every kind per agency (permission matrix, input fuzzing) --------------------


@dataclass
class OtherCommittee:
    """A second committee with its own meeting, agency, member and people (relation "c")."""

    committee: Committee
    meeting: Meeting
    agency: Agency
    member: Member
    staff: User
    handler: User
    leader: User
    member_user: User


def make_other_committee() -> OtherCommittee:
    """乙县政协, a county committee beside the world's: nobody of the world belongs to it."""
    committee = Committee.objects.create(
        name="中国人民政治协商会议乙县委员会",
        display_name="乙县政协",
        short_name="县政协",
        level=CommitteeLevel.COUNTY,
    )
    agency = Agency.objects.create(committee=committee, name="乙县发展和改革局")
    member = Member.objects.create(committee=committee, name="赵六", phone="13800000004", work_unit="丙单位")
    return OtherCommittee(
        committee=committee,
        meeting=Meeting.objects.create(committee=committee, term=10, session=4, number_prefix="XA"),
        agency=agency,
        member=member,
        staff=make_user("county_staff1", Role.STAFF, committee=committee),
        handler=make_user("county_handler1", Role.HANDLER, agency=agency),
        leader=make_user("county_leader1", Role.LEADER, agency=agency),
        member_user=make_user("zhaoliu", Role.MEMBER, member=member),
    )


@dataclass
class Objects:
    """One object of each kind per relation: "a" belongs to the world's proposal (agency A,
    proposer 张三, co-signer 李四); "b" to a proposal of 王五 assigned to agency B; "c" (only with
    ``other_committee``) to a proposal of another committee (``other``), assigned to its agency."""

    a: dict
    b: dict
    c: dict | None = None
    other: OtherCommittee | None = None


def build_objects(world: World, *, other_committee: bool = False) -> Objects:
    staff = world.staff
    proposal_b = make_proposal(
        meeting=world.meeting,
        created_by=staff,
        first_proposer=world.unrelated,
        status="assigned",
        number="TA0002",
        sequence=2,
        title="关于乙单位的建议",
    )
    assignment_b = make_assignment(proposal=proposal_b, agency=world.agency_b, assigned_by=staff)
    # (relation, proposal, assignment, the agency's handler, the committee's staff, its meeting)
    sides = [
        ("a", world.proposal, world.assignment, world.handler_a, staff, world.meeting),
        ("b", proposal_b, assignment_b, world.handler_b, staff, world.meeting),
    ]
    other = None
    if other_committee:
        other = make_other_committee()
        proposal_c = make_proposal(
            meeting=other.meeting,
            created_by=other.staff,
            first_proposer=other.member,
            status="assigned",
            number="XA0001",
            sequence=1,
            title="关于乙县水利的建议",
        )
        assignment_c = make_assignment(proposal=proposal_c, agency=other.agency, assigned_by=other.staff)
        sides.append(("c", proposal_c, assignment_c, other.handler, other.staff, other.meeting))
    out = {}
    for key, proposal, assignment, handler, committee_staff, meeting in sides:
        held = timezone.now()
        consultation = consultation_services.consultation_schedule(
            assignment=assignment,
            actor=handler,
            held_at=held,
            place="市政协",
            method="in_person",
            host_name="面商人",
            host_phone="13900000001",
        )
        reply = reply_services.reply_create(assignment=assignment, actor=handler, data=dict(REPLY_DATA))
        attachment = proposal_services.attachment_add(proposal=proposal, actor=committee_staff, upload=pdf_upload())
        extension = proposal_services.assignment_request_extension(
            assignment=assignment,
            actor=handler,
            reason="需要调研",
            requested_due_date=assignment.due_date + dt.timedelta(days=30),
        )
        # a rating the member filled in on paper (made directly: the rating rules are not under test)
        rating = Rating.objects.create(
            assignment=assignment,
            member=proposal.first_proposer,
            value="satisfied",
            entered_by=committee_staff,
            on_behalf=True,
            paper_form=pdf_upload("rating.pdf"),
            paper_form_type="application/pdf",
        )
        # a notification in the app: its user's only
        notification = Notification.objects.create(
            user=handler, kind="matrix", title=proposal.title, url=f"/proposals/{proposal.pk}/", object_key=key
        )
        out[key] = {
            "notification": notification,
            "rating": rating,
            "proposal": proposal,
            "assignment": assignment,
            "reply": reply,
            "consultation": consultation,
            "attachment": attachment,
            "extension": extension,
            "meeting": meeting,
        }
    volume = VolumeBuild.objects.create(meeting=world.meeting, format="pdf", requested_by=staff)
    for key in ("a", "b"):
        out[key]["volume"] = volume
    if other is not None:
        out["c"]["volume"] = VolumeBuild.objects.create(meeting=other.meeting, format="pdf", requested_by=other.staff)
    return Objects(a=out["a"], b=out["b"], c=out.get("c"), other=other)


# --- The demo's proposal filed again (browser tests, on top of load_demo) ----------------------

SEED_CASE_STAGES = ("assigned", "drafted", "recorded")


@dataclass
class SeedCase:
    proposal: Proposal
    assignment: Assignment
    reply: Reply | None = None
    consultation: Consultation | None = None


def seed_case(stage: str) -> SeedCase:
    """The seed's proposal filed again by the demo's staff, split to 发改委 for "第二条", up to ``stage``:

    assigned  registered and assigned (the agency has not accepted it yet)
    drafted   accepted, with a class-A reply draft of the seed's body by fgw_handler
    recorded  and a consultation record held, waiting for 朱国胜's signature

    The happy journey clicks every one of these steps in the browser; the refusal tests only need
    the state, so they reach it the quick way and spend their browser time on the refusal itself.
    """
    assert stage in SEED_CASE_STAGES, stage
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
    case = SeedCase(proposal=proposal, assignment=assignment)
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
        consultation=consultation,
        actor=handler,
        expected_updated_at=consultation.updated_at,
        reply_points=seed.RECORD_REPLY_POINTS,
    )
    return case
