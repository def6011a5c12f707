"""Shared test data: the fixed cast of personas of STYLE.md and a proposal they relate to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    User,
)

PASSWORD = "Test-Password-12345"


def make_user(username: str, role: str, **extra) -> User:
    user = User(username=username, role=role, display_name=extra.pop("display_name", username), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


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
