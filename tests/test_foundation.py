from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from documents import checks
from proposals.models import Assignment, Member, Proposal, TimelineEvent, User

DEMO_USERNAMES = [
    "admin",
    "staff",
    "fgw_handler",
    "fgw_leader",
    "zhuguosheng",
    "other_handler",
    "other_member",
    "auditor",
]


def row_counts() -> dict[str, int]:
    from django.apps import apps

    # Every table, the audit trail and the version history included: a second run writes nothing.
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_every_demo_user_can_log_in(client, settings):
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Pass-12345")
    first = row_counts()
    call_command("load_demo", password="Demo-Pass-12345")
    assert row_counts() == first
    proposal = Proposal.objects.get(number="TA0207")
    assert proposal.title == "关于加强交流共谋发展，加快晋城向西开放向西合作步伐的建议"
    assert proposal.meeting.display_name == "八届三次会议"
    assert Member.objects.get(name="朱国胜").phone == "18903561885"
    assignment = Assignment.objects.get(proposal=proposal)
    assert (assignment.agency.name, assignment.role, assignment.scope) == (
        "晋城市发展和改革委员会",
        "split",
        "第二条",
    )
    assert TimelineEvent.objects.filter(proposal=proposal).exists()
    for username in DEMO_USERNAMES:
        assert client.login(username=username, password="Demo-Pass-12345"), username
        client.logout()
    assert User.objects.get(username="fgw_handler").display_name == "杨国强"


@pytest.mark.django_db
def test_load_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", password="x-Demo-Pass-12345")
    assert not Proposal.objects.exists()
    call_command("load_demo", password="x-Demo-Pass-12345", force=True)
    assert Proposal.objects.filter(number="TA0207").exists()


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录提案办理系统" in response.content.decode()


@pytest.mark.django_db
def test_login_page_in_english_when_asked(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_pages_need_login(client):
    response = client.get(reverse("proposals:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_navigation_depends_on_role(world, login):
    staff_page = login(world.staff).get(reverse("proposals:list")).content.decode()
    assert reverse("proposals:list") in staff_page and reverse("proposals:inbox") not in staff_page
    handler_page = login(world.handler_a).get(reverse("proposals:inbox")).content.decode()
    assert reverse("proposals:inbox") in handler_page and reverse("proposals:mine") not in handler_page
    member_page = login(world.member_user).get(reverse("proposals:mine")).content.decode()
    assert reverse("proposals:mine") in member_page and reverse("proposals:inbox") not in member_page


@pytest.mark.django_db
def test_home_sends_each_role_to_its_page(world, login):
    # Staff, agency users and members start from their work queues (oversight.queues).
    for user in (world.staff, world.handler_a, world.leader_a, world.member_user):
        assert login(user).get("/")["Location"] == reverse("oversight:home")
    assert login(world.admin).get("/")["Location"] == reverse("admin:index")
    assert login(world.auditor).get("/")["Location"] == reverse("audit:events")


@pytest.mark.django_db
def test_404_page_is_chinese_without_trace(client, settings, world, login):
    settings.DEBUG = False
    response = login(world.staff).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "Traceback" not in body


def test_500_page_is_chinese_without_trace(rf):
    from config.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统错误" in body and "Traceback" not in body


def test_check_warns_when_harfbuzz_subset_is_missing(monkeypatch):
    monkeypatch.setattr(checks, "find_harfbuzz_subset", lambda: None)
    ids = {w.id: w for w in checks.document_rendering_check()}
    assert checks.W002_NO_HB_SUBSET in ids
    assert "17 秒" in ids[checks.W002_NO_HB_SUBSET].hint and "libharfbuzz-subset0" in ids[checks.W002_NO_HB_SUBSET].hint


def test_check_warns_when_no_cjk_font(monkeypatch):
    monkeypatch.setattr(checks, "find_cjk_fonts", lambda: [])
    ids = {w.id for w in checks.document_rendering_check()}
    assert checks.W001_NO_CJK_FONT in ids


def test_check_is_quiet_on_a_complete_machine():
    # The suite's machines install fonts-noto-cjk and libharfbuzz-subset0 (Makefile, .ci/run).
    assert checks.document_rendering_check() == []


def test_sqlite_settings_are_tuned_for_concurrency(settings):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL run")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_sqlite_init_command_turns_on_wal_on_a_file_database(settings, tmp_path):
    import sqlite3

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL run")
    conn = sqlite3.connect(tmp_path / "probe.sqlite3")
    try:
        conn.executescript(db["OPTIONS"]["init_command"])
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        conn.close()


@pytest.mark.django_db
def test_createsuperuser_makes_an_administrator():
    call_command("createsuperuser", username="root2", email="root2@example.org", interactive=False, verbosity=0)
    user = User.objects.get(username="root2")
    assert user.is_superuser and user.role == "admin"


def test_each_log_line_is_written_once_with_one_clock():
    """Django's loggers keep no handler of their own: every line reaches the root's one handler once
    (before, "Not Found: …" came twice), formatted with the time (issue 22, item 6)."""
    import logging

    root = logging.getLogger()
    ours = [h for h in root.handlers if type(h) is logging.StreamHandler]  # pytest adds its own beside it
    assert len(ours) == 1
    for name in ("django", "django.request", "django.server"):
        assert logging.getLogger(name).handlers == [], name
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None)
    line = ours[0].format(record)
    assert line.endswith("WARNING django.request: Not Found: /x") and line[:4].isdigit()


@pytest.mark.django_db
def test_load_demo_with_a_password_resets_the_demo_passwords(settings):
    settings.DEBUG = True
    call_command("load_demo", password="First-Pass-123", stdout=StringIO())
    assert User.objects.get(username="staff").check_password("First-Pass-123")
    call_command("load_demo", password="Second-Pass-456", stdout=StringIO())
    assert User.objects.get(username="staff").check_password("Second-Pass-456")
