"""The staff list's Excel export (issue 20, item 5): its columns, what each holds, whose rows, no
personal data, a fixed number of queries, streamed from a file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations.models import Satisfaction
from proposals import exports
from proposals.models import AssignmentRole, AssignmentStatus, Category, Member, ProposalStatus
from proposals.services import proposal_register
from proposals.services.merging import proposals_merge
from tests.factories import make_assignment, make_proposal, make_rating, make_reply

pytestmark = pytest.mark.django_db

HEADERS = [
    "会议",
    "编号",
    "标题",
    "提案人",
    "联名人",
    "界别",
    "类别",
    "承办单位",
    "交办日期",
    "办理时限",
    "答复日期",
    "答复类别",
    "满意度",
    "状态",
    "并入提案",
    "是否重点",
    "是否超期",
]


def _sheet(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming  # handed over from a temporary file, not built in memory again
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, r, strict=True)) for r in rows[1:]]


def test_the_header_row_is_the_documented_list():
    assert exports.export_columns() == HEADERS
    assert [c.code for c in exports.EXPORT_COLUMNS][:5] == ["meeting", "number", "title", "proposer", "cosigners"]


@pytest.fixture
def full(world):
    """TA0001 (张三 with 李四) made key, with a category and 界别, led by A and co-handled by B,
    answered by A (class B, then re-handled and answered again as class A) and rated."""
    p = world.proposal
    world.proposer.sector = "经济界"
    world.proposer.save()
    world.cosigner.sector = "农业界"
    world.cosigner.save()
    p.category = Category.objects.get(name="经济建设")
    p.is_key = True
    p.save()
    make_assignment(proposal=p, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO)
    make_reply(world.assignment, by=world.handler_a, issued=dt.date(2024, 7, 1), cls="B", round=1)
    make_reply(world.assignment, by=world.handler_a, issued=dt.date(2024, 7, 9), cls="A", round=2)
    make_rating(world.assignment, member=world.proposer, by=world.staff, value=Satisfaction.UNSATISFIED, round=1)
    make_rating(world.assignment, member=world.proposer, by=world.staff, value=Satisfaction.SATISFIED, round=2)
    return world


def test_a_row_holds_every_column(full, login):
    [row] = _sheet(login(full.staff).get(reverse("proposals:export"), {"meeting": full.meeting.pk}))
    assert row == {
        "会议": "八届三次会议",
        "编号": "TA0001",
        "标题": "关于加快产业合作的建议",
        "提案人": "张三",
        "联名人": "李四",
        "界别": "经济界、农业界",
        "类别": "经济建设",
        "承办单位": "甲市发展和改革委员会（主办）；乙市商务局（会办）",
        "交办日期": timezone.localdate().isoformat(),
        "办理时限": row["办理时限"],
        "答复日期": "2024-07-09",  # the reply in force: the second round's
        "答复类别": "A 类",
        "满意度": "满意",  # the rating in force: the second round's
        "状态": "办理中",
        "并入提案": None,  # in no group (an empty cell)
        "是否重点": "是",
        "是否超期": "否",
    }
    dues = {a.due_date.isoformat() for a in full.proposal.assignments.all()}
    assert set(row["办理时限"].split("；")) == dues


def test_no_phone_or_work_unit_reaches_the_export(full, login):
    body = login(full.staff).get(reverse("proposals:export"), {"meeting": full.meeting.pk}).getvalue()
    texts = [
        str(v) for r in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for v in r if v is not None
    ]
    for member in Member.objects.all():
        for secret in (member.phone, member.work_unit):
            if secret:
                assert not any(secret in t for t in texts), secret


def test_split_answers_name_their_agency_and_a_body_is_the_proposer(world, login):
    today = timezone.localdate()
    p = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        status=ProposalStatus.ASSIGNED,
        number="TA0002",
        title="集体提案",
        kind="body",
        body_name="民革晋城市委员会",
    )
    a = make_assignment(
        proposal=p, agency=world.agency_a, assigned_by=world.staff, role=AssignmentRole.SPLIT, scope="第一条"
    )
    b = make_assignment(
        proposal=p,
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.SPLIT,
        scope="第二条",
        due=today - dt.timedelta(days=1),
    )
    make_reply(a, by=world.handler_a, issued=dt.date(2024, 7, 9), cls="B")
    assert b.status == AssignmentStatus.ACCEPTED
    rows = _sheet(login(world.staff).get(reverse("proposals:export"), {"meeting": world.meeting.pk}))
    [row] = [r for r in rows if r["编号"] == "TA0002"]
    assert row["提案人"] == "民革晋城市委员会" and row["联名人"] is None and row["界别"] is None
    assert row["承办单位"] == "甲市发展和改革委员会（分办：第一条）；乙市商务局（分办：第二条）"
    assert row["答复日期"] == "甲市发展和改革委员会：2024-07-09"
    assert row["答复类别"] == "甲市发展和改革委员会：B 类"
    assert row["是否超期"] == "是"  # 乙's part is open and past its due date


def test_the_rows_are_the_filtered_list_the_user_may_see(full, login):
    other = make_proposal(
        meeting=full.meeting, created_by=full.staff, first_proposer=full.unrelated, title="别人的提案"
    )
    assert {
        r["标题"] for r in _sheet(login(full.staff).get(reverse("proposals:export"), {"meeting": full.meeting.pk}))
    } == {
        "关于加快产业合作的建议",
        other.title,
    }
    # Filtered as the list is: by the agency.
    rows = _sheet(login(full.staff).get(reverse("proposals:export"), {"agency": full.agency_a.pk}))
    assert [r["编号"] for r in rows] == ["TA0001"]
    # A co-handler sees the proposal but not the lead agency's reply (replies_visible_to).
    [row] = _sheet(login(full.handler_b).get(reverse("proposals:export")))
    assert row["编号"] == "TA0001" and row["答复日期"] is None and row["满意度"] is None
    # A member: their own proposal, their own rating; the unrelated member's export is empty.
    [row] = _sheet(login(full.member_user).get(reverse("proposals:export")))
    assert (row["答复类别"], row["满意度"]) == ("A 类", "满意")
    [row] = _sheet(login(full.cosigner_user).get(reverse("proposals:export")))
    assert row["编号"] == "TA0001" and row["满意度"] is None  # 张三's rating is his own
    assert [r["标题"] for r in _sheet(login(full.unrelated_user).get(reverse("proposals:export")))] == ["别人的提案"]


def _bulk(world, n: int, start: int) -> None:
    for i in range(n):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            status=ProposalStatus.ASSIGNED,
            number=f"TB{start + i:04d}",
            title=f"批量{start + i}",
            cosigners=(world.cosigner,),
        )
        a = make_assignment(proposal=p, agency=world.agency_a, assigned_by=world.staff)
        make_assignment(proposal=p, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO)
        make_reply(a, by=world.handler_a, issued=dt.date(2024, 7, 9))
        make_rating(a, member=world.proposer, by=world.staff, value=Satisfaction.BASIC)


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("proposals:export"), params).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_rows(world, login):
    client = login(world.staff)
    params = {"meeting": world.meeting.pk}
    _bulk(world, 3, 100)
    small = _queries(client, params)
    _bulk(world, 30, 200)
    assert _queries(client, params) == small
    rows = _sheet(client.get(reverse("proposals:export"), params))
    assert len(rows) == 34 and {r["满意度"] for r in rows if r["编号"].startswith("TB")} == {"基本满意"}


def test_batches_give_the_same_rows_as_one(world, login, monkeypatch):
    _bulk(world, 5, 100)
    client = login(world.staff)
    params = {"meeting": world.meeting.pk}
    whole = _sheet(client.get(reverse("proposals:export"), params))
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    monkeypatch.setattr("proposals.views.lists.EXPORT_BATCH_SIZE", 2)
    assert _sheet(client.get(reverse("proposals:export"), params)) == whole


def test_a_merged_proposal_names_the_lead_it_follows(world, login):
    """并案: each merged proposal's row names its lead's number (the group's agencies, dates and
    reply are on the lead's row); the lead's own cell and an ungrouped proposal's stay empty."""
    lead = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="冷链物流一"
    )
    other = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="冷链物流二"
    )
    proposals_merge(lead=lead, others=[other], actor=world.staff)
    proposal_register(proposal=lead, actor=world.staff)
    lead.refresh_from_db()
    rows = _sheet(login(world.staff).get(reverse("proposals:export"), {"meeting": world.meeting.pk}))
    by_title = {r["标题"]: r for r in rows}
    assert by_title["冷链物流二"]["并入提案"] == lead.number != ""
    assert by_title["冷链物流一"]["并入提案"] is None
    assert by_title[world.proposal.title]["并入提案"] is None
