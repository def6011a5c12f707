"""replies.rules is the one home of a reply's field rules and of the enabled classes.

Each rule gives the same message in the form, the draft save, the submit and the issue (and on the
leader's page); a rule changed in the table shows in all of them; class D comes and goes with the
one function.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents.formats import document_date
from proposals.errors import DomainError
from proposals.models import TimelineEvent
from proposals.validators import PHONE_INVALID
from replies import rules, services
from replies.forms import NEEDED_TO_ISSUE, ReplyForm
from replies.models import Reply, ReplyStatus
from tests.factories import complete_data

pytestmark = pytest.mark.django_db

CLASS_REQUIRED_ABC = "请选择答复类别（A 类、B 类或 C 类）后再签发。"
CLASS_REQUIRED_ABCD = "请选择答复类别（A 类、B 类、C 类或 D 类）后再签发。"


def post_data(**values) -> dict:
    """The reply form as a browser posts it: complete, with ``values`` changed."""
    data = {
        "title": "关于市政协八届三次会议第 TA0001 号提案的答复",
        "addressee": "张三等委员：",
        "doc_number": "",
        "copy_to": "",
        "version": 1,
        **complete_data(),
        **values,
    }
    posted = {}
    for name, value in data.items():
        if isinstance(value, bool):
            if value:
                posted[name] = "on"
        elif isinstance(value, dt.date):
            posted[name] = value.isoformat()
        elif value is not None:
            posted[name] = value
    return posted


def page_url(world) -> str:
    return reverse("replies:assignment", args=[world.assignment.pk])


def reloaded(reply: Reply) -> Reply:
    return Reply.objects.select_related("assignment__proposal").get(pk=reply.pk)


# --- one rule, one message, everywhere ------------------------------------------------------


def _date_message(world) -> str:
    assigned_on = timezone.localdate(world.assignment.assigned_at)
    return f"成文日期不能早于交办日期（{document_date(assigned_on)}）。"


@pytest.mark.parametrize(
    ("field", "change", "expected"),
    [
        ("reply_date", {"reply_date": dt.date(2000, 1, 1)}, _date_message),
        ("phone", {"phone": "12345"}, lambda world: "手机号应为 11 位数字，这里有 5 位。" + str(PHONE_INVALID)),
        (
            "not_public_reason",
            {"is_public": False, "not_public_reason": ""},
            lambda world: "选择不公开时，请填写不公开的理由。",
        ),
        ("title", {"title": ""}, lambda world: "请填写标题。"),
        ("addressee", {"addressee": "  "}, lambda world: "请填写主送。"),
        ("title", {"title": "长" * 301}, lambda world: "确保该变量包含不超过 300 字符 (目前字符数 301)。"),
        # issue 18, finding 11: a 400 KB body took 12.5 s to render
        ("body", {"body": "长" * 20_001}, lambda world: "确保该变量包含不超过 20000 字符 (目前字符数 20001)。"),
        ("closing", {"closing": "长" * 501}, lambda world: "确保该变量包含不超过 500 字符 (目前字符数 501)。"),
        (
            "not_public_reason",
            {"is_public": False, "not_public_reason": "长" * 2_001},
            lambda world: "确保该变量包含不超过 2000 字符 (目前字符数 2001)。",
        ),
    ],
    ids=[
        "date-before-assignment",
        "phone-format",
        "not-public-reason",
        "title",
        "addressee",
        "title-length",
        "body-length",
        "closing-length",
        "not-public-reason-length",
    ],
)
def test_a_rule_gives_one_message_in_the_form_the_save_the_submit_and_the_issue(world, draft, field, change, expected):
    message = expected(world)

    form = ReplyForm(data=post_data(**change), instance=draft, assignment=world.assignment)
    assert not form.is_valid()
    assert form.errors[field] == [message]

    with pytest.raises(ValidationError) as exc:
        services.reply_save_draft(reply=draft, actor=world.handler_a, data=change, expected_version=1)
    assert exc.value.message_dict[field] == [message]
    assert Reply.objects.get(pk=draft.pk).version == 1

    # A row that broke the rule past the form and the save (a stale row, a script) is refused at
    # submit and at issue with the same words, and the leader's list names it. PostgreSQL itself
    # refuses an over-long value, so there such a row cannot exist.
    if "长" * 301 in change.values() and connection.vendor != "sqlite":
        return
    Reply.objects.filter(pk=draft.pk).update(**change)
    with pytest.raises(DomainError) as exc:
        services.reply_submit(reply=draft, actor=world.handler_a)
    assert exc.value.message == message
    Reply.objects.filter(pk=draft.pk).update(status=ReplyStatus.SUBMITTED)
    assert services.issue_problems(reloaded(draft)) == [message]
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=draft, actor=world.leader_a)
    assert exc.value.message == message
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.SUBMITTED


def test_the_leader_sees_what_is_missing_for_issue_before_trying(world, login):
    draft = services.reply_create(
        assignment=world.assignment,
        actor=world.handler_a,
        data=complete_data(reply_class="", leader_name="", phone=""),
    )
    services.reply_submit(reply=draft, actor=world.handler_a)
    expected = [CLASS_REQUIRED_ABC, str(rules.LEADER_REQUIRED), str(rules.PHONE_REQUIRED)]
    assert services.issue_problems(reloaded(draft)) == expected
    html = login(world.leader_a).get(page_url(world)).content.decode()
    for message in expected:
        assert f"<li>{message}</li>" in html


def test_a_field_made_required_to_issue_shows_in_the_form_the_page_and_the_issue(world, login, monkeypatch):
    message = "请填写结束语后再签发。"
    monkeypatch.setitem(rules.REQUIRED, "closing", (rules.Stage.ISSUE, message))

    form = ReplyForm(data=post_data(closing=""), assignment=world.assignment)
    assert form.is_valid(), form.errors  # a draft may still leave it blank
    assert form.fields["closing"].help_text == NEEDED_TO_ISSUE
    assert not form.fields["closing"].required

    draft = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data(closing=""))
    services.reply_submit(reply=draft, actor=world.handler_a)
    assert services.issue_problems(reloaded(draft)) == [message]
    assert message in login(world.leader_a).get(page_url(world)).content.decode()
    with pytest.raises(DomainError) as exc:
        services.reply_issue(reply=draft, actor=world.leader_a)
    assert exc.value.message == message
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.SUBMITTED


def test_a_field_made_required_for_a_draft_shows_in_the_form_the_save_the_submit_and_the_issue(world, monkeypatch):
    draft = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data(closing=""))
    message = "请填写结束语。"
    monkeypatch.setitem(rules.REQUIRED, "closing", (rules.Stage.DRAFT, message))

    form = ReplyForm(data=post_data(closing=""), instance=draft, assignment=world.assignment)
    assert form.fields["closing"].required
    assert not form.is_valid()
    assert form.errors["closing"] == [message]

    with pytest.raises(ValidationError) as exc:
        services.reply_save_draft(reply=draft, actor=world.handler_a, data={"body": "改了"}, expected_version=1)
    assert exc.value.message_dict == {"closing": [message]}
    with pytest.raises(DomainError) as exc:
        services.reply_submit(reply=draft, actor=world.handler_a)
    assert exc.value.message == message
    assert services.issue_problems(reloaded(draft)) == [message]
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.DRAFT


def test_each_stage_needs_what_the_stage_before_it_needs():
    draft = rules.required_fields(rules.Stage.DRAFT)
    submit = rules.required_fields(rules.Stage.SUBMIT)
    issue = rules.required_fields(rules.Stage.ISSUE)
    assert draft == ["title", "addressee"]
    assert submit == draft
    assert issue == ["title", "addressee", "reply_class", "leader_name", "body", "handler_name", "phone"]


# --- the enabled classes --------------------------------------------------------------------


@pytest.mark.parametrize("d_on", [False, True], ids=["d-off", "d-on"])
def test_class_d_comes_and_goes_in_the_reply_form_the_services_and_the_issue_message(world, draft, settings, d_on):
    settings.REPLY_CLASS_D_ENABLED = d_on
    assert rules.class_codes(rules.enabled_reply_classes()) == ["A", "B", "C", *(["D"] if d_on else [])]

    form = ReplyForm(assignment=world.assignment)
    assert [value for value, _label in form.fields["reply_class"].choices] == rules.class_codes(
        rules.enabled_reply_classes()
    )
    assert ReplyForm(data=post_data(reply_class="D"), instance=draft, assignment=world.assignment).is_valid() is d_on

    if d_on:
        saved = services.reply_save_draft(
            reply=draft, actor=world.handler_a, data={"reply_class": "D"}, expected_version=1
        )
        assert saved.reply_class == "D"
    else:
        with pytest.raises(ValidationError) as exc:
            services.reply_save_draft(reply=draft, actor=world.handler_a, data={"reply_class": "D"}, expected_version=1)
        assert exc.value.message_dict == {"reply_class": ["未启用 D 类答复。"]}

    Reply.objects.filter(pk=draft.pk).update(reply_class="")
    assert services.issue_problems(reloaded(draft)) == [CLASS_REQUIRED_ABCD if d_on else CLASS_REQUIRED_ABC]


def test_submit_refuses_a_draft_whose_class_was_switched_off_since_it_was_saved(world, settings):
    settings.REPLY_CLASS_D_ENABLED = True
    draft = services.reply_create(
        assignment=world.assignment, actor=world.handler_a, data=complete_data(reply_class="D")
    )
    settings.REPLY_CLASS_D_ENABLED = False
    events = TimelineEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        services.reply_submit(reply=draft, actor=world.handler_a)
    assert exc.value.message == "未启用 D 类答复。"
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.DRAFT
    assert TimelineEvent.objects.count() == events


def test_only_the_rules_read_the_class_d_setting():
    root = Path(django_settings.BASE_DIR)
    apps = ["config", "common", "proposals", "replies", "consultations", "documents", "audit", "oversight", "search"]
    sources = [
        p for top in [*apps, "templates", "bench"] for p in (root / top).rglob("*") if p.suffix in {".py", ".html"}
    ]
    readers = sorted(str(p.relative_to(root)) for p in sources if "REPLY_CLASS_D_ENABLED" in p.read_text("utf-8"))
    assert readers == ["config/settings.py", "replies/rules.py"]


# --- the defaults of a new draft ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["handler_a", "leader_a"])
def test_the_empty_form_shows_the_defaults_the_service_stores(world, login, persona):
    user = getattr(world, persona)
    defaults = services.new_draft_defaults(world.assignment, user)
    form = login(user).get(page_url(world)).context["form"]
    reply = services.reply_create(assignment=world.assignment, actor=user)
    assert {name: form.initial[name] for name in defaults} == defaults
    assert {name: getattr(reply, name) for name in defaults} == defaults
    assert form.initial["version"] == reply.version == 1
    # Whoever drafts it is the 承办人 by default, a leader too (issue 18, finding 14: the real handler).
    assert defaults["handler_name"] == user.display_name
