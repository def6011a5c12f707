from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from audit.db import expected_triggers, installed_triggers
from audit.log import record_event
from audit.models import GENESIS_HASH, AppendOnlyError, AuditAnchor, AuditEvent
from audit.services import verify_chain
from proposals.choices import ProposalAction
from proposals.models import ProposalStatus, Role
from proposals.timeline import timeline_record
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ROW_FIELDS = ("at", "username", "role", "ip", "event", "object_label", "object_pk", "outcome")


def disable_guards():
    """What an attacker with database rights would do; undone by the test's rollback."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in installed_triggers(connection):
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the chain ----------------------------------------------------------------------------


def test_rows_are_chained_by_hash():
    a = record_event(event="test_a")
    b = record_event(event="test_b", detail="second")
    assert a.prev_hash == GENESIS_HASH
    assert b.prev_hash == a.hash
    assert b.hash == b.compute_hash() and len(b.hash) == 64
    assert verify_chain().ok


def test_verify_audit_reports_the_first_altered_row(capsys):
    rows = [record_event(event="test", detail=f"row {i}") for i in range(5)]
    call_command("verify_audit")
    assert "5 rows verified" in capsys.readouterr().out
    disable_guards()
    raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["forged", rows[2].pk])
    raw("UPDATE audit_auditevent SET outcome = %s WHERE id = %s", ["denied", rows[3].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"row id={rows[2].pk}" in str(exc.value)
    assert "hash does not match" in str(exc.value)


def test_verify_audit_reports_a_removed_row():
    rows = [record_event(event="test", detail=f"row {i}") for i in range(4)]
    disable_guards()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    report = verify_chain()
    assert not report.ok and report.first_bad_id == rows[2].pk
    assert "prev_hash" in report.reason


def test_verify_audit_catches_a_rehashed_row_by_the_next_link():
    rows = [record_event(event="test", detail=f"row {i}") for i in range(3)]
    forged = AuditEvent.objects.get(pk=rows[1].pk)
    forged.detail = "forged"
    forged.hash = forged.compute_hash()  # the forger recomputes this row's own hash...
    disable_guards()
    raw("UPDATE audit_auditevent SET detail = %s, hash = %s WHERE id = %s", [forged.detail, forged.hash, forged.pk])
    report = verify_chain()  # ...but the next row still names the old one
    assert not report.ok and report.first_bad_id == rows[2].pk


# --- append-only ---------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_rows():
    row = record_event(event="test")
    row.detail = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=row.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=row.pk).detail == ""


def test_the_database_refuses_raw_update_and_delete():
    assert expected_triggers(connection.vendor) <= installed_triggers(connection)
    row = record_event(event="test")
    for sql in ("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(sql, [row.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("TRUNCATE audit_auditevent")
    assert verify_chain().ok


def test_admin_is_read_only(world, login):
    row = record_event(event="test")
    client = login(world.admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    page = client.get(f"/admin/audit/auditevent/{row.pk}/change/")
    assert page.status_code == 200
    assert b'name="detail"' not in page.content  # shown, not editable
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/audit/auditevent/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert AuditEvent.objects.filter(pk=row.pk).exists()
    assert response.status_code in (200, 302)


# --- completeness: each event type carries time, user, role, IP, event, object, outcome ------


def login_client(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_login_success_failure_and_logout_are_recorded(world):
    Client().post("/accounts/login/", {"username": "staff1", "password": "nope"}, REMOTE_ADDR="10.1.2.3")
    client = login_client("staff1")
    client.post("/accounts/logout/")
    failed = AuditEvent.objects.get(event="login_failed")
    assert (failed.username, failed.ip, failed.outcome, failed.user_id) == ("staff1", "10.1.2.3", "failed", None)
    ok = AuditEvent.objects.get(event="login")
    assert (ok.user_id, ok.username, ok.role, ok.ip, ok.outcome) == (
        world.staff.pk,
        "staff1",
        Role.STAFF,
        "127.0.0.1",
        "ok",
    )
    out = AuditEvent.objects.get(event="logout")
    assert (out.user_id, out.role, out.ip) == (world.staff.pk, Role.STAFF, "127.0.0.1")


def test_permission_denied_is_recorded(world):
    # a 403 from the CSRF check (a view raising PermissionDenied goes through the same path)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.handler_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    row = AuditEvent.objects.get(event="permission_denied")
    assert (row.username, row.role, row.ip, row.outcome) == ("handler_a", Role.HANDLER, "127.0.0.1", "denied")
    assert row.detail == "POST /accounts/logout/"


def test_permission_denied_exception_goes_through_handler403(world, rf):
    from django.core.exceptions import PermissionDenied
    from django.core.handlers.exception import response_for_exception

    request = rf.get("/somewhere/")
    request.user = world.member_user
    response = response_for_exception(request, PermissionDenied())
    assert response.status_code == 403
    assert "403" in response.content.decode() or response.content  # Chinese page from config.views


def test_role_and_account_changes_in_admin_are_recorded(world, login):
    client = login(world.admin)
    target = world.unrelated_user
    data = {
        "username": target.username,
        "role": Role.STAFF,
        "display_name": target.display_name,
        "phone": "",
        "agency": "",
        "member": target.member_id,
        "is_active": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    response = client.post(f"/admin/proposals/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    role = AuditEvent.objects.get(event="role_change")
    assert (role.user_id, role.role, role.object_label, role.object_pk) == (
        world.admin.pk,
        Role.ADMIN,
        "proposals.User",
        str(target.pk),
    )
    assert "role member → staff" in role.detail
    assert AuditEvent.objects.filter(event="account_change", detail__contains="is_active True → False").exists()


def test_account_created_and_password_set_by_an_administrator_are_recorded(world):
    user = make_user("newbie", Role.STAFF, display_name="新人")
    assert AuditEvent.objects.filter(event="account_created", object_pk=str(user.pk)).exists()
    user.set_password("An0ther-Strong-Pass")
    user.save()
    assert AuditEvent.objects.filter(event="password_change", object_pk=str(user.pk)).exists()


def test_every_transition_is_recorded_with_its_actor(world):
    timeline_record(
        proposal=world.proposal,
        actor=world.staff,
        action="close",
        from_state=ProposalStatus.REPLIED,
        to_state=ProposalStatus.CLOSED,
        note="电话 13900001111 私人备注",
        assignment=world.assignment,
    )
    row = AuditEvent.objects.get(event="transition")
    assert (row.user_id, row.role, row.object_label, row.object_pk, row.outcome) == (
        world.staff.pk,
        Role.STAFF,
        "proposals.Proposal",
        str(world.proposal.pk),
        "ok",
    )
    assert "close: replied → closed" in row.detail and f"assignment={world.assignment.pk}" in row.detail
    assert "13900001111" not in row.detail and "私人备注" not in row.detail


def test_a_rolled_back_transition_leaves_no_audit_row(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        timeline_record(proposal=world.proposal, actor=world.staff, action=ProposalAction.REGISTER, to_state="closed")
        raise RuntimeError
    assert not AuditEvent.objects.filter(event="transition").exists()


def test_download_and_export_calls_are_recorded_with_request_data(world, rf):
    request = rf.get("/proposals/1/pdf/", REMOTE_ADDR="192.168.1.20")
    request.user = world.handler_a
    record_event(event="download", request=request, obj=world.proposal, detail="reply pdf")
    record_event(event="export", request=request, detail="proposals.xlsx rows=3")
    download = AuditEvent.objects.get(event="download")
    assert (download.username, download.role, download.ip, download.object_pk) == (
        "handler_a",
        Role.HANDLER,
        "192.168.1.20",
        str(world.proposal.pk),
    )
    assert AuditEvent.objects.get(event="export").detail == "proposals.xlsx rows=3"
    for row in AuditEvent.objects.filter(event__in=["download", "export"]):
        assert all(getattr(row, f) not in (None, "") for f in ROW_FIELDS if f not in ("object_label", "object_pk"))


def test_phone_numbers_are_masked_in_detail():
    row = record_event(event="test", detail="call 13812345678 or 0356-2025123")
    assert row.detail == "call [已隐去] or [已隐去]"


# --- purge ------------------------------------------------------------------------------


def test_purge_refuses_fewer_than_180_days():
    with pytest.raises(CommandError, match="180"):
        call_command("purge_audit", "--days", "179")


def test_purge_keeps_recent_rows_and_the_chain_verifiable(clock):
    clock.now -= dt.timedelta(days=400)
    old = [record_event(event="test", detail=f"old {i}") for i in range(3)]
    clock.now += dt.timedelta(days=300)  # 100 days ago: inside the retention
    recent = [record_event(event="test", detail=f"recent {i}") for i in range(2)]
    clock.now += dt.timedelta(days=100)
    call_command("purge_audit", "--days", "180")
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert not set(remaining) & {r.pk for r in old}
    assert {r.pk for r in recent} <= set(remaining)
    anchor = AuditAnchor.objects.get()
    assert (anchor.purged_through_id, anchor.anchor_hash, anchor.purged_count) == (old[-1].pk, old[-1].hash, 3)
    assert AuditEvent.objects.filter(event="audit_purge").exists()
    report = verify_chain()
    assert report.ok and report.checked == 3  # two recent rows and the purge's own row
    # and tampering after a purge is still caught
    disable_guards()
    raw("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [recent[0].pk])
    assert verify_chain().first_bad_id == recent[0].pk


def test_purge_cannot_delete_recent_rows_even_through_its_escape(clock):
    from audit.db import allow_audit_delete

    row = record_event(event="test")
    cutoff = clock.now - dt.timedelta(days=180)
    with pytest.raises(DatabaseError), transaction.atomic(), allow_audit_delete(connection, cutoff):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.filter(pk=row.pk).exists()


# --- the auditor's page ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "handler_a", "leader_a", "proposer", "admin"])
def test_only_auditors_see_the_log_page(world, login, persona):
    assert login(world.personas()[persona]).get("/audit/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_auditor_filters_and_pages_the_log(world, login, clock):
    for i in range(60):
        record_event(event="download", user=world.handler_a, detail=f"file {i}")
    record_event(event="login_failed", outcome="failed", username="mallory")
    clock.advance(days=3)
    record_event(event="export", user=world.staff, detail="later")
    client = login(world.auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == AuditEvent.objects.count()
    assert len(page.context["page"].object_list) == 50
    by_event = client.get("/audit/", {"event": "login_failed"})
    assert [e.username for e in by_event.context["page"]] == ["mallory"]
    assert "登录失败" in by_event.content.decode()
    by_user = client.get("/audit/", {"user": "handler_a", "page": 2})
    assert by_user.context["page"].paginator.count == 60 and len(by_user.context["page"].object_list) == 10
    by_outcome = client.get("/audit/", {"outcome": "failed"})
    assert {e.outcome for e in by_outcome.context["page"]} == {"failed"}
    today = clock.now.astimezone().date()
    by_date = client.get("/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat()})
    details = [e.detail for e in by_date.context["page"]]
    assert "later" in details and not any(d.startswith("file ") for d in details)
    bad = client.get("/audit/", {"date_from": "not-a-date"})
    assert bad.status_code == 200 and not bad.context["page"].object_list


def test_system_check_reports_missing_triggers():
    from audit.checks import check_audit_triggers

    assert check_audit_triggers(databases=["default"]) == []
    disable = (
        "DROP TRIGGER audit_auditevent_no_update"
        if connection.vendor == "sqlite"
        else "DROP TRIGGER audit_auditevent_guard ON audit_auditevent"
    )
    raw(disable)
    errors = check_audit_triggers(databases=["default"])
    assert [e.id for e in errors] == ["audit.E001"]


# Every URL that hands out a file (PDF, attachment, scan, export) must leave a download/export row.
FILE_URLS = [
    ("proposals:attachment_download", "attachment"),
    ("proposals:export", None),
    ("replies:pdf", "reply"),
    ("consultations:pdf", "consultation"),
    ("consultations:rating_form", "rating"),
    ("oversight:statistics_xlsx", "meeting"),
]


@pytest.mark.parametrize(("name", "kind"), FILE_URLS)
def test_every_file_download_and_export_is_audited(world, login, name, kind):
    from django.urls import reverse

    from tests.factories import build_objects

    objects = build_objects(world)
    client = login(world.staff)
    kwargs = {}
    if kind:
        param = "meeting_id" if kind == "meeting" else "pk"
        kwargs = {param: objects.a[kind].pk}
    before = AuditEvent.objects.filter(event__in=["download", "export"]).count()
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(event__in=["download", "export"]).order_by("-id")
    assert rows.count() == before + 1, f"{name} served a file without an audit row"
    assert (rows[0].username, rows[0].role, rows[0].outcome) == ("staff1", Role.STAFF, "ok")
