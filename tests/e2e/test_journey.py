"""The whole TA0207 lifecycle in a real browser, each step by the role that does it.

The demo cast comes from ``load_demo``; the demo's own TA0207 is already complete, so staff file
the seed's proposal again and it is registered under the next number. Every step is clicked
through in that role's own browser context; the database is read only to assert outcomes.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consultations.models import Consultation, ConsultationStatus, Rating
from proposals import seed
from proposals.models import Assignment, AssignmentRole, Proposal, ProposalStatus
from replies.models import Reply, ReplyStatus
from tests.e2e.checks import assert_fits_width, assert_no_axe_violations, check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
LEADER_NAME = "发改委负责人"


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _squeeze(text: str) -> str:
    """PDF text without the spaces and line breaks the layout puts inside Chinese sentences."""
    return re.sub(r"\s+", "", text)


def test_ta0207_lifecycle_in_the_browser(actor, demo, tmp_path):
    pw = demo
    held_at = timezone.localtime().replace(second=0, microsecond=0)

    # --- Staff: file, register, assign --------------------------------------------------------
    staff = actor("1-staff")
    staff.login("staff", pw)
    staff.goto("/proposals/")
    check_page(staff, "01-list")
    assert_no_axe_violations(staff, "proposal list")
    staff.follow("main a:has-text('新建提案')", "**/proposals/new/")
    staff.page.fill("input[name=title]", seed.TITLE)
    staff.page.select_option("select[name=proposer_kind]", "individual")
    staff.page.select_option("select[name=first_proposer]", label=seed.MEMBER_NAME)
    staff.page.fill("textarea[name=main_content]", seed.MAIN_CONTENT)
    check_page(staff, "02-filing-form")
    assert_no_axe_violations(staff, "filing form")
    staff.page.click("main button:has-text('保存')")
    staff.page.wait_for_load_state()
    assert "提案已录入" in staff.page.inner_text("main")
    proposal = Proposal.objects.get(title=seed.TITLE, status=ProposalStatus.SUBMITTED)
    assert proposal.first_proposer.name == seed.MEMBER_NAME
    check_page(staff, "03-filed")

    staff.page.click("#proposal-actions button:has-text('立案')")
    staff.page.wait_for_load_state()
    # Nothing happens before the confirmation, which says which number the proposal will take.
    assert "立案后将编号为 第 TA0208 号（按本次会议顺序自动编号），不能撤销。" in staff.page.inner_text("main")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert_no_axe_violations(staff, "confirmation")
    staff.page.click("#confirm-panel button:has-text('确认立案')")
    staff.page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REGISTERED
    assert proposal.number == "TA0208"  # the next number after the demo's TA0207
    assert "第 TA0208 号" in staff.page.inner_text("main")
    check_page(staff, "04-registered")
    assert_no_axe_violations(staff, "proposal detail")

    staff.follow("#proposal-actions a:has-text('交办')", f"**/proposals/{proposal.pk}/assign/")
    staff.page.check("input[name=mode][value=split]")
    staff.page.select_option("select[name='split-0-agency']", label=seed.AGENCY)
    staff.page.fill("input[name='split-0-scope']", seed.SCOPE)
    check_page(staff, "05-assign-form")
    assert_no_axe_violations(staff, "assign form")
    staff.page.click("main button[type=submit]:has-text('交办')")
    staff.page.wait_for_load_state()
    assert f"交办后，{seed.AGENCY}（分办） 将收到交办通知" in staff.page.inner_text("main")
    assert not Assignment.objects.filter(proposal=proposal).exists()
    staff.page.click("#confirm-panel button:has-text('确认交办')")
    staff.page.wait_for_load_state()
    assert "已交办" in staff.page.inner_text("main")
    assignment = Assignment.objects.get(proposal=proposal)
    assert (assignment.agency.name, assignment.role, assignment.scope) == (seed.AGENCY, AssignmentRole.SPLIT, "第二条")
    check_page(staff, "06-assigned")

    # --- Handler: inbox, accept, draft, consultation ----------------------------------------------
    handler = actor("2-fgw_handler")
    handler.login("fgw_handler", pw)
    handler.goto("/proposals/inbox/")
    check_page(handler, "07-inbox")
    assert_no_axe_violations(handler, "inbox")
    row = handler.page.locator("tbody tr", has_text=seed.TITLE).filter(has_text="TA0208")
    assert "第二条" in row.inner_text()
    row.get_by_role("link", name=seed.TITLE).click()
    handler.page.wait_for_url(f"**/proposals/{proposal.pk}/")
    handler.page.click(f"#assignment-{assignment.pk} button:has-text('签收')")
    handler.page.wait_for_load_state()
    assert "签收后不能再退回" in handler.page.inner_text("main")  # asked first
    handler.page.click("#confirm-panel button:has-text('确认签收')")
    handler.page.wait_for_load_state()
    assert "已签收" in handler.page.inner_text("main")
    check_page(handler, "08-accepted")

    handler.follow(f"#assignment-{assignment.pk} a:has-text('答复')", f"**/replies/assignment/{assignment.pk}/")
    form = handler.page.locator("form", has=handler.page.locator("textarea[name=body]"))
    assert form.locator("input[name=title]").input_value() == "关于市政协八届三次会议第 TA0208 号提案的答复"
    assert form.locator("input[name=addressee]").input_value() == seed.REPLY_ADDRESSEE
    check_page(handler, "09-reply-form")
    assert_no_axe_violations(handler, "reply form")
    form.locator("input[name=reply_class][value=A]").check()
    form.locator("textarea[name=body]").fill("\n".join(seed.REPLY_PARAGRAPHS))
    form.locator("textarea[name=closing]").fill(seed.REPLY_CLOSING)
    form.locator("input[name=leader_name]").fill(LEADER_NAME)
    form.locator("input[name=handler_name]").fill(seed.REPLY_HANDLER)
    form.locator("input[name=phone]").fill(seed.REPLY_PHONE)
    form.locator("button:has-text('保存草稿')").click()
    handler.page.wait_for_load_state()
    assert "答复草稿已保存（第 1 版）" in handler.page.inner_text("main")
    reply = Reply.objects.get(assignment=assignment)
    assert (reply.status, reply.reply_class) == (ReplyStatus.DRAFT, "A")
    assert reply.body.splitlines() == seed.REPLY_PARAGRAPHS
    check_page(handler, "10-reply-draft")

    handler.goto(f"/proposals/{proposal.pk}/")
    handler.follow(
        f"#assignment-{assignment.pk} a:has-text('面商与测评')", f"**/consultations/assignment/{assignment.pk}/"
    )
    handler.page.fill("input[name=held_at]", held_at.strftime("%Y-%m-%dT%H:%M"))
    handler.page.fill("input[name=place]", seed.RECORD_PLACE)
    handler.page.select_option("select[name=method]", "in_person")
    handler.page.fill("input[name=host_name]", seed.RECORD_HOST)
    handler.page.fill("input[name=host_phone]", seed.RECORD_HOST_PHONE)
    check_page(handler, "11-schedule-form")
    handler.page.click("main button:has-text('安排面商')")
    handler.page.wait_for_load_state()
    assert "已安排面商" in handler.page.inner_text("main")
    handler.page.click("main a:has-text('填写面商记录')")
    # The record comes prefilled from the member, the proposal and the reply draft.
    assert handler.page.input_value("input[name=member_name]") == seed.MEMBER_NAME
    assert handler.page.input_value("input[name=proposal_number]") == "TA0208"
    assert handler.page.input_value("textarea[name=main_content]") == seed.MAIN_CONTENT
    assert handler.page.input_value("select[name=handling_class]") == "A"
    check_page(handler, "12-record-form")
    assert_no_axe_violations(handler, "record form")
    handler.page.fill("textarea[name=reply_points]", seed.RECORD_REPLY_POINTS)
    handler.page.click("main button:has-text('保存面商记录')")
    handler.page.wait_for_load_state()
    assert "面商记录已保存，等待委员签字" in handler.page.inner_text("main")
    consultation = Consultation.objects.get(assignment=assignment)
    assert consultation.status == ConsultationStatus.HELD
    check_page(handler, "13-record-held")

    # --- Member, on a phone: signs the record -------------------------------------------------------
    member = actor("3-zhuguosheng", width=PHONE_WIDTH, height=844)
    member.login("zhuguosheng", pw)
    member.goto("/proposals/mine/")
    assert seed.TITLE in member.page.inner_text("main")
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "14-my-proposals")
    assert_no_axe_violations(member, "my proposals (390 px)")
    member.goto("/consultations/mine/")
    member.follow("main a:has-text('第 TA0208 号')", f"**/consultations/{consultation.pk}/sign/")
    assert seed.RECORD_REPLY_POINTS in member.page.inner_text("main")
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "15-sign-form")
    assert_no_axe_violations(member, "sign-off")
    member.page.get_by_label("同意", exact=True).check()
    member.page.fill("textarea[name=opinion_text]", seed.RECORD_OPINION_TEXT)
    member.page.fill("input[name=password]", pw)
    sign_button = member.page.get_by_role("button", name="确认签字")
    assert sign_button.is_visible()
    box = sign_button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    sign_button.click()
    member.page.wait_for_load_state()
    assert "签字成功，面商记录已锁定" in member.page.inner_text("main")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SIGNED
    assert (consultation.opinion, consultation.opinion_text) == ("agree", "同意")
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "16-signed")

    # --- Handler submits, leader signs off and issues --------------------------------------------
    handler.goto(f"/replies/assignment/{assignment.pk}/")
    handler.page.click("main button:has-text('提交负责人签发')")
    handler.page.wait_for_load_state()
    assert "已提交负责人签发" in handler.page.inner_text("main")
    check_page(handler, "17-submitted")

    leader = actor("4-fgw_leader")
    leader.login("fgw_leader", pw)
    leader.goto(f"/proposals/{proposal.pk}/")
    leader.follow(f"#assignment-{assignment.pk} a:has-text('答复')", f"**/replies/assignment/{assignment.pk}/")
    check_page(leader, "18-sign-off")
    assert_no_axe_violations(leader, "reply sign-off")
    leader.page.click("main button:has-text('签发（签发后不能再修改）')")
    leader.page.wait_for_load_state()
    assert "签发后答复冻结并生成正式 PDF，不能再修改。" in leader.page.inner_text("main")
    leader.page.click("#confirm-panel button:has-text('确认签发')")
    leader.page.wait_for_load_state()
    assert "答复已签发" in leader.page.inner_text("main")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.ISSUED and reply.pdf_sha256
    check_page(leader, "19-issued")

    with leader.page.expect_download() as download_info:
        leader.page.click("main a:has-text('下载正式文件（PDF）')")
    download = download_info.value
    pdf_path = tmp_path / "reply.pdf"
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(pdf_path)
    flat = _squeeze(text)
    assert _squeeze("关于市政协八届三次会议第 TA0208 号提案的答复") in flat
    assert "A 类" in text or "A类" in flat
    assert seed.REPLY_ADDRESSEE in flat
    assert _squeeze(seed.REPLY_PARAGRAPHS[2]) in flat
    assert seed.AGENCY in flat

    # --- Member rates, on the phone -------------------------------------------------------------
    member.goto(f"/proposals/{proposal.pk}/")
    assert_fits_width(member, PHONE_WIDTH)
    member.follow(f"#assignment-{assignment.pk} a:has-text('查看答复')", f"**/replies/assignment/{assignment.pk}/")
    main = member.page.inner_text("main")
    assert seed.REPLY_PARAGRAPHS[0] in main and "已签发" in main
    assert member.page.locator("main form").count() == 0, "the member sees a form on the issued reply"
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "20-reply-read")
    member.page.go_back()
    member.follow(
        f"#assignment-{assignment.pk} a:has-text('测评办理情况')", f"**/consultations/assignment/{assignment.pk}/rate/"
    )
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "21-rating-form")
    assert_no_axe_violations(member, "rating form (390 px)")
    member.page.get_by_label("满意", exact=True).check()
    submit = member.page.get_by_role("button", name="提交测评")
    assert submit.is_visible()
    submit.click()
    member.page.wait_for_load_state()
    assert "测评已提交" in member.page.inner_text("main")
    assert Rating.objects.get(assignment=assignment).value == "satisfied"
    assert_fits_width(member, PHONE_WIDTH)
    check_page(member, "22-rated")

    # --- Staff close the case and read the timeline -------------------------------------------------
    staff.goto(f"/consultations/proposal/{proposal.pk}/close/")
    assert "可以办结" in staff.page.inner_text("main")
    check_page(staff, "23-close")
    assert_no_axe_violations(staff, "close form")
    staff.page.click("main button:has-text('办结')")
    staff.page.wait_for_load_state()
    assert "办结后提案状态为“已办结”" in staff.page.inner_text("main")
    staff.page.click("#confirm-panel button:has-text('确认办结')")
    staff.page.wait_for_url(f"**/proposals/{proposal.pk}/")
    assert "提案已办结" in staff.page.inner_text("main")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    assert staff.page.inner_text("#proposal-status") == "已办结"
    steps = [li.inner_text() for li in staff.page.locator("ol.timeline > li").all()]
    expected = [
        "录入提案",
        "立案",
        "交办",
        "签收",
        "起草答复",
        "安排面商",
        "填写面商记录",
        "委员网上签字",
        "提交签发",
        "签发答复",
        "满意度测评",
        "办结",
    ]
    actions = [s.split(" · ")[0].strip() for s in steps]
    missing = [e for e in expected if e not in actions]
    assert not missing, f"timeline lacks {missing}: {actions}"
    positions = [actions.index(e) for e in expected]
    assert positions == sorted(positions) or positions == sorted(positions, reverse=True), actions
    check_page(staff, "24-closed-timeline")
