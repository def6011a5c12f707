"""Demo data of the proposals app: the TA0207 case up to its assignment, and one user per role.

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
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalAction,
    ProposalStatus,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
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
]

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


def load(ctx: DemoContext) -> None:
    for i, name in enumerate(CATEGORIES):
        upsert(Category, name=name, defaults={"order": i})
    for i, text in enumerate(DECLINE_REASONS):
        upsert(DeclineReason, text=text, defaults={"order": i})

    meeting, _ = upsert(
        Meeting,
        term=seed.TERM,
        session=seed.SESSION,
        defaults={"number_prefix": seed.PREFIX, "is_current": True},
    )
    zhu, _ = upsert(
        Member, name=seed.MEMBER_NAME, defaults={"phone": seed.MEMBER_PHONE, "work_unit": seed.MEMBER_WORK_UNIT}
    )
    other_member, _ = upsert(Member, name="李明", defaults={"sector": "经济界"})
    fgw, _ = upsert(Agency, name=seed.AGENCY, defaults={"short_name": "市发改委"})
    other, _ = upsert(Agency, name=seed.OTHER_AGENCY, defaults={"short_name": "市商务局"})
    agencies = {"fgw": fgw, "other": other}
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
            "category": Category.objects.get(name="经济建设"),
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
    ctx.objects.update(
        {
            "meeting": meeting,
            "member": zhu,
            "agency": fgw,
            "proposal": proposal,
            "assignment": assignment,
            "users": users,
        }
    )
