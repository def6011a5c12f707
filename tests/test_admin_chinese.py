"""The admin speaks Chinese (issue 20, item 8): every page an administrator opens — the index, each
app's index, each model's list and add page, the change pages of a user and of a proposal, the
histories — shows no English word outside a short list of abbreviations, under zh-hans.

The pages are read as a person sees them: tags, scripts and styles removed, plus the hover texts
(title, placeholder, aria-label). The test data's own ASCII values (usernames, the password hash)
are taken out before looking, as they are data, not labels.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditAnchor, AuditEvent
from common.admin_base import permission_label
from consultations.models import ConsultationStatus, Satisfaction
from oversight.models import Channel, NotificationKind, SentNotification, VolumeBuild
from proposals.models import Attachment, ExtensionRequest, Role, TimelineEvent, User
from tests.factories import make_consultation, make_rating, make_reply, make_user

pytestmark = pytest.mark.django_db

# Abbreviations and names a Chinese page writes in Latin letters.
ALLOWED = {"PDF", "SHA", "URL", "ID", "IP", "SMS", "TA", "CSV", "Excel", "Word", "JPEG", "PNG", "Ctrl", "LDAP"}
WORD = re.compile(r"[A-Za-z]{2,}")
HIDDEN = re.compile(r"(?is)<(script|style|template)\b.*?</\1\s*>")
TAG = re.compile(r"(?s)<[^>]*>")
HOVER = re.compile(r'(?i)\s(?:title|placeholder|aria-label)="([^"]*)"')


def seen_text(page: str) -> str:
    page = HIDDEN.sub(" ", page)
    hover = " ".join(HOVER.findall(page))
    return html.unescape(f"{TAG.sub(' ', page)} {hover}")


MASKED = re.compile(r"\S*\*{3,}")


def english_words(page: str, data: Iterable[str]) -> set[str]:
    text = MASKED.sub(" ", seen_text(page))
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return {word for word in WORD.findall(text) if word not in ALLOWED}


def data_values() -> set[str]:
    """The ASCII values the rows carry: usernames, file names, task ids, audit details and hashes,
    and the hasher a password form names."""
    values = set(User.objects.values_list("username", flat=True))
    for name, file in Attachment.objects.values_list("original_name", "file"):
        values.update((name, file))
    # An audit row is shown as stored and hashed: its detail is the compact text the hash covers.
    for detail, *hashes in AuditEvent.objects.values_list("detail", "prev_hash", "hash"):
        values.update((detail, *hashes))
    values.update(str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True))
    # The password field names the hasher (md5, pbkdf2_sha256); salt and hash are shown masked.
    values.update(password.split("$")[0] for password in User.objects.values_list("password", flat=True))
    return {value for value in values if value}


@pytest.fixture
def admin_client(client, world):
    """The administrator of every committee, with a row in every admin table worth reading."""
    now = timezone.now()
    reply = make_reply(world.assignment, by=world.handler_a, issued=dt.date(2024, 7, 9))
    make_consultation(world.assignment, member=world.proposer, by=world.handler_a, held=dt.date(2024, 7, 1))
    make_consultation(
        world.assignment,
        member=world.cosigner,
        by=world.handler_a,
        held=dt.date(2024, 7, 2),
        status=ConsultationStatus.SIGNED,
    )
    make_rating(world.assignment, member=world.proposer, by=world.staff, value=Satisfaction.SATISFIED)
    ExtensionRequest.objects.create(
        assignment=world.assignment,
        requested_due_date=world.assignment.due_date + dt.timedelta(days=30),
        reason="需要协调财政资金",
        requested_by=world.handler_a,
    )
    TimelineEvent.objects.create(
        proposal=world.proposal,
        actor=world.staff,
        action="proposal_assign",
        from_state="registered",
        to_state="assigned",
    )
    Attachment.objects.create(
        proposal=world.proposal,
        file="attachments/1.pdf",
        original_name="附件一.pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
        uploaded_by=world.staff,
    )
    SentNotification.objects.create(
        kind=NotificationKind.URGE,
        channel=Channel.SMS,
        object_type="assignment",
        object_id=world.assignment.pk,
        recipient="13800000009",
        event_key=f"urge-{world.assignment.pk}",
        subject="催办",
        body="请尽快办理。",
    )
    VolumeBuild.objects.create(meeting=world.meeting, requested_by=world.staff)
    DBTaskResult.objects.create(
        task_path="oversight.tasks.store_public_pdf",
        args_kwargs={"args": [reply.pk], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    AuditAnchor.objects.create(purged_through_id=1, anchor_hash="0" * 64, purged_count=1, cutoff=now)
    attempt = {"username": world.staff.username, "ip_address": "10.0.0.1", "user_agent": "", "path_info": "/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=2)
    AccessFailureLog.objects.create(**attempt, locked_out=False)
    AccessLog.objects.create(**attempt)
    group = Group.objects.create(name="经办人员")
    group.permissions.set(Permission.objects.filter(codename__in=["view_proposal", "add_logentry"]))
    client.force_login(world.admin)
    return client


def read(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return response.content.decode()


def assert_chinese(client, urls: Iterable[str]) -> None:
    data = data_values()
    found = {url: english_words(read(client, url), data) for url in urls}
    english = {url: sorted(words) for url, words in found.items() if words}
    assert not english, f"English words on admin pages: {english}"


def admin_urls(kind: str) -> list[str]:
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if kind == "add" and not model_admin.has_add_permission(_superuser_request()):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{kind}"))
    return sorted(urls)


def _superuser_request():
    class Request:
        user = User(is_superuser=True, is_staff=True, is_active=True, role=Role.ADMIN)

    return Request()


def test_index_and_app_pages_are_chinese(admin_client):
    apps = sorted({model._meta.app_label for model in admin.site._registry})
    assert_chinese(admin_client, [reverse("admin:index"), *(reverse("admin:app_list", args=[app]) for app in apps)])


def test_every_list_is_chinese(admin_client):
    assert_chinese(admin_client, admin_urls("changelist"))


def test_every_add_page_is_chinese(admin_client):
    assert_chinese(admin_client, admin_urls("add"))


def test_user_pages_are_chinese(admin_client, world):
    user = world.handler_a
    assert_chinese(
        admin_client,
        [
            reverse("admin:proposals_user_change", args=[user.pk]),
            reverse("admin:auth_user_password_change", args=[user.pk]),
            reverse("admin:proposals_user_history", args=[user.pk]),
            reverse("admin:auth_group_change", args=[Group.objects.get().pk]),
        ],
    )


def test_proposal_and_version_pages_are_chinese(admin_client, world):
    version = world.proposal.history.first()
    assert_chinese(
        admin_client,
        [
            reverse("admin:proposals_proposal_change", args=[world.proposal.pk]),
            reverse("admin:proposals_proposal_history", args=[world.proposal.pk]),
            reverse("admin:proposals_assignment_change", args=[world.assignment.pk]),
            reverse("admin:audit_historicalproposal_change", args=[version.pk]),
        ],
    )


def test_the_first_row_of_every_list_is_chinese(admin_client, world):
    request = _superuser_request()
    request.user = world.admin
    urls = []
    for model, model_admin in admin.site._registry.items():
        row = model_admin.get_queryset(request).order_by("pk").first()
        if row is not None:
            opts = model._meta
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert len(urls) > 25
    assert_chinese(admin_client, urls)


def test_a_committee_administrator_sees_chinese_too(client, world):
    scoped = make_user("admin_city", Role.ADMIN, is_staff=True, is_superuser=True, committee=world.meeting.committee)
    client.force_login(scoped)
    assert_chinese(client, [reverse("admin:index"), *admin_urls("changelist")])


def test_the_checker_reports_the_word_and_ignores_data():
    page = '<p title="Search">提案 staff1</p><script>var x = "English";</script><style>.a{}</style>'
    assert english_words(page, {"staff1"}) == {"Search"}
    assert english_words("<b>第 TA0207 号 PDF</b>", ()) == set()


def test_permissions_are_named_in_chinese(admin_client, world):
    permission = Permission.objects.get(codename="add_logentry")
    assert permission.name == "Can add log entry"  # as Django stores it
    assert permission_label(permission) == "管理 | 日志记录 | 可以增加 日志记录"
    page = read(admin_client, reverse("admin:proposals_user_change", args=[world.staff.pk]))
    assert "可以查看 提案" in page
    assert "Can view" not in page


def test_user_form_starts_with_role_and_folds_the_permissions(admin_client, world):
    page = read(admin_client, reverse("admin:proposals_user_change", args=[world.staff.pk]))
    assert page.index('name="role"') < page.index('name="display_name"') < page.index('name="user_permissions"')
    assert page.index('name="agency"') < page.index('name="is_superuser"')
    permissions = page[page.index("<details") : page.index("</details>")]
    assert 'name="user_permissions"' in permissions and 'name="is_staff"' in permissions
    add = read(admin_client, reverse("admin:proposals_user_add"))
    assert add.index('name="role"') < add.index('name="username"')


def test_codes_are_shown_by_their_labels(admin_client, world):
    audit = seen_text(read(admin_client, reverse("admin:audit_auditevent_changelist")))
    assert "新建账户" in audit and "account_created" not in audit
    assert "用户" in audit and "proposals.User" not in audit
    timeline = seen_text(read(admin_client, reverse("admin:proposals_timelineevent_changelist")))
    assert "已立案" in timeline and "办理中" in timeline
    assert "registered" not in timeline
    notes = seen_text(read(admin_client, reverse("admin:oversight_sentnotification_changelist")))
    assert "催办通知" in notes and "urge" not in notes
    tasks = seen_text(read(admin_client, reverse("admin:django_tasks_database_dbtaskresult_changelist")))
    assert "生成公开答复 PDF" in tasks and "待执行" in tasks


def test_times_are_in_the_configured_zone_without_utc(admin_client, world):
    version = world.proposal.history.first()
    page = seen_text(read(admin_client, reverse("admin:audit_historicalproposal_changelist")))
    local = timezone.localtime(version.history_date)
    assert f"{local.year}年{local.month}月{local.day}日" in page
    assert "+00:00" not in page and "UTC" not in page
    change = read(admin_client, reverse("admin:proposals_user_change", args=[world.staff.pk]))
    assert "本系统的时间均为北京时间。" in change
    assert "css/admin-zh.css" in change  # hides Django's per-field "hours ahead of server" warning


def test_site_is_named_after_the_system(admin_client):
    page = read(admin_client, reverse("admin:index"))
    assert "<title>系统管理 | 提案办理系统</title>" in page
    assert "提案办理系统 · 系统管理" in page
    assert "Django" not in seen_text(page)
