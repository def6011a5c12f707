"""What the browser must refuse: outsiders, members at the agency's controls, lost updates, wrong passwords."""

from __future__ import annotations

import pytest

from consultations import services as consultation_services
from consultations.models import ConsultationStatus
from proposals import seed
from proposals.models import Agency, Role, User
from replies import services as reply_services
from tests.e2e.checks import assert_fits_width, check_page
from tests.factories import make_user, seed_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every control the agency or staff use on a proposal, its reply or its consultation record.
EDIT_CONTROLS = [
    "修改草稿",
    "立案",
    "交办",
    "签收",
    "退回",
    "保存草稿",
    "提交负责人签发",
    "签发（签发后不能再修改）",
    "退回修改",
    "安排面商",
    "填写面商记录",
    "修改面商记录",
    "录入纸质签字",
    "办结",
]


def _controls_shown(actor) -> list[str]:
    main = actor.page.locator("main")
    shown = []
    for label in EDIT_CONTROLS:
        controls = main.get_by_role("button", name=label, exact=True).or_(
            main.get_by_role("link", name=label, exact=True)
        )
        if controls.count():
            shown.append(label)
    return shown


def test_handler_of_another_agency_cannot_find_or_open_the_proposal(actor, demo):
    case = seed_case("drafted")
    other = actor("other_handler")
    other.login("other_handler", demo)

    other.goto("/proposals/inbox/")
    assert seed.TITLE not in other.page.inner_text("main")
    other.goto("/proposals/")
    assert seed.TITLE not in other.page.inner_text("main")
    other.goto(f"/proposals/?q={seed.TITLE[:6]}")
    assert seed.TITLE not in other.page.inner_text("main")
    check_page(other, "own-list-without-the-proposal")

    for path in (
        f"/proposals/{case.proposal.pk}/",
        f"/replies/assignment/{case.assignment.pk}/",
        f"/replies/{case.reply.pk}/",
        f"/replies/{case.reply.pk}/pdf/",
        f"/consultations/assignment/{case.assignment.pk}/",
    ):
        response = other.goto(path)
        assert response.status == 404, path
        assert "页面不存在（404）" in other.page.inner_text("h1"), path
        assert seed.TITLE not in other.page.content(), path
    check_page(other, "404")


def test_member_sees_no_edit_controls_on_the_proposal_or_the_reply(actor, demo):
    # Mid-way (a draft the member must not see) and at the end (the demo's issued TA0207).
    case = seed_case("drafted")
    member = actor("zhuguosheng-readonly")
    member.login("zhuguosheng", demo)

    member.goto(f"/proposals/{case.proposal.pk}/")
    assert seed.TITLE in member.page.inner_text("main")
    assert _controls_shown(member) == []
    member.goto(f"/replies/assignment/{case.assignment.pk}/")
    assert "答复尚未签发" in member.page.inner_text("main")
    assert seed.REPLY_PARAGRAPHS[0] not in member.page.content(), "the member reads the agency's draft"
    assert member.page.locator("main form").count() == 0
    assert _controls_shown(member) == []
    check_page(member, "reply-draft-hidden")

    issued = User.objects.get(username="fgw_handler").agency.assignments.get(proposal__number=seed.NUMBER)
    member.goto(f"/proposals/{issued.proposal_id}/")
    assert _controls_shown(member) == []
    member.follow(f"#assignment-{issued.pk} a:has-text('查看答复')", f"**/replies/assignment/{issued.pk}/")
    main = member.page.inner_text("main")
    assert seed.REPLY_PARAGRAPHS[1] in main and "已签发" in main
    assert member.page.locator("main form").count() == 0
    assert _controls_shown(member) == []
    assert member.page.get_by_role("link", name="下载正式文件（PDF）").is_visible()
    check_page(member, "reply-issued-readonly")

    # A save posted by hand (with a valid CSRF token, so only the rights check can refuse it) changes nothing.
    reply = issued.replies.get()
    csrf = next(c["value"] for c in member.context.cookies() if c["name"] == "csrftoken")
    fields = {name: str(getattr(reply, name) or "") for name in reply_services.EDITABLE_FIELDS}
    fields.update(version=str(reply.version), body="委员改写的正文", is_public="on")
    response = member.page.request.post(
        f"{member.base_url}/replies/{reply.pk}/save/",
        form=fields,
        headers={"X-CSRFToken": csrf, "Referer": member.page.url},
    )
    assert str(reply_services.NOT_ALLOWED) in response.text(), "the save was not refused by the rights check"
    reply.refresh_from_db()
    assert "委员改写的正文" not in reply.body and reply.status == "issued"

    # The same check finds the controls where they belong: the agency's handler sees them.
    handler = actor("fgw_handler-controls")
    handler.login("fgw_handler", demo)
    handler.goto(f"/replies/assignment/{case.assignment.pk}/")
    assert {"保存草稿", "提交负责人签发"} <= set(_controls_shown(handler))


def test_second_handler_saving_the_same_draft_gets_the_conflict_and_keeps_their_text(actor, demo):
    case = seed_case("drafted")
    make_user("fgw_handler2", Role.HANDLER, agency=Agency.objects.get(name=seed.AGENCY), display_name="王经办")
    first = actor("fgw_handler-first")
    first.login("fgw_handler", demo)
    second = actor("fgw_handler2-second")
    second.login("fgw_handler2", demo)
    url = f"/replies/assignment/{case.assignment.pk}/"
    first.goto(url)
    second.goto(url)  # both start from version 1

    first_text = "\n".join([*seed.REPLY_PARAGRAPHS, "（经办人甲补充的一段。）"])
    first.page.fill("textarea[name=body]", first_text)
    first.page.click("main button:has-text('保存草稿')")
    first.page.wait_for_load_state()
    assert "答复草稿已保存（第 2 版）" in first.page.inner_text("main")

    second_text = "\n".join([*seed.REPLY_PARAGRAPHS, "（经办人乙同时写的另一段。）"])
    second.page.fill("textarea[name=body]", second_text)
    second.page.click("main button:has-text('保存草稿')")
    second.page.wait_for_load_state()
    main = second.page.inner_text("main")
    assert "保存失败：在您编辑期间" in main and "第 2 版" in main
    assert "下面的表单保留了您刚才输入、尚未保存的内容" in main
    assert second.page.input_value("textarea[name=body]") == second_text
    check_page(second, "draft-conflict")

    case.reply.refresh_from_db()
    assert (case.reply.version, case.reply.body) == (2, first_text)
    # Saving again after reading the newer version is a deliberate choice, and then it is saved.
    second.page.click("main button:has-text('保存草稿')")
    second.page.wait_for_load_state()
    assert "答复草稿已保存（第 3 版）" in second.page.inner_text("main")
    case.reply.refresh_from_db()
    assert case.reply.body == second_text


def test_wrong_password_on_sign_off_is_refused_and_the_record_stays_unsigned(actor, demo):
    case = seed_case("recorded")
    member = actor("zhuguosheng-wrong-password", width=390, height=844)
    member.login("zhuguosheng", demo)
    member.goto(f"/consultations/{case.consultation.pk}/sign/")
    member.page.get_by_label("同意", exact=True).check()
    member.page.fill("input[name=password]", demo + "-wrong")
    member.page.get_by_role("button", name="确认签字").click()
    member.page.wait_for_load_state()

    assert str(consultation_services.WRONG_PASSWORD) in member.page.inner_text("main")
    assert member.page.get_by_role("button", name="确认签字").is_visible(), "the member cannot try again"
    assert member.page.input_value("input[name=password]") == ""
    assert_fits_width(member, 390)
    check_page(member, "sign-wrong-password")
    case.consultation.refresh_from_db()
    assert case.consultation.status == ConsultationStatus.HELD
    assert case.consultation.signed_at is None and case.consultation.opinion == ""
    # And the reply still cannot be issued: the record is unsigned.
    assert str(consultation_services.ISSUE_NEEDS_SIGNED_CONSULTATION) in reply_services.issue_problems(case.reply)
