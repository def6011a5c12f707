"""The audit log for an auditor (issue 20, item 9): every row in words — who with their role, the
event as a sentence naming its object, the outcome — filtered, paged and exported to Excel."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.log import record_event
from audit.models import AuditEvent
from audit.words import export_header
from proposals.choices import ProposalAction, ProposalStatus, Role
from proposals.timeline import timeline_record
from tests.factories import draft_reply, make_assignment, make_other_committee, make_proposal, schedule

PAGE = "/audit/"


def table_text(response) -> str:
    """The text of the log's table body, tags removed: what the auditor reads."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def sheet_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def auditor(world, login):
    return login(world.auditor)


def test_a_reply_download_reads_as_a_sentence_with_the_person_and_role(world, auditor):
    reply = draft_reply(world)
    record_event(event="download", user=world.handler_a, obj=reply, detail="reply_pdf")
    text = table_text(auditor.get(PAGE))
    assert "甲经办（甲市发展和改革委员会经办人）" in text
    assert "下载了第 TA0001 号提案的答复 PDF（甲市发展和改革委员会）" in text
    assert "成功" in text


def test_an_assignment_reads_as_a_sentence_with_the_agency_and_the_states(world, auditor):
    timeline_record(
        proposal=world.proposal,
        actor=world.staff,
        action=ProposalAction.ASSIGN,
        from_state=ProposalStatus.REGISTERED,
        to_state=ProposalStatus.ASSIGNED,
        assignment=world.assignment,
    )
    text = table_text(auditor.get(PAGE))
    assert "将第 TA0001 号提案交办给甲市发展和改革委员会（主办），状态由“已立案”变为“办理中”" in text
    assert "staff1（晋城市政协工作人员）" in text


def test_a_failed_login_names_the_account_but_not_a_person_as_actor(world, auditor, client):
    client.logout()
    client.post(reverse("login"), {"username": "handler_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "mallory", "password": "wrong"})
    client.force_login(world.auditor)
    text = table_text(client.get(PAGE, {"event": "login_failed"}))
    assert "以甲经办（甲市发展和改革委员会经办人）的用户名“handler_a”登录失败" in text
    assert "以用户名“mallory”登录失败（没有这个用户）" in text
    assert "未登录的访问者" in text and "失败" in text


def test_a_role_change_reads_with_both_role_labels(world, auditor):
    world.handler_a.role = Role.LEADER
    world.handler_a.save()
    text = table_text(auditor.get(PAGE, {"event": "role_change"}))
    assert "修改了用户甲经办（handler_a）的角色：由“承办单位经办人”改为“承办单位负责人”" in text


def test_a_refused_page_names_the_page_and_its_object_not_the_url(world, auditor, login):
    assert login(world.handler_a).get(reverse("proposals:assign", args=[world.proposal.pk])).status_code == 403
    client = login(world.auditor)
    text = table_text(client.get(PAGE, {"event": "permission_denied"}))
    assert "打开“交办”（第 TA0001 号提案）被拒绝" in text
    assert "被拒绝" in text
    assert "/proposals/" not in text


def test_logout_and_account_rows_have_no_key_value_dumps(world, auditor):
    record_event(event="logout", user=world.handler_a, detail="other_sessions_ended=0")
    record_event(event="logout", user=world.leader_a, detail="other_sessions_ended=2")
    world.leader_a.is_active = False
    world.leader_a.save()
    text = table_text(auditor.get(PAGE))
    assert "退出登录" in text and "同时结束了其他 2 个登录会话" in text
    assert "停用了用户甲负责人（leader_a）" in text


def test_the_page_shows_no_codes_ids_urls_or_personal_data(world, auditor, login):
    consultation = schedule(world)  # its record carries the host's phone
    reply = draft_reply(world)
    record_event(event="download", user=world.handler_a, obj=consultation, detail="面商记录表-TA0001-第1轮.pdf")
    record_event(event="download", user=world.handler_a, obj=reply, detail="reply_pdf")
    record_event(event="export", user=world.staff, detail="proposals.xlsx rows=12")
    record_event(event="lockout", outcome="denied", username="13800000001", detail="failures=5 cooloff_minutes=30")
    record_event(
        event="out_of_scope", user=world.handler_b, outcome="denied", detail="count=3 last=proposals.Proposal#1"
    )
    world.handler_b.agency = world.agency_a
    world.handler_b.save()
    login(world.handler_a).get(reverse("proposals:assign", args=[world.proposal.pk]))
    text = table_text(login(world.auditor).get(PAGE))
    assert "下载了第 TA0001 号提案的面商记录表 PDF" in text
    assert "导出了提案列表（Excel，共 12 行）" in text
    assert "试图打开权限范围以外的提案（编号 1）（一分钟内共 3 次）" in text
    assert "将用户handler_b的所属承办单位由“乙市商务局”改为“甲市发展和改革委员会”" in text
    for raw in ("#", "=", "proposals.", "/proposals/", "reply_pdf", "other_sessions_ended", "→ -"):
        assert raw not in text, raw
    # members' and hosts' phones, work units; a phone typed as a username is masked
    for personal in ("13800000001", "13900000001", "甲单位"):
        assert personal not in text, personal


def test_another_committees_people_and_records_are_not_named(world, auditor):
    other = make_other_committee()
    proposal = make_proposal(meeting=other.meeting, created_by=other.staff, number="XA0001", title="关于乙县水利的建议")
    assignment = make_assignment(proposal=proposal, agency=other.agency, assigned_by=other.staff)
    timeline_record(proposal=proposal, actor=other.staff, action=ProposalAction.ASSIGN, assignment=assignment)
    record_event(event="download", user=other.handler, obj=proposal)
    text = table_text(auditor.get(PAGE))
    # the rows are there (the trail is whole), by kind, id, account and role only
    assert f"交办了提案（编号 {proposal.pk}）" in text
    assert "county_handler1（承办单位经办人）" in text
    for name in ("XA0001", "乙县水利", "乙县发展和改革局", "乙县政协"):
        assert name not in text, name


def test_filters_by_person_event_dates_and_outcome(world, login, clock):
    record_event(event="download", user=world.handler_a, detail="reply_pdf")
    record_event(event="login_failed", outcome="failed", username="handler_a")
    record_event(event="download", user=world.staff, detail="reply_pdf")
    clock.advance(days=3)
    record_event(event="permission_denied", user=world.handler_b, outcome="denied", detail="GET /audit/")
    auditor = login(world.auditor)  # logged in on the later day: the session would have expired

    def rows(**query):
        return [line.row for line in auditor.get(PAGE, query).context["lines"]]

    # by the name people know (display name) or the username, a failed login's included
    assert {(r.event, r.user_id) for r in rows(user="甲经办")} == {("download", world.handler_a.pk)}
    assert {r.event for r in rows(user="handler_a")} == {"download", "login_failed"}
    assert [r.event for r in rows(event="permission_denied")] == ["permission_denied"]
    assert {r.outcome for r in rows(outcome="denied")} == {"denied"}
    today = clock.now.astimezone().date()
    later = rows(date_from=today.isoformat())
    assert {r.event for r in later} == {"login", "permission_denied"}  # the auditor's own login that day
    earlier = rows(date_to=(today - dt.timedelta(days=1)).isoformat())
    assert "permission_denied" not in {r.event for r in earlier} and len(earlier) >= 3
    page = auditor.get(PAGE).content.decode()
    # the event filter is a select of Chinese names, the outcome in words
    assert '<option value="login_failed">登录失败</option>' in page
    assert '<option value="denied">被拒绝</option>' in page


def test_export_has_the_header_and_the_filtered_rows_in_words(world, auditor):
    reply = draft_reply(world)
    for _ in range(3):
        record_event(event="download", user=world.handler_a, obj=reply, detail="reply_pdf")
    record_event(event="download", user=world.staff, obj=reply, detail="=HYPERLINK(1)")
    response = auditor.get(reverse("audit:export"), {"user": "handler_a", "event": "download"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    rows = sheet_rows(response)
    assert list(rows[0]) == export_header()
    assert len(rows) == 4
    for row in rows[1:]:
        assert row[2] == "甲经办（甲市发展和改革委员会经办人）"
        assert row[3] == "下载" and row[4] == "下载了第 TA0001 号提案的答复 PDF（甲市发展和改革委员会）"
        assert row[5] == "成功" and isinstance(row[1], dt.datetime)
    # the export itself is a row of the trail, in words
    export = AuditEvent.objects.order_by("-id").first()
    assert export is not None
    assert export.event == "export" and export.user_id == world.auditor.pk
    text = table_text(auditor.get(PAGE, {"event": "export"}))
    assert "导出了审计日志（Excel，共 3 行）" in text


def test_export_keeps_user_text_from_becoming_a_formula(world, auditor):
    world.handler_a.display_name = "=1+2"  # typed by an administrator
    world.handler_a.save()
    record_event(event="login", user=world.handler_a)
    response = auditor.get(reverse("audit:export"), {"user": "handler_a", "event": "login"})
    (row,) = sheet_rows(response)[1:]
    assert row[2] == "'=1+2（甲市发展和改革委员会经办人）" and row[4] == "登录了系统"


@pytest.mark.parametrize("persona", ["staff", "handler_a", "admin"])
def test_only_auditors_export(world, login, persona):
    assert login(world.personas()[persona]).get(reverse("audit:export")).status_code == 404


def _mixed_rows(world, reply, consultation, n: int) -> None:
    """n rows of every kind whose words need a lookup: people, proposals, assignments, replies…"""
    for i in range(n):
        kind = i % 5
        if kind == 0:
            record_event(event="download", user=world.handler_a, obj=reply, detail="reply_pdf")
        elif kind == 1:
            record_event(
                event="transition",
                user=world.staff,
                obj=world.proposal,
                detail=f"proposal_assign: registered → assigned assignment={world.assignment.pk} timeline=1",
            )
        elif kind == 2:
            record_event(event="download", user=world.handler_b, obj=consultation, detail="signature")
        elif kind == 3:
            record_event(event="role_change", user=world.admin, obj=world.leader_a, detail="leader_a: role leader → x")
        else:
            record_event(event="login_failed", outcome="failed", username=f"user{i}")


def test_the_page_query_count_does_not_grow_with_the_rows(world, auditor, django_assert_max_num_queries):
    reply = draft_reply(world)
    consultation = schedule(world)
    AuditEvent.objects.filter(pk__gt=0).count()  # warm up
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    _mixed_rows(world, reply, consultation, 5)
    with CaptureQueriesContext(connection) as small:
        assert auditor.get(PAGE, {"date_from": "2000-01-01"}).status_code == 200
    _mixed_rows(world, reply, consultation, 45)
    assert AuditEvent.objects.filter(id__gt=first).count() >= 50
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = auditor.get(PAGE, {"date_from": "2000-01-01"})
    assert len(response.context["lines"]) == 50


def test_a_workbook_import_reads_as_a_sentence(world, auditor):
    record_event(event="import", user=world.staff, detail="workbook import proposals=3+1 events=12")
    text = table_text(auditor.get(PAGE))
    assert "导入了 Excel 工作簿，补录办理记录 12 条" in text and "events=" not in text


def test_another_committees_person_is_not_found_by_name(world, auditor):
    """Their rows show the account, not the name: the person filter does not find them by name either."""
    other = make_other_committee()
    other.handler.display_name = name = "乙县经办人钱七"
    other.handler.save(update_fields=["display_name"])
    record_event(event="download", user=other.handler, obj=world.proposal)
    assert other.handler.username not in table_text(auditor.get(PAGE, {"user": name}))
    assert other.handler.username in table_text(auditor.get(PAGE, {"user": other.handler.username}))
