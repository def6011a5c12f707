"""Issue 19, "nothing lost" and "readiness before hand-over": the reply form submits what was typed,
an ended session keeps the typed text, and the handler sees what 签发 will still need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import kept_posts
from audit.models import AuditEvent
from proposals.errors import DomainError
from proposals.models import ProposalStatus, TimelineEvent
from replies import rules, services
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus
from tests.factories import PASSWORD, complete_data, make_proposal, record, schedule

from .test_views_replies import form_data, page_url

pytestmark = pytest.mark.django_db


def end_sessions(client: Client) -> None:
    """The user worked in the app (a page seen while logged in: the browser learns who they are),
    then the idle timeout ended every session."""
    assert client.get("/").status_code == 302
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))


def log_in_again(client: Client, user, next_url: str):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content[:300]
    return response


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- 提交负责人签发 is part of the edit form ---------------------------------------------------


def test_submit_button_is_in_the_edit_form_and_saves_what_was_typed(world, login, draft):
    client = login(world.handler_a)
    html = client.get(page_url(world)).content.decode()
    # No separate submit form that would post without the text typed into the edit form.
    assert reverse("replies:submit", args=[draft.pk]) not in html
    assert 'name="action" value="submit"' in html
    response = client.post(
        reverse("replies:save", args=[draft.pk]), form_data(draft, body="改过的正文", action="submit"), follow=True
    )
    draft.refresh_from_db()
    assert (draft.body, draft.status, draft.version, draft.submitted_by) == (
        "改过的正文",
        ReplyStatus.SUBMITTED,
        2,
        world.handler_a,
    )
    assert TimelineEvent.objects.filter(action=ReplyAction.SUBMIT, to_state=ReplyStatus.SUBMITTED).count() == 1
    assert "已提交负责人签发。" in messages_of(response)


def test_save_draft_button_does_not_submit(world, login, draft):
    login(world.handler_a).post(
        reverse("replies:save", args=[draft.pk]), form_data(draft, body="只保存", action="save")
    )
    draft.refresh_from_db()
    assert (draft.body, draft.status) == ("只保存", ReplyStatus.DRAFT)


def test_a_new_draft_is_created_and_submitted_in_one_request(world, login):
    login(world.handler_a).post(reverse("replies:create", args=[world.assignment.pk]), form_data(action="submit"))
    reply = Reply.objects.get()
    assert (reply.status, reply.submitted_by) == (ReplyStatus.SUBMITTED, world.handler_a)


def test_submit_from_a_stale_form_submits_nothing_and_keeps_the_text(world, login, draft):
    services.reply_save_draft(reply=draft, actor=world.leader_a, data={"body": "别人的修改"}, expected_version=1)
    response = login(world.handler_a).post(
        reverse("replies:save", args=[draft.pk]), form_data(draft, version=1, body="我的修改", action="submit")
    )
    assert response.status_code == 409
    assert "我的修改" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.body, draft.status) == ("别人的修改", ReplyStatus.DRAFT)


def test_leader_editing_a_submitted_reply_gets_no_submit_button(world, login, submitted):
    html = login(world.leader_a).get(page_url(world)).content.decode()
    assert "保存草稿" in html and 'value="submit"' not in html


# --- 签发前还需 --------------------------------------------------------------------------------


def test_handler_sees_what_the_issue_still_needs_before_submitting(world, login):
    reply = services.reply_create(
        assignment=world.assignment, actor=world.handler_a, data=complete_data(phone="", leader_name="")
    )

    def record_unsigned(reply: Reply) -> None:
        raise DomainError("请先由委员签字确认面商记录。")

    services.ISSUE_CHECKS.append(record_unsigned)
    html = login(world.handler_a).get(page_url(world)).content.decode()
    readiness = html.split('id="issue-readiness"', 1)[1].split("</div>", 1)[0]
    assert "签发前还需：" in readiness
    for message in (rules.PHONE_REQUIRED, rules.LEADER_REQUIRED, "请先由委员签字确认面商记录。"):
        assert str(message) in readiness
    # The list is shown before the form that hands the draft over.
    assert html.index('id="issue-readiness"') < html.index('value="submit"')
    # The draft may still be submitted: the issue-stage rules are the leader's to enforce.
    login(world.handler_a).post(reverse("replies:save", args=[reply.pk]), form_data(reply, phone="", action="submit"))
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SUBMITTED


def test_a_ready_draft_shows_no_readiness_list(world, login, draft):
    assert 'id="issue-readiness"' not in login(world.handler_a).get(page_url(world)).content.decode()


# --- an ended session keeps the typed text -----------------------------------------------------


def test_save_after_the_session_ended_keeps_the_text_through_the_login(world, client, draft):
    client.force_login(world.handler_a)
    end_sessions(client)
    save_url = reverse("replies:save", args=[draft.pk])
    response = client.post(save_url, form_data(draft, body="超时前输入的正文"))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={save_url}"
    draft.refresh_from_db()
    assert draft.body != "超时前输入的正文" and draft.version == 1  # nothing saved on anyone's behalf

    # The login goes to the posted URL, which sends the user on to the form's page: never a 405.
    after_login = client.get(log_in_again(client, world.handler_a, save_url)["Location"])
    assert after_login.status_code == 302 and after_login["Location"] == page_url(world)
    page = client.get(page_url(world))
    assert page.status_code == 200
    assert "超时前输入的正文" in page.content.decode()
    assert str(kept_posts.KEPT_MESSAGE) in messages_of(page)
    # The user saves it themselves, from the version they started from.
    client.post(save_url, form_data(draft, body="超时前输入的正文"))
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("超时前输入的正文", 2)
    # Kept once: the page shows the saved draft from now on, and the text is in no log.
    assert kept_posts.SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(detail__contains="超时前输入的正文").exists()


def test_kept_text_is_shown_once_and_dropped_when_the_user_goes_elsewhere(world, client, draft):
    client.force_login(world.handler_a)
    end_sessions(client)
    save_url = reverse("replies:save", args=[draft.pk])
    client.post(save_url, form_data(draft, body="超时前输入的正文"))
    log_in_again(client, world.handler_a, "/proposals/")
    assert client.get("/proposals/").status_code == 200
    assert kept_posts.SESSION_KEY not in client.session
    assert "超时前输入的正文" not in client.get(page_url(world)).content.decode()


def test_kept_text_is_not_used_after_its_time(world, client, draft, monkeypatch):
    client.force_login(world.handler_a)
    end_sessions(client)
    save_url = reverse("replies:save", args=[draft.pk])
    client.post(save_url, form_data(draft, body="超时前输入的正文"))
    client.get(log_in_again(client, world.handler_a, save_url)["Location"])
    later = timezone.now() + dt.timedelta(seconds=kept_posts.MAX_AGE_SECONDS + 1)
    monkeypatch.setattr(kept_posts.timezone, "now", lambda: later)
    assert "超时前输入的正文" not in client.get(page_url(world)).content.decode()


def test_kept_text_of_a_reply_is_not_shown_to_someone_who_may_not_see_it(world, client, draft):
    client.force_login(world.handler_a)
    end_sessions(client)
    save_url = reverse("replies:save", args=[draft.pk])
    client.post(save_url, form_data(draft, body="超时前输入的正文"))
    response = client.get(log_in_again(client, world.handler_b, save_url)["Location"])
    assert response.status_code == 404
    assert "超时前输入的正文" not in response.content.decode()


def test_proposal_draft_edit_keeps_the_text_after_the_session_ended(world, client):
    draft = make_proposal(
        meeting=world.meeting,
        created_by=world.member_user,
        first_proposer=world.proposer,
        status=ProposalStatus.DRAFT,
        main_content="原来的内容",
    )
    url = reverse("proposals:edit", args=[draft.pk])
    client.force_login(world.member_user)
    end_sessions(client)
    typed = {"title": "超时前改的标题", "proposer_kind": "individual", "main_content": "超时前输入的内容"}
    response = client.post(url, typed)
    assert response["Location"] == f"/accounts/login/?next={url}"
    log_in_again(client, world.member_user, url)
    page = client.get(url)
    html = page.content.decode()
    assert "超时前改的标题" in html and "超时前输入的内容" in html
    assert str(kept_posts.KEPT_MESSAGE) in messages_of(page)
    draft.refresh_from_db()
    assert draft.main_content == "原来的内容"


def test_consultation_record_keeps_the_text_after_the_session_ended(world, client):
    consultation = record(world, schedule(world))
    url = reverse("consultations:record", args=[consultation.pk])
    client.force_login(world.handler_a)
    typed = {**client.get(url).context["form"].initial}
    typed = {k: v for k, v in typed.items() if v is not None}
    typed["held_at"] = timezone.localtime(consultation.held_at).strftime("%Y-%m-%dT%H:%M")
    typed["reply_points"] = "超时前输入的要点"
    end_sessions(client)
    assert client.post(url, typed)["Location"] == f"/accounts/login/?next={url}"
    log_in_again(client, world.handler_a, url)
    page = client.get(url)
    assert "超时前输入的要点" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.reply_points != "超时前输入的要点"


def test_kept_text_is_given_back_only_to_the_person_who_typed_it(world, client):
    """A shared computer: one member's session ends while typing a new proposal; the next person who
    logs in on that browser opens the same form and must not read it."""
    client.force_login(world.member_user)
    end_sessions(client)
    create_url = reverse("proposals:create")
    typed = {"title": "另一位委员的标题", "proposer_kind": "individual", "main_content": "另一位委员的内容"}
    assert client.post(create_url, typed)["Location"] == f"/accounts/login/?next={create_url}"
    log_in_again(client, world.unrelated_user, create_url)
    page = client.get(create_url)
    assert page.status_code == 200
    assert "另一位委员的内容" not in page.content.decode()
    assert str(kept_posts.KEPT_MESSAGE) not in messages_of(page)


def test_a_browser_that_never_showed_who_it_was_keeps_nothing(world, client, draft):
    client.force_login(world.handler_a)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # no page seen first
    save_url = reverse("replies:save", args=[draft.pk])
    client.post(save_url, form_data(draft, body="超时前输入的正文"))
    assert kept_posts.SESSION_KEY not in client.session


def test_a_leaders_return_comment_survives_an_ended_session(world, client, draft):
    services.reply_submit(reply=draft, actor=world.handler_a)
    client.force_login(world.leader_a)
    end_sessions(client)
    return_url = reverse("replies:return", args=[draft.pk])
    response = client.post(return_url, {"comment": "请补充第二条的落实时间"})
    assert response["Location"] == f"/accounts/login/?next={return_url}"
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.SUBMITTED  # nothing done on anyone's behalf
    after_login = client.get(log_in_again(client, world.leader_a, return_url)["Location"])
    assert after_login.status_code == 302 and after_login["Location"] == page_url(world)
    page = client.get(page_url(world))
    assert page.context["return_form"].initial["comment"] == "请补充第二条的落实时间"
    assert "请补充第二条的落实时间" in page.content.decode()
    assert not page.context["form"] or not page.context["form"].is_bound  # the letter's form is untouched
