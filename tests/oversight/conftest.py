"""Fixtures of the oversight tests.

Tasks run with django-tasks' ImmediateBackend here (the work runs inside ``enqueue``), so a test
sees its outcome at once; ``test_tasks_worker.py`` runs the real database backend and one pass of
``db_worker`` instead. Mail goes to Django's locmem outbox (pytest-django's test environment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from consultations.models import Consultation, ConsultationStatus, Rating
from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Meeting,
    Proposal,
    ProposalStatus,
)
from replies.models import Reply, ReplyStatus
from tests.factories import World, make_assignment, make_proposal

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE
    settings.TASK_MAX_ATTEMPTS = 3


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def make_reply(assignment: Assignment, *, by, issued: dt.date | None, cls: str = "A", round: int = 1, **extra) -> Reply:
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


@dataclass
class StatsData:
    meeting: Meeting
    today: dt.date
    agency_a: Agency
    agency_b: Agency
    assignments: dict[str, Assignment]
    proposals: dict[str, Proposal]


@pytest.fixture
def stats_data(world: World) -> StatsData:
    """A meeting (八届四次) whose figures are counted by hand in test_stats.py.

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


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(fn, ...) calls fn and then, as a real commit would, the on_commit hooks it registered
    (which enqueue the tasks). The test's transaction otherwise never commits."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run
