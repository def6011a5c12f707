from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proposals.models import Assignment, AssignmentStatus, ProposalStatus, User
from tests.factories import make_assignment, make_proposal

pytestmark = pytest.mark.django_db

VISIBLE = ["staff", "handler_a", "leader_a", "proposer", "cosigner"]
HIDDEN = ["handler_b", "unrelated_member"]


@pytest.mark.parametrize("who", VISIBLE)
def test_detail_is_shown_to_those_concerned(world, login, who):
    response = login(world.personas()[who]).get(reverse("proposals:detail", args=[world.proposal.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "关于加快产业合作的建议" in body and "第 TA0001 号" in body and world.agency_a.name in body


@pytest.mark.parametrize("who", HIDDEN)
def test_detail_is_404_for_outsiders_and_missing(world, login, who):
    client = login(world.personas()[who])
    assert client.get(reverse("proposals:detail", args=[world.proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:detail", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("proposals:detail", args=[world.proposal.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_phone_shown_to_staff_and_agency_not_to_cosigner(world, login):
    url = reverse("proposals:detail", args=[world.proposal.pk])
    assert "13800000001" in login(world.staff).get(url).content.decode()
    assert "13800000001" in login(world.handler_a).get(url).content.decode()
    assert "13800000001" not in login(world.cosigner_user).get(url).content.decode()


def test_work_links_only_for_staff_and_the_agency(world, login):
    url = reverse("proposals:detail", args=[world.proposal.pk])
    reply_link = f"/replies/assignment/{world.assignment.pk}/"
    consult_link = f"/consultations/assignment/{world.assignment.pk}/"
    for user in (world.staff, world.handler_a, world.leader_a):
        body = login(user).get(url).content.decode()
        assert reply_link in body and consult_link in body
    body = login(world.member_user).get(url).content.decode()
    assert reply_link not in body and consult_link not in body


def test_proposer_reaches_the_issued_reply_and_the_rating_from_the_proposal(world, login):
    """Before this, a member had no link from their proposal to the reply or the rating page."""
    url = reverse("proposals:detail", args=[world.proposal.pk])
    reply_link = f'href="/replies/assignment/{world.assignment.pk}/"'
    rate_link = f'href="/consultations/assignment/{world.assignment.pk}/rate/"'
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.REPLIED)
    for member in (world.member_user, world.cosigner_user):
        body = login(member).get(url).content.decode()
        assert reply_link in body and rate_link in body
    # Staff and the agency keep their work links and get no member links.
    body = login(world.handler_a).get(url).content.decode()
    assert rate_link not in body
    # After closing, the reply stays readable but rating is over.
    type(world.proposal).objects.filter(pk=world.proposal.pk).update(status=ProposalStatus.CLOSED)
    body = login(world.member_user).get(url).content.decode()
    assert reply_link in body and rate_link not in body


def test_proposer_gets_no_reply_link_before_the_reply_is_issued(world, login):
    body = login(world.member_user).get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert "查看答复" not in body and "测评办理情况" not in body


def test_markup_in_text_is_shown_as_text(world, login):
    p = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.proposer,
        title="<script>alert('x')</script>标题",
        main_content="<img src=x onerror=alert(1)>",
    )
    body = login(world.staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;标题" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_list_shows_only_visible_proposals(world, login):
    other = make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="别人的提案"
    )
    staff_body = login(world.staff).get(reverse("proposals:list")).content.decode()
    assert "关于加快产业合作的建议" in staff_body and "别人的提案" in staff_body
    handler_body = login(world.handler_a).get(reverse("proposals:list")).content.decode()
    assert "关于加快产业合作的建议" in handler_body and "别人的提案" not in handler_body
    b_body = login(world.handler_b).get(reverse("proposals:list")).content.decode()
    assert "关于加快产业合作的建议" not in b_body
    assert other.pk


def _titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


def test_list_filters(world, login):
    today = timezone.localdate()
    late = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.unrelated,
        title="超期的",
        status=ProposalStatus.ASSIGNED,
        is_key=True,
    )
    make_assignment(proposal=late, agency=world.agency_b, assigned_by=world.staff, due=today - dt.timedelta(days=3))
    make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="待审查的")
    client = login(world.staff)
    url = reverse("proposals:list")
    assert _titles(client.get(url, {"overdue": "true"})) == ["超期的"]
    assert _titles(client.get(url, {"is_key": "true"})) == ["超期的"]
    assert _titles(client.get(url, {"agency": world.agency_a.pk})) == ["关于加快产业合作的建议"]
    assert _titles(client.get(url, {"status": "submitted"})) == ["待审查的"]
    assert _titles(client.get(url, {"proposer": "李四"})) == ["关于加快产业合作的建议"]  # a co-signer
    assert _titles(client.get(url, {"q": "产业合作"})) == ["关于加快产业合作的建议"]
    due_range = {"due_after": (today - dt.timedelta(days=10)).isoformat(), "due_before": today.isoformat()}
    assert _titles(client.get(url, due_range)) == ["超期的"]
    assert set(_titles(client.get(url, {"meeting": world.meeting.pk}))) == {
        "超期的",
        "待审查的",
        "关于加快产业合作的建议",
    }
    assert _titles(client.get(url, {"o": "-due"}))[:2] == ["关于加快产业合作的建议", "超期的"]
    assert _titles(client.get(url, {"o": "due"}))[:2] == ["超期的", "关于加快产业合作的建议"]


def _export_rows(response) -> list[tuple]:
    """The sheet of an export response (streamed from a temporary file)."""
    assert response.streaming
    return list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))


def test_export_is_the_filtered_visible_list(world, login):
    from proposals.exports import export_columns

    make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title="=1+1 别人的")
    response = login(world.staff).get(reverse("proposals:export"), {"agency": world.agency_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment")
    rows = _export_rows(response)
    assert rows[0] == tuple(export_columns())
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["编号"], row["标题"], row["状态"]) == ("TA0001", "关于加快产业合作的建议", "办理中")
    assert (row["提案人"], row["联名人"]) == ("张三", "李四")
    assert row["承办单位"] == f"{world.agency_a.name}（主办）"
    assert row["办理时限"] == world.assignment.due_date.isoformat()
    assert row["交办日期"] == timezone.localdate().isoformat()
    # A formula-looking title stays text; a handler's export holds only their agency's proposals.
    rows = _export_rows(login(world.staff).get(reverse("proposals:export")))
    assert "'=1+1 别人的" in [r[2] for r in rows]
    assert len(_export_rows(login(world.handler_b).get(reverse("proposals:export")))) == 1


def test_mine_shows_own_and_cosigned_and_decline_outcome(world, login, decline_reason):
    from proposals import services

    p = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, title="被退的")
    services.proposal_decline(proposal=p, actor=world.staff, reason=decline_reason, convert_to_opinion=True)
    body = login(world.member_user).get(reverse("proposals:mine")).content.decode()
    assert "关于加快产业合作的建议" in body and "被退的" in body
    assert decline_reason.text in body and "已转为意见建议" in body
    body = login(world.cosigner_user).get(reverse("proposals:mine")).content.decode()
    assert "关于加快产业合作的建议" in body and "被退的" not in body
    body = login(world.unrelated_user).get(reverse("proposals:mine")).content.decode()
    assert "关于加快产业合作的建议" not in body
    detail = login(world.member_user).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "本提案已转为意见建议" in detail and decline_reason.text in detail


def test_inbox_sorted_by_due_date_with_overdue_highlighted(world, login):
    today = timezone.localdate()
    late = make_proposal(meeting=world.meeting, created_by=world.staff, title="超期件", status=ProposalStatus.ASSIGNED)
    make_assignment(proposal=late, agency=world.agency_a, assigned_by=world.staff, due=today - dt.timedelta(days=1))
    done = make_proposal(meeting=world.meeting, created_by=world.staff, title="已答复件", status=ProposalStatus.REPLIED)
    make_assignment(
        proposal=done,
        agency=world.agency_a,
        assigned_by=world.staff,
        status=AssignmentStatus.REPLIED,
        due=today - dt.timedelta(days=30),
    )
    closed = make_proposal(
        meeting=world.meeting, created_by=world.staff, title="已办结件", status=ProposalStatus.CLOSED
    )
    make_assignment(proposal=closed, agency=world.agency_a, assigned_by=world.staff, status=AssignmentStatus.DONE)
    response = login(world.handler_a).get(reverse("proposals:inbox"))
    # Open work by due date first; a replied one (waiting for consultation and feedback) after it.
    assert [a.proposal.title for a in response.context["page"]] == ["超期件", "关于加快产业合作的建议", "已答复件"]
    body = response.content.decode()
    assert body.count('class="table-overdue"') == 1 and "已超期" in body
    assert login(world.handler_b).get(reverse("proposals:inbox")).context["page"].paginator.count == 0


def test_staff_inbox_lists_returned_and_extension_requests(world, login):
    from proposals import services

    services.assignment_request_extension(
        assignment=world.assignment,
        actor=world.handler_a,
        reason="r",
        requested_due_date=world.assignment.due_date + dt.timedelta(days=9),
    )
    client = login(world.staff)
    assert reverse("proposals:staff_queue") in client.get(reverse("proposals:list")).content.decode()
    response = client.get(reverse("proposals:staff_queue"))
    assert [a.pk for a in response.context["page"]] == [world.assignment.pk]
    assert "申请延期" in response.content.decode()


def _bulk(world, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            title=f"批量{i}",
            status=ProposalStatus.ASSIGNED,
            number=f"TB{i:04d}",
            category=None,
        )
        make_assignment(proposal=p, agency=world.agency_a, assigned_by=world.staff, status=AssignmentStatus.PENDING)
        make_assignment(proposal=p, agency=world.agency_b, assigned_by=world.staff, role="co")


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("staff", "proposals:list"),
        ("handler_a", "proposals:inbox"),
        ("handler_a", "proposals:list"),
        ("proposer", "proposals:mine"),
    ],
)
def test_list_and_inbox_queries_do_not_grow_with_rows(world, login, settings, who, url_name, monkeypatch):
    import proposals.views.lists

    monkeypatch.setattr(proposals.views.lists, "PAGE_SIZE", 50)
    client = login(world.personas()[who])
    _bulk(world, 4)  # 5 rows with the world's proposal
    small = _count(client, reverse(url_name))
    _bulk(world, 45, start=100)  # 50 rows
    large = _count(client, reverse(url_name))
    rows = len(client.get(reverse(url_name)).context["page"].object_list)
    assert rows == 50
    assert small == large, (small, large)
    print(f"queries {url_name} as {who}: {large}")


def test_export_queries_do_not_grow_with_rows(world, login):
    client = login(world.staff)
    _bulk(world, 4)
    small = _count(client, reverse("proposals:export"))
    _bulk(world, 45, start=100)
    assert _count(client, reverse("proposals:export")) == small


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Pass-12345")
    return {u.username: u for u in User.objects.all()}


def test_demo_staff_sees_ta0207_in_list_and_export(demo, login):
    client = login(demo["staff"])
    body = client.get(reverse("proposals:list")).content.decode()
    assert "TA0207" in body and "关于加强交流共谋发展" in body
    rows = _export_rows(client.get(reverse("proposals:export")))
    [row] = [dict(zip(rows[0], r, strict=True)) for r in rows if r[1] == "TA0207"]
    assert row["提案人"] == "朱国胜" and row["承办单位"] == "晋城市发展和改革委员会（分办：第二条）"
    assert row["答复日期"] == "2024-07-09" and row["答复类别"] == "A 类"


def test_demo_outsiders_get_404_on_ta0207(demo, login):
    pk = Assignment.objects.get(proposal__number="TA0207").proposal_id
    for username in ("other_handler", "other_member"):
        assert login(demo[username]).get(reverse("proposals:detail", args=[pk])).status_code == 404
    for username in ("staff", "fgw_handler", "fgw_leader", "zhuguosheng"):
        assert login(demo[username]).get(reverse("proposals:detail", args=[pk])).status_code == 200


def test_demo_member_and_handler_pages(demo, login):
    mine = login(demo["zhuguosheng"]).get(reverse("proposals:mine"))
    assert [p.number for p in mine.context["page"]] == ["TA0207"]
    inbox = login(demo["fgw_handler"]).get(reverse("proposals:inbox"))
    assert [(a.proposal.number, a.scope) for a in inbox.context["page"]] == [("TA0207", "第二条")]
    assert login(demo["other_handler"]).get(reverse("proposals:inbox")).context["page"].paginator.count == 0


@pytest.mark.parametrize("sort", ["", "number", "-title", "status", "due", "-due", "created", "-created"])
def test_list_pages_read_ids_first_and_keep_the_order_and_the_rows(world, login, monkeypatch, sort):
    """The list pages by ids, then reads those rows (proposals.paging): the same rows in the same order."""
    import proposals.views.lists
    from proposals.selectors import proposal_list

    monkeypatch.setattr(proposals.views.lists, "PAGE_SIZE", 3)
    _bulk(world, 7)
    client = login(world.staff)
    params = {"o": sort} if sort else {}
    expected = [p.pk for p in proposal_list(world.staff, params).ordered]
    assert len(expected) == 8
    seen = []
    for number in (1, 2, 3):
        page = client.get(reverse("proposals:list"), {**params, "page": number}).context["page"]
        seen += [p.pk for p in page.object_list]
        assert all(hasattr(p, "live_assignments") and hasattr(p, "next_due") for p in page.object_list)
    assert seen == expected


def test_filter_selects_keep_the_choice_and_escape_labels(world, login):
    from proposals.models import Agency

    hostile = Agency.objects.create(name='<script>alert("x")</script>局', short_name="x")
    body = login(world.staff).get(reverse("proposals:list"), {"agency": hostile.pk, "status": "assigned"}).content
    body = body.decode()
    assert f'<option value="{hostile.pk}" selected>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;局</option>' in body
    assert '<option value="assigned" selected>' in body
    assert '<select name="agency" class="form-select form-select-sm" id="id_agency">' in body
    assert '<label class="form-label small mb-0" for="id_agency">' in body
