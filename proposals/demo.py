"""Demo data of the proposals app: the TA0207 case up to its assignment, one user per role, and a
second, county-level committee (示范县政协) with its own rules and one assigned joint proposal, 第12号.

``load_demo`` calls ``load(ctx)`` of every installed app that has a ``demo`` module, in
INSTALLED_APPS order, so each app adds its own part without the registry importing the apps
built on it. Every step is keyed on natural keys, so running it twice leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.utils import timezone

from . import seed
from .models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Committee,
    CommitteeLevel,
    DeclineReason,
    Meeting,
    Member,
    NumberStyle,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
    default_committee_id,
)


@dataclass
class DemoContext:
    password: str | None
    created_passwords: dict[str, str] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)


DEMO_USERS = [
    # username, role, display name, agency key, member key
    ("admin", Role.ADMIN, "系统管理员", None, None),
    ("staff", Role.STAFF, "提案委工作人员", None, None),
    ("fgw_handler", Role.HANDLER, seed.REPLY_HANDLER, "fgw", None),
    ("fgw_leader", Role.LEADER, "发改委负责人", "fgw", None),
    ("zhuguosheng", Role.MEMBER, seed.MEMBER_NAME, None, "zhu"),
    ("other_handler", Role.HANDLER, "商务局经办人", "other", None),
    ("other_member", Role.MEMBER, "李明", None, "other_member"),
    ("auditor", Role.AUDITOR, "安全审计员", None, None),
    ("county_staff", Role.STAFF, "县政协提案委工作人员", None, None),
    ("county_handler", Role.HANDLER, "县发改局经办人", "county_agency", None),
    ("county_leader", Role.LEADER, "县发改局负责人", "county_agency", None),
]

# The county committee: plain numbers (第12号), no class and no 负责人 needed to issue.
COUNTY = {
    "name": "中国人民政治协商会议示范县委员会",
    "display_name": "示范县政协",
    "short_name": "县政协",
    "level": CommitteeLevel.COUNTY,
    "number_width": None,
    "number_style": NumberStyle.TIGHT,
    "reply_class_required": False,
    "leader_required": False,
}
COUNTY_AGENCY = ("示范县发展和改革局", "县发改局")
COUNTY_MEMBERS = [("王建国", "农业和农村界"), ("刘芳", "教育界"), ("陈志强", "经济界")]
COUNTY_NUMBER = 12
COUNTY_TITLE = "关于加快发展县域冷链物流的建议"
COUNTY_CONTENT = (
    "我县特色农产品产量逐年增加，但产地预冷、冷藏和冷链运输设施不足，鲜果蔬菜损耗较大。"
    "建议统筹规划县域冷链物流节点，支持合作社建设产地冷库，引导物流企业开通冷链专线。"
)

CATEGORIES = ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "其他"]
DECLINE_REASONS = [
    "属于个人或少数人的具体利益诉求",
    "涉及党和国家秘密",
    "属于民事纠纷、司法诉讼等事项",
    "内容空泛、没有具体建议",
    "不属于本级政协提案受理范围",
]


def upsert(model, *, defaults: dict, **lookup):
    """Like update_or_create, but saves only when a value differs, so a second run of the demo
    writes nothing (no new history versions, no audit rows)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    if not created:
        changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, defaults[name])
            obj.save(update_fields=changed)
    return obj, created


def local_dt(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


def _reference_lists(committee: Committee) -> None:
    for i, name in enumerate(CATEGORIES):
        upsert(Category, committee=committee, name=name, defaults={"order": i})
    for i, text in enumerate(DECLINE_REASONS):
        upsert(DeclineReason, committee=committee, text=text, defaults={"order": i})


def _user_committee(agency: Agency | None, member: Member | None, otherwise: Committee | None) -> Committee | None:
    """As ``User.save`` derives it, so that a second run finds nothing to change."""
    if agency is not None:
        return agency.committee
    if member is not None:
        return member.committee
    return otherwise


def load(ctx: DemoContext) -> None:
    jincheng = Committee.objects.get(pk=default_committee_id())
    county, _ = upsert(Committee, name=COUNTY["name"], defaults={**COUNTY, "parent": jincheng})
    _reference_lists(jincheng)
    _reference_lists(county)

    meeting, _ = upsert(
        Meeting,
        committee=jincheng,
        term=seed.TERM,
        session=seed.SESSION,
        defaults={"number_prefix": seed.PREFIX, "is_current": True},
    )
    zhu, _ = upsert(
        Member,
        committee=jincheng,
        name=seed.MEMBER_NAME,
        defaults={"phone": seed.MEMBER_PHONE, "work_unit": seed.MEMBER_WORK_UNIT},
    )
    other_member, _ = upsert(Member, committee=jincheng, name="李明", defaults={"sector": "经济界"})
    fgw, _ = upsert(Agency, committee=jincheng, name=seed.AGENCY, defaults={"short_name": "市发改委"})
    other, _ = upsert(Agency, committee=jincheng, name=seed.OTHER_AGENCY, defaults={"short_name": "市商务局"})
    county_agency, _ = upsert(
        Agency, committee=county, name=COUNTY_AGENCY[0], defaults={"short_name": COUNTY_AGENCY[1]}
    )
    agencies = {"fgw": fgw, "other": other, "county_agency": county_agency}
    # The committee of each user who is not an agency's or a member's (those follow their record).
    user_committees = {"admin": None, "county_staff": county}
    members = {"zhu": zhu, "other_member": other_member}

    users = {}
    for username, role, display, agency_key, member_key in DEMO_USERS:
        user, created = upsert(
            User,
            username=username,
            defaults={
                "role": role,
                "display_name": display,
                "agency": agencies.get(agency_key) if agency_key is not None else None,
                "member": members.get(member_key) if member_key is not None else None,
                "committee": _user_committee(
                    agencies.get(agency_key) if agency_key is not None else None,
                    members.get(member_key) if member_key is not None else None,
                    user_committees.get(username, jincheng),
                ),
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
        )
        if created or (ctx.password and not user.check_password(ctx.password)):
            password = ctx.password or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            ctx.created_passwords[username] = password
        users[username] = user

    proposal, created = upsert(
        Proposal,
        meeting=meeting,
        number=seed.NUMBER,
        defaults={
            "sequence": seed.SEQUENCE,
            "title": seed.TITLE,
            "proposer_kind": ProposerKind.INDIVIDUAL,
            "first_proposer": zhu,
            "main_content": seed.MAIN_CONTENT,
            "created_by": users["staff"],
            "category": Category.objects.get(committee=jincheng, name="经济建设"),
            "submitted_at": local_dt(2024, 3, 1),
            "registered_at": local_dt(2024, 3, 20),
            "created_at": local_dt(2024, 3, 1),
        },
    )
    if meeting.last_sequence < seed.SEQUENCE:
        meeting.last_sequence = seed.SEQUENCE
        meeting.save(update_fields=["last_sequence"])

    assignment, _ = upsert(
        Assignment,
        proposal=proposal,
        agency=fgw,
        defaults={
            "role": AssignmentRole.SPLIT,
            "scope": seed.SCOPE,
            "assigned_at": local_dt(2024, 4, 9),
            "assigned_by": users["staff"],
            "due_date": dt.date(2024, 7, 9),
            "original_due_date": dt.date(2024, 7, 9),
            "accepted_at": local_dt(2024, 4, 10),
        },
    )
    if created:
        # The state the later apps move on from; set once so that re-running keeps their progress.
        Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.ASSIGNED)
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACCEPTED)
        proposal.refresh_from_db()
        assignment.refresh_from_db()
    demo_timeline = [
        (local_dt(2024, 3, 1), users["staff"], None, ProposalAction.FILE, "", ProposalStatus.SUBMITTED),
        (
            local_dt(2024, 3, 20),
            users["staff"],
            None,
            ProposalAction.REGISTER,
            ProposalStatus.SUBMITTED,
            ProposalStatus.REGISTERED,
        ),
        (
            local_dt(2024, 4, 9),
            users["staff"],
            assignment,
            ProposalAction.ASSIGN,
            ProposalStatus.REGISTERED,
            ProposalStatus.ASSIGNED,
        ),
        (
            local_dt(2024, 4, 10),
            users["fgw_handler"],
            assignment,
            ProposalAction.ACCEPT,
            AssignmentStatus.PENDING,
            AssignmentStatus.ACCEPTED,
        ),
    ]
    for at, actor, assn, action, from_state, to_state in demo_timeline:
        TimelineEvent.objects.get_or_create(
            proposal=proposal,
            action=action,
            at=at,
            defaults={"actor": actor, "assignment": assn, "from_state": from_state, "to_state": to_state},
        )
    county_assignment = _load_county(county, county_agency, users)
    ctx.objects.update(
        {
            "meeting": meeting,
            "member": zhu,
            "agency": fgw,
            "proposal": proposal,
            "assignment": assignment,
            "county_assignment": county_assignment,
            "users": users,
        }
    )


def _load_county(county: Committee, agency: Agency, users: dict[str, User]) -> Assignment:
    """示范县政协: its current meeting, three members and their joint proposal 第12号, registered,
    assigned to the county's agency and accepted (the replies app's demo answers it)."""
    meeting, _ = upsert(
        Meeting, committee=county, term=10, session=4, defaults={"number_prefix": "", "is_current": True}
    )
    members = [
        upsert(Member, committee=county, name=name, defaults={"sector": sector})[0] for name, sector in COUNTY_MEMBERS
    ]
    staff = users["county_staff"]
    proposal, created = upsert(
        Proposal,
        meeting=meeting,
        number=str(COUNTY_NUMBER),
        defaults={
            "sequence": COUNTY_NUMBER,
            "title": COUNTY_TITLE,
            "proposer_kind": ProposerKind.JOINT,
            "first_proposer": members[0],
            "main_content": COUNTY_CONTENT,
            "created_by": staff,
            "category": Category.objects.get(committee=county, name="经济建设"),
            "submitted_at": local_dt(2025, 1, 8),
            "registered_at": local_dt(2025, 1, 15),
            "created_at": local_dt(2025, 1, 8),
        },
    )
    for order, member in enumerate(members[1:]):
        ProposalCosigner.objects.get_or_create(proposal=proposal, member=member, defaults={"order": order})
    if meeting.last_sequence < COUNTY_NUMBER:
        meeting.last_sequence = COUNTY_NUMBER
        meeting.save(update_fields=["last_sequence"])
    assigned_at = local_dt(2025, 1, 20)
    assignment, _ = upsert(
        Assignment,
        proposal=proposal,
        agency=agency,
        defaults={
            "role": AssignmentRole.LEAD,
            "assigned_at": assigned_at,
            "assigned_by": staff,
            "due_date": dt.date(2025, 4, 20),
            "original_due_date": dt.date(2025, 4, 20),
            "accepted_at": local_dt(2025, 1, 21),
        },
    )
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.ASSIGNED)
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACCEPTED)
        assignment.refresh_from_db()
    for at, action, from_state, to_state in (
        (local_dt(2025, 1, 8), ProposalAction.FILE, "", ProposalStatus.SUBMITTED),
        (local_dt(2025, 1, 15), ProposalAction.REGISTER, ProposalStatus.SUBMITTED, ProposalStatus.REGISTERED),
        (assigned_at, ProposalAction.ASSIGN, ProposalStatus.REGISTERED, ProposalStatus.ASSIGNED),
        (local_dt(2025, 1, 21), ProposalAction.ACCEPT, AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED),
    ):
        TimelineEvent.objects.get_or_create(
            proposal=proposal,
            action=action,
            at=at,
            defaults={
                "actor": users["county_handler"] if action == ProposalAction.ACCEPT else staff,
                "assignment": assignment if action in (ProposalAction.ASSIGN, ProposalAction.ACCEPT) else None,
                "from_state": from_state,
                "to_state": to_state,
            },
        )
    return assignment
