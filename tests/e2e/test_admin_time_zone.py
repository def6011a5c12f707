"""The admin in a browser whose clock is in another time zone (issue 20, item 8): the date widgets
say nothing about "hours ahead of server time", the page names the zone the times are in once, and
the "现在" shortcut fills in the configured zone's time, not the browser's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_date_widgets_show_no_server_time_warning(browser, live_server, world):
    context = browser.new_context(locale="zh-CN", timezone_id="Europe/London", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", world.admin.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url + reverse("admin:proposals_user_change", args=[world.staff.pk]))
        # Django's script adds its warning beside every date and time field when the zones differ.
        page.wait_for_selector(".datetimeshortcuts")
        warnings = page.locator(".timezonewarning")
        assert warnings.count() > 0  # the browser is 8 hours behind: Django did add them
        assert all(not warnings.nth(i).is_visible() for i in range(warnings.count()))
        body = page.inner_text("body")
        assert "服务器时间" not in body and "server time" not in body
        assert "本系统的时间均为北京时间。" in body
        # "现在" next to the last-login time: the configured zone's hour, whatever the browser's.
        page.locator(".field-last_login .datetimeshortcuts a", has_text="现在").first.click()
        hour = int(page.input_value("input[name=last_login_1]").split(":")[0])
        assert hour in {timezone.localtime().hour, (timezone.localtime().hour + 1) % 24}
    finally:
        context.close()
