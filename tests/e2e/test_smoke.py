from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_chinese_and_has_no_serious_accessibility_issue(actor):
    anon = actor("anonymous")
    response = anon.goto("/accounts/login/")
    assert response.status == 200
    assert "登录提案办理系统" in anon.page.inner_text("h1")
    anon.assert_chinese_renders()
    anon.shot("login")
    assert anon.axe_violations() == []


def test_staff_logs_in_and_out(actor, world):
    staff = actor("staff")
    staff.login(world.staff.username, PASSWORD)
    assert "/work/" in staff.page.url  # the work queues
    assert staff.page.locator("h1").inner_text() == "我的工作"
    staff.shot("after-login")
    assert staff.axe_violations() == []
    staff.page.click("nav button:has-text('退出')")
    staff.page.wait_for_url("**/accounts/login/")
