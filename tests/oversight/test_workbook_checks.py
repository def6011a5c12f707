"""The dry run of a workbook import (issue 17): every problem with its sheet, row, column and a
Chinese message, and nothing written while any row has one — not even when asked to commit."""

from __future__ import annotations

import pytest

from oversight.workbook import columns as c
from oversight.workbook.cells import NOT_A_DATE, NOT_A_DATETIME
from oversight.workbook.importer import (
    UNKNOWN_MEMBER,
    UNKNOWN_PROPOSAL,
    workbook_import,
)
from proposals.models import Assignment, Member, Proposal, TimelineEvent
from proposals.services.filing import FIRST_PROPOSER_IN_COSIGNERS
from proposals.services.numbering import DUPLICATE_NUMBER
from proposals.validators import phone_problem
from replies.models import Reply
from replies.rules import CLASS_NOT_ENABLED
from tests.oversight.workbook_files import workbook_bytes


def _proposal(world, number: str, **extra):
    row = {
        "committee": world.meeting.committee.name,
        "meeting": "8-3",
        "number": number,
        "title": f"关于{number}的建议",
        "proposer_kind": "individual",
        "first_proposer": "张三",
        "first_proposer_unit": "甲单位",
        "main_content": "主要内容",
        "status": "registered",
        "created_by": "staff1",
    }
    row.update(extra)
    return row


def _counts():
    return (
        Proposal.objects.count(),
        Assignment.objects.count(),
        Reply.objects.count(),
        Member.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def bad_file(world):
    committee = world.meeting.committee.name
    return workbook_bytes(
        {
            c.MEMBERS: [
                {"committee": committee, "name": "新委员", "work_unit": "丁单位", "phone": "12345"},
            ],
            c.PROPOSALS: [
                _proposal(world, "TA9001"),
                _proposal(world, "TA9001"),
                _proposal(world, "TA9002", first_proposer="赵无名", first_proposer_unit=""),
                _proposal(world, "TA9003", proposer_kind="joint", cosigners="张三（甲单位）"),
                _proposal(world, "TA9004", created_at="2024-13-45"),
                _proposal(
                    world,
                    "TA9005",
                    proposer_kind="body",
                    first_proposer="",
                    body_name="民建",
                    body_contact="王",
                    body_contact_phone="0356-12",
                ),
            ],
            c.ASSIGNMENTS: [
                {
                    "committee": committee,
                    "meeting": "8-3",
                    "number": "TA9999",
                    "agency": world.agency_a.name,
                    "role": "lead",
                    "status": "accepted",
                    "round": 1,
                    "assigned_at": "2024-02-01 10:00",
                    "assigned_by": "staff1",
                    "due_date": "明年",
                },
            ],
            c.REPLIES: [
                {
                    "committee": committee,
                    "meeting": "8-3",
                    "number": "TA0001",
                    "agency": world.agency_a.name,
                    "round": 1,
                    "status": "draft",
                    "reply_class": "Z",
                    "title": "关于的答复",
                    "addressee": "张三委员：",
                    "created_by": "handler_a",
                },
            ],
        }
    )


def _where(plan):
    return {(p.sheet, p.row, p.column): p.message for p in plan.problems}


def test_dry_run_lists_every_problem_with_sheet_row_and_column(world, bad_file):
    plan = workbook_import(source=bad_file, actor=world.staff, dry_run=True).plan
    found = _where(plan)
    assert found[("委员", 3, "联系电话")] == phone_problem("12345")
    assert found[("提案", 4, "提案编号")] == f"{DUPLICATE_NUMBER}（与第 3 行重复）"
    assert found[("提案", 5, "第一提案人")] == str(UNKNOWN_MEMBER) % {
        "committee": world.meeting.committee.name,
        "name": "赵无名",
    }
    assert found[("提案", 6, "联名提案人")] == str(FIRST_PROPOSER_IN_COSIGNERS)
    assert found[("提案", 7, "创建时间")] == str(NOT_A_DATETIME) % {"value": "2024-13-45"}
    assert found[("提案", 8, "联系人电话")] == phone_problem("0356-12")
    assert found[("交办", 3, "办理时限")] == str(NOT_A_DATE) % {"value": "明年"}
    assert found[("交办", 3, "提案编号")] == str(UNKNOWN_PROPOSAL) % {"meeting": "8-3", "number": "TA9999"}
    assert found[("答复", 3, "答复类别")] == str(CLASS_NOT_ENABLED) % {"label": "Z"}
    assert not plan.ok


def test_nothing_is_written_while_a_row_has_a_problem(world, bad_file):
    before = _counts()
    result = workbook_import(source=bad_file, actor=world.staff, dry_run=False)
    assert not result.committed
    assert _counts() == before
    assert not Proposal.objects.filter(number="TA9001").exists()


def test_a_good_file_dry_run_counts_and_writes_nothing(world):
    data = workbook_bytes({c.PROPOSALS: [_proposal(world, "TA9001"), _proposal(world, "TA0001", title="改过的标题")]})
    before = _counts()
    plan = workbook_import(source=data, actor=world.staff, dry_run=True).plan
    assert plan.ok, plan.problems
    (count,) = plan.counts
    assert (count.rows, count.create, count.update) == (2, 1, 1)
    assert count.examples == [(3, "8-3 TA9001", True), (4, "8-3 TA0001", False)]
    assert _counts() == before


def test_staff_may_not_import_another_committees_rows(world):
    from tests.factories import make_other_committee

    other = make_other_committee()
    data = workbook_bytes({c.MEMBERS: [{"committee": other.committee.name, "name": "外委员", "work_unit": "外单位"}]})
    plan = workbook_import(source=data, actor=world.staff, dry_run=True).plan
    assert [(p.sheet, p.row, p.column) for p in plan.problems] == [("委员", 3, "委员会")]
    assert "只能导入本委员会" in plan.problems[0].message


def test_staff_import_skips_the_administrators_sheets(world):
    data = workbook_bytes(
        {
            c.USERS: [{"username": "intruder", "role": "admin"}],
            c.MEMBERS: [{"committee": world.meeting.committee.name, "name": "新委员", "work_unit": "丁单位"}],
        }
    )
    result = workbook_import(source=data, actor=world.staff)
    assert result.committed
    assert result.plan.notices == ["工作表“用户”只有系统管理员可以导入，已跳过。"]
    assert Member.objects.filter(name="新委员").exists()
    from proposals.models import User

    assert not User.objects.filter(username="intruder").exists()
