"""Issue 19, "nothing lost", in the browser: leaving a reply with unsaved changes asks first, the
page's other buttons wait for the save, and text typed before the session ended survives the login."""

from __future__ import annotations

import time

import pytest

from replies import services as reply_services
from replies.models import ReplyStatus
from tests.factories import seed_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_unsaved_reply_text_asks_before_leaving_and_holds_back_the_issue(actor, demo):
    case = seed_case("drafted")
    reply_services.reply_submit(reply=case.reply, actor=case.reply.created_by)
    leader = actor("fgw_leader-unsaved")
    leader.login("fgw_leader", demo)
    url = f"/replies/assignment/{case.assignment.pk}/"
    leader.goto(url)
    issue = leader.page.locator("main form[action$='/issue/'] button")
    assert issue.is_enabled()
    leader.page.fill("textarea[name=body]", "负责人改了一半的正文")
    assert issue.is_disabled()
    assert "有尚未保存的修改，请先保存。" in leader.page.inner_text("main")

    dialogs: list[str] = []
    leader.page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    leader.page.click("main nav a")  # the breadcrumb: leaving the page
    leader.page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and leader.page.url.endswith(url)
    assert leader.page.input_value("textarea[name=body]") == "负责人改了一半的正文"


def test_text_typed_before_the_idle_timeout_is_back_in_the_form_after_login(actor, demo, settings):
    settings.SESSION_COOKIE_AGE = 3  # the idle timeout, in seconds here
    case = seed_case("drafted")
    handler = actor("fgw_handler-timeout")
    handler.login("fgw_handler", demo)
    url = f"/replies/assignment/{case.assignment.pk}/"
    handler.goto(url)
    handler.page.fill("textarea[name=body]", "超时前输入的正文")
    time.sleep(4)
    handler.page.click("main button:has-text('保存草稿')")
    handler.page.wait_for_url("**/accounts/login/**")
    handler.page.fill("input[name=username]", "fgw_handler")
    handler.page.fill("input[name=password]", demo)
    handler.page.click("main button[type=submit]")
    handler.page.wait_for_url(f"**{url}")
    assert "登录已超时，请重新登录，您的内容已保存" in handler.page.inner_text("main")
    assert handler.page.input_value("textarea[name=body]") == "超时前输入的正文"
    handler.page.click("main button:has-text('保存草稿')")
    handler.page.wait_for_load_state()
    case.reply.refresh_from_db()
    assert (case.reply.body, case.reply.status) == ("超时前输入的正文", ReplyStatus.DRAFT)
