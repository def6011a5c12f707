"""Issue 21 in a real browser: a five-member joint proposal from filing to five ratings, and a merge
of three proposals (undone once before assignment) answered by one reply and rated by three.

The cast is the suite's world (``tests.factories.make_world``) with three more members; the
committee's rules are set by the ORM as an administrator would in the admin. Every step after that
is clicked by the role that does it, in that role's own browser context, starting from the role's
home page (我的工作) and its queues: every proposer of a joint record finds it in 待签字的面商记录,
and every proposer of a merged group finds the lead's rating in 待测评. The database is read only to
assert outcomes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consultations.models import (
    Consultation,
    ConsultationSigner,
    ConsultationStatus,
    Rating,
    Satisfaction,
    SignMethod,
)
from consultations.pdf import SIGNER_PAPER_MARK, SIGNER_UNSIGNED_MARK
from proposals import services as proposal_services
from proposals.choices import CosignMethod, CosignRule, CosignStatus
from proposals.models import (
    Assignment,
    AssignmentRole,
    Attachment,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    User,
)
from replies.models import Reply, ReplyStatus
from tests.e2e.checks import assert_no_axe_violations, check_page
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_user, pdf_upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIVE = ("张三", "李四", "赵六", "钱七", "孙八")  # 张三 first; the world has 张三 and 李四
USERNAMES = {"张三": "zhangsan", "李四": "lisi", "王五": "wangwu", "赵六": "zhaoliu", "钱七": "qianqi", "孙八": "sunba"}
ONLINE_SIGNERS = ("张三", "李四", "赵六")
JOINT_TITLE = "关于推进城区老旧小区加装电梯的建议"
JOINT_CONTENT = "建议统筹规划城区老旧小区加装电梯，简化审批流程，加大财政补贴。"
REPLY_BODY = "收到提案后，我委高度重视，会同有关部门研究办理。\n今年已将老旧小区加装电梯列入民生实事。"
REPLY_POINTS = "已列入民生实事，年内完成审批流程简化。"
LEADER = "甲负责人"


# --- Page moves of both tests ---------------------------------------------------------------------


def _confirm(actor, consequence: str, button: str) -> None:
    """The confirmation asked on the page (a dialog): it says what will happen, then is accepted."""
    dialog = actor.page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert consequence in dialog.inner_text()
    with actor.page.expect_navigation():
        dialog.get_by_role("button", name=button).click()
    actor.page.wait_for_load_state()


def _click(actor, selector: str) -> None:
    """Click something that loads a page, and wait for that page."""
    with actor.page.expect_navigation():
        actor.page.click(selector)
    actor.page.wait_for_load_state()


def _home(actor) -> None:
    _click(actor, "nav a.navbar-brand")


def _nav(actor, text: str) -> None:
    """Follow a link of the navbar, opening it first where it is folded (a phone)."""
    toggler = actor.page.locator("nav .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    link = actor.page.locator("nav a.nav-link", has_text=text)
    link.wait_for(state="visible")
    with actor.page.expect_navigation():
        link.click()
    actor.page.wait_for_load_state()


def _queue_item(actor, queue: str, text: str) -> None:
    """Follow the item of a home-page queue."""
    with actor.page.expect_navigation():
        actor.page.locator(f"[aria-labelledby='q-{queue}'] a", has_text=text).first.click()
    actor.page.wait_for_load_state()


def _queue_text(actor, queue: str) -> str:
    return actor.page.inner_text(f"[aria-labelledby='q-{queue}']")


def _pick(page, field: str, typed: str, option_text: str) -> None:
    """Type into the search-as-you-type picker of ``field`` and choose the option showing ``option_text``."""
    box = page.locator(f"#id_{field}-ts-control")
    box.click()
    box.press_sequentially(typed, delay=40)
    option = page.locator(f"#id_{field}-ts-dropdown .option", has_text=option_text)
    option.first.wait_for()
    option.first.click()


def _scan(name: str) -> dict:
    """A scanned page as the browser uploads it (a file that is a PDF by its content)."""
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_upload(name).read()}


def _download(actor, selector: str, name: str) -> Path:
    """Download the PDF behind ``selector`` and keep it beside the screenshots, for the reviewer."""
    with actor.page.expect_download() as info:
        actor.page.click(selector)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{actor.name}-{name}"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    return path


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _squeeze(text: str) -> str:
    """PDF text without the spaces and line breaks the layout puts inside Chinese sentences."""
    return re.sub(r"\s+", "", text)


def _signer_states(actor) -> dict[str, str]:
    """The record's proposers and their states, as the record's summary on the page lists them."""
    items = actor.page.locator("[data-signers] > li").all()
    return {
        item.locator("strong").inner_text(): item.inner_text().split("：", 1)[1].strip().splitlines()[0]
        for item in items
    }


def _sign_online(member, consultation: Consultation, *, draw: bool = False) -> None:
    """The member reads the record on their sign page and signs with their password."""
    assert member.page.url.endswith(f"/consultations/{consultation.pk}/sign/")
    assert REPLY_POINTS in member.page.inner_text("main")
    member.page.get_by_label("同意", exact=True).check()
    if draw:
        pad = member.page.locator("[data-signature-pad]")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        member.page.mouse.move(box["x"] + 20, box["y"] + 120)
        member.page.mouse.down()
        for step in range(1, 8):
            member.page.mouse.move(box["x"] + 20 + step * 30, box["y"] + 120 - (step % 2) * 70, steps=4)
        member.page.mouse.up()
    member.page.fill("input[name=password]", PASSWORD)
    _click(member, "main button:has-text('确认签字')")


def _fill_reply(handler, *, addressee: str, body: str) -> None:
    """On the reply page: the title and addressee come prefilled; the handler writes the rest."""
    form = handler.page.locator("form", has=handler.page.locator("textarea[name=body]"))
    assert form.locator("input[name=addressee]").input_value() == addressee
    form.locator("input[name=reply_class][value=A]").check()
    form.locator("textarea[name=body]").fill(body)
    form.locator("input[name=leader_name]").fill(LEADER)
    form.locator("input[name=handler_name]").fill("甲经办")
    form.locator("input[name=phone]").fill("0356-2196005")
    with handler.page.expect_navigation():
        form.locator("button:has-text('保存草稿')").click()
    handler.page.wait_for_load_state()
    assert "答复草稿已保存（第 1 版）" in handler.page.inner_text("main")


def _submit_and_issue(handler, leader_actor, number: str, assignment: Assignment) -> Reply:
    _home(handler)
    _queue_item(handler, "submit", number)
    _click(handler, "main button:has-text('提交负责人签发')")
    assert "已提交负责人签发" in handler.page.inner_text("main")
    leader_actor.login("leader_a", PASSWORD)
    card = leader_actor.page.locator("[aria-labelledby='to-issue'] article", has_text=number)
    card.locator("button:has-text('签发（签发后不能再修改）')").click()
    _confirm(leader_actor, "签发后答复冻结并生成正式 PDF，不能再修改。", "确认签发")
    assert "答复已签发" in leader_actor.page.inner_text("main")
    reply = Reply.objects.get(assignment=assignment)
    assert reply.status == ReplyStatus.ISSUED and reply.pdf_sha256
    return reply


def _rate(member, number: str, assignment: Assignment) -> None:
    """The member rates from the 待测评 queue of their home page."""
    _home(member)
    _queue_item(member, "rate", number)
    assert member.page.url.endswith(f"/consultations/assignment/{assignment.pk}/rate/")
    member.page.get_by_label("满意", exact=True).check()
    _click(member, "main button:has-text('提交测评')")
    assert "测评已提交" in member.page.inner_text("main")


def _add_member(name: str, username: str, order: int) -> User:
    member = Member.objects.create(name=name, phone=f"1380000020{order}", work_unit=f"{name}的工作单位")
    return make_user(username, Role.MEMBER, member=member, display_name=name)


# --- 1. Five members, one joint proposal ----------------------------------------------------------


def test_five_member_joint_proposal(actor, world):
    # The committee asks every co-signer to confirm (联名确认: 全部确认) within five working days.
    committee = world.meeting.committee
    committee.cosign_rule = CosignRule.ALL
    committee.save(update_fields=["cosign_rule"])
    world.meeting.cosign_window_days = 5
    world.meeting.save(update_fields=["cosign_window_days"])
    for order, name in enumerate(("赵六", "钱七", "孙八"), start=1):
        _add_member(name, USERNAMES[name], order)
    held_at = timezone.localtime().replace(second=0, microsecond=0)

    # --- 张三 files the joint proposal with four co-signers and submits it -----------------------
    first = actor("j1-zhangsan")
    first.login("zhangsan", PASSWORD)
    first.follow("#home-new-proposal", "**/proposals/new/")
    first.page.fill("input[name=title]", JOINT_TITLE)
    first.page.select_option("select[name=proposer_kind]", "joint")
    for name in FIVE[1:]:
        _pick(first.page, "cosigners", name, name)
    first.page.fill("textarea[name=main_content]", JOINT_CONTENT)
    check_page(first, "01-filing-joint")
    _click(first, "main button:has-text('保存')")
    proposal = Proposal.objects.get(title=JOINT_TITLE)
    assert proposal.status == ProposalStatus.DRAFT and proposal.proposer_kind == ProposerKind.JOINT
    # The co-signers as stored, in the order they were picked (not of their names, which would put
    # 孙八 first): the record, the letter and the ratings follow it.
    stored = list(
        ProposalCosigner.objects.filter(proposal=proposal)
        .order_by("order", "pk")
        .values_list("member__name", flat=True)
    )
    assert stored == list(FIVE[1:])
    proposers = list(FIVE)
    _click(first, "#proposal-actions button:has-text('提交')")
    assert "提案已提交" in first.page.inner_text("main")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    rows = ProposalCosigner.objects.filter(proposal=proposal)
    assert {r.status for r in rows} == {CosignStatus.PENDING}
    # The first proposer reads the four states, and has no button to press for them.
    assert first.page.locator("#cosign-table tbody tr").count() == 4
    assert first.page.locator("#cosign-table [data-state=pending]").count() == 4
    assert first.page.locator("#cosign-mine").count() == 0
    check_page(first, "02-submitted-four-pending")

    # --- Staff: registration is held while co-signers are pending -------------------------------
    staff = actor("j2-staff")
    staff.login(world.staff.username, PASSWORD)
    _queue_item(staff, "review", JOINT_TITLE[:10])
    assert staff.page.url.endswith(f"/proposals/{proposal.pk}/")
    assert staff.page.locator("#proposal-actions button:has-text('立案')").count() == 0
    assert "暂不能立案" in staff.page.inner_text("#register-waits")
    assert f"联名人{'、'.join(stored)}尚未确认联名" in staff.page.inner_text("#cosign-problems")
    check_page(staff, "03-register-held")
    assert_no_axe_violations(staff, "proposal with pending co-signers")

    # --- Three co-signers confirm online, each from the invitation on their home page --------------
    for name in ("李四", "赵六", "钱七"):
        cosigner = actor(f"j3-{USERNAMES[name]}")
        cosigner.login(USERNAMES[name], PASSWORD)
        assert JOINT_TITLE in _queue_text(cosigner, "cosign")
        _queue_item(cosigner, "cosign", JOINT_TITLE[:10])
        assert cosigner.page.url.endswith(f"/proposals/{proposal.pk}/cosign/")
        assert "您被列为本提案的联名人" in cosigner.page.inner_text("#cosign-mine")
        if name == "李四":
            check_page(cosigner, "04-cosign-invitation")
            assert_no_axe_violations(cosigner, "co-signer's confirmation page")
        # Asked on the page first: once confirmed, a co-signer can no longer withdraw.
        cosigner.page.click("#cosign-mine button:has-text('确认联名')")
        cosigner.page.locator("dialog.confirm-dialog").wait_for()
        assert ProposalCosigner.objects.get(proposal=proposal, member__name=name).status == CosignStatus.PENDING
        _confirm(cosigner, "不能再退出联名", "确认联名")
        assert "您已确认联名" in cosigner.page.inner_text("main")
        row = ProposalCosigner.objects.get(proposal=proposal, member__name=name)
        assert (row.status, row.confirm_method) == (CosignStatus.CONFIRMED, CosignMethod.ONLINE)
        # The invitation has left the home page.
        _home(cosigner)
        assert JOINT_TITLE not in _queue_text(cosigner, "cosign")
        cosigner.close()

    # --- Staff record 孙八's signed paper confirmation, with its scan, then register ----------------
    staff.page.reload()
    assert "孙八尚未确认联名" in staff.page.inner_text("#cosign-problems")
    assert staff.page.locator("#proposal-actions button:has-text('立案')").count() == 0  # still held
    staff.page.click("#cosign-paper summary")
    assert staff.page.locator("#cosign-paper-member option").all_inner_texts() == ["孙八"]  # pending only
    staff.page.select_option("#cosign-paper-member", label="孙八")
    staff.page.set_input_files("#cosign-paper-scan", files=[_scan("孙八联名确认书.pdf")])
    _click(staff, "#cosign-paper form button[type=submit]")
    assert "已录入孙八的纸质确认" in staff.page.inner_text("main")
    table = staff.page.inner_text("#cosign-table")
    assert table.count("已确认") == 4 and "待确认" not in table and "纸质确认" in table
    check_page(staff, "05-all-confirmed")
    staff.page.click("#proposal-actions button:has-text('立案')")
    _confirm(staff, "立案后将编号为 第 TA0002 号", "确认立案")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number) == (ProposalStatus.REGISTERED, "TA0002")

    # --- Staff assign it to agency A --------------------------------------------------------------
    staff.follow("#proposal-actions a:has-text('交办')", f"**/proposals/{proposal.pk}/assign/")
    staff.page.check("input[name=mode][value=lead]")
    staff.page.select_option("select[name=lead_agency]", label=world.agency_a.name)
    staff.page.click("main button[type=submit]:has-text('交办')")
    _confirm(staff, f"交办后，{world.agency_a.name}", "确认交办")
    assignment = Assignment.objects.get(proposal=proposal)
    assert (assignment.agency, assignment.role) == (world.agency_a, AssignmentRole.LEAD)

    # --- Handler: accept, draft the reply addressed to the five, schedule and fill in the record ------
    handler = actor("j4-handler_a")
    handler.login("handler_a", PASSWORD)
    _queue_item(handler, "accept", "TA0002")
    handler.page.click(f"#assignment-{assignment.pk} button:has-text('签收')")
    _confirm(handler, "签收后不能再退回", "确认签收")
    assert "已签收" in handler.page.inner_text("main")
    check_page(handler, "05-accepted")
    handler.follow(f"#assignment-{assignment.pk} a:has-text('答复')", f"**/replies/assignment/{assignment.pk}/")
    # The default letter profile names a joint proposal's proposers by the first one: 张三等委员.
    _fill_reply(handler, addressee="张三等委员：", body=REPLY_BODY)
    _home(handler)
    _queue_item(handler, "schedule", "TA0002")
    handler.page.fill("input[name=held_at]", held_at.strftime("%Y-%m-%dT%H:%M"))
    handler.page.fill("input[name=place]", "甲市发展和改革委员会三楼会议室")
    handler.page.select_option("select[name=method]", "in_person")
    handler.page.fill("input[name=host_name]", "甲经办")
    handler.page.fill("input[name=host_phone]", "0356-2196005")
    _click(handler, "main button:has-text('安排面商')")
    assert "已安排面商" in handler.page.inner_text("main")
    _click(handler, "main a:has-text('填写面商记录')")
    assert handler.page.input_value("input[name=member_name]") == "张三"
    check_page(handler, "06-record-form")
    handler.page.fill("textarea[name=reply_points]", REPLY_POINTS)
    _click(handler, "main button:has-text('保存面商记录')")
    assert "面商记录已保存，等待委员签字" in handler.page.inner_text("main")
    consultation = Consultation.objects.get(assignment=assignment)
    assert consultation.status == ConsultationStatus.HELD
    # The record lists the five proposers, none signed yet.
    assert _signer_states(handler) == dict.fromkeys(proposers, "未签字")
    assert list(_signer_states(handler)) == proposers
    check_page(handler, "07-record-five-unsigned")
    assert_no_axe_violations(handler, "record with five proposers")

    # --- Signatures: three online, two on the paper form ------------------------------------------
    members = {}
    for name in ONLINE_SIGNERS:
        member = members[name] = actor(f"j5-{USERNAMES[name]}", width=390, height=844)
        member.login(USERNAMES[name], PASSWORD)
        # Each proposer's own line to sign: in the home page's queue, as in the navbar's 待签面商记录.
        _queue_item(member, "sign", "TA0002")
        if name == "李四":
            check_page(member, "08-sign-page")
            assert_no_axe_violations(member, "joint sign page (390 px)")
        _sign_online(member, consultation, draw=name == "赵六")
        assert "签字成功。其他提案人全部签字后，面商记录锁定。" in member.page.inner_text("main")
        assert "您已签字" in member.page.inner_text("main")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.HELD  # three of five

    # 钱七's paper form, entered by the handler from the 待委员签字 queue.
    _home(handler)
    _queue_item(handler, "member_sign", "TA0002")
    assert handler.page.url.endswith(f"/consultations/{consultation.pk}/paper/")
    assert sorted(handler.page.locator("select[name=member] option").all_inner_texts()) == sorted(["钱七", "孙八"])
    handler.page.select_option("select[name=member]", label="钱七")
    handler.page.select_option("select[name=opinion]", "mostly")
    handler.page.fill("textarea[name=opinion_text]", "希望加快进度")
    handler.page.set_input_files("input[name=scan]", files=[_scan("钱七面商记录表.pdf")])
    check_page(handler, "09-paper-form")
    _click(handler, "main button[type=submit]")
    assert "纸质签字已录入。其他提案人全部签字后，面商记录锁定。" in handler.page.inner_text("main")

    # 孙八's paper form, entered by staff from the proposal's page.
    _nav(staff, "提案列表")
    _click(staff, f"main a:has-text('{JOINT_TITLE[:10]}')")
    staff.follow(
        f"#assignment-{assignment.pk} a:has-text('面商与测评')", f"**/consultations/assignment/{assignment.pk}/"
    )
    _click(staff, "main a:has-text('录入纸质签字')")
    assert staff.page.locator("select[name=member] option").all_inner_texts() == ["孙八"]
    staff.page.select_option("select[name=opinion]", "agree")
    staff.page.set_input_files("input[name=scan]", files=[_scan("孙八面商记录表.pdf")])
    _click(staff, "main button[type=submit]")
    assert "纸质签字的面商记录已录入并锁定" in staff.page.inner_text("main")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SIGNED and consultation.pdf_sha256
    states = _signer_states(staff)
    assert sorted(n for n in FIVE if "网上签字" in states[n]) == sorted(ONLINE_SIGNERS)
    assert sorted(n for n in FIVE if states[n].startswith("纸质签字")) == sorted(["钱七", "孙八"])
    check_page(staff, "10-record-signed-by-five")

    # The record's PDF: five names, each with how they signed.
    record_pdf = _download(staff, "main a:has-text('下载记录表 PDF')", "record.pdf")
    flat = _squeeze(_pdf_text(record_pdf))
    for name in FIVE:
        assert name in flat
    assert flat.count(_squeeze(SIGNER_PAPER_MARK)) == 2 and flat.count("网上签字") == 3
    assert SIGNER_UNSIGNED_MARK not in flat and "希望加快进度" in flat  # 钱七's opinion, from the paper
    assert sum(len(page.images) for page in PdfReader(record_pdf).pages) == 1  # 赵六's drawn signature

    # --- The reply: submitted, signed off and issued ------------------------------------------------
    leader = actor("j6-leader_a")
    reply = _submit_and_issue(handler, leader, "TA0002", assignment)
    assert reply.addressee == "张三等委员："

    # --- All five rate ------------------------------------------------------------------------------
    for name in FIVE:
        member = members.get(name)
        if member is None:
            member = members[name] = actor(f"j7-{USERNAMES[name]}", width=390, height=844)
            member.login(USERNAMES[name], PASSWORD)
        _rate(member, "TA0002", assignment)
    check_page(members["孙八"], "11-rated")

    # --- Outcomes in the database -------------------------------------------------------------------
    cosigners = {r.member.name: r for r in ProposalCosigner.objects.filter(proposal=proposal).select_related("member")}
    assert {n: (r.status, r.confirm_method) for n, r in cosigners.items()} == {
        "李四": (CosignStatus.CONFIRMED, CosignMethod.ONLINE),
        "赵六": (CosignStatus.CONFIRMED, CosignMethod.ONLINE),
        "钱七": (CosignStatus.CONFIRMED, CosignMethod.ONLINE),
        "孙八": (CosignStatus.CONFIRMED, CosignMethod.PAPER),
    }
    assert cosigners["孙八"].confirmed_by == world.staff
    assert Attachment.objects.filter(proposal=proposal, original_name="孙八联名确认书.pdf").count() == 1
    signers = {r.member_name: r for r in ConsultationSigner.objects.filter(consultation=consultation).order_by("order")}
    assert list(signers) == proposers[1:]
    assert consultation.sign_method == SignMethod.ONLINE and consultation.signed_by.username == "zhangsan"
    assert {n: signers[n].sign_method for n in FIVE[1:]} == {
        "李四": SignMethod.ONLINE,
        "赵六": SignMethod.ONLINE,
        "钱七": SignMethod.PAPER,
        "孙八": SignMethod.PAPER,
    }
    assert signers["赵六"].signature and not signers["李四"].signature  # 赵六 drew his signature
    assert (signers["钱七"].entered_by, signers["钱七"].opinion) == (world.handler_a, "mostly")
    assert signers["孙八"].entered_by == world.staff and signers["孙八"].paper_scan_sha256
    ratings = Rating.objects.filter(assignment=assignment)
    assert sorted(ratings.values_list("member__name", flat=True)) == sorted(FIVE)
    assert set(ratings.values_list("value", flat=True)) == {Satisfaction.SATISFIED}


# --- 2. Three proposals merged, one merge undone and made again, one reply, three ratings ----------

COLD_CHAIN = (
    ("张三", "关于发展冷链物流产业的建议", "建议发展冷链物流产业，建设冷链物流园区，完善冷链物流配送网络。"),
    ("王五", "关于建设冷链物流仓储设施的建议", "建议建设冷链物流仓储设施，完善冷链物流配送网络，降低农产品损耗。"),
    ("赵六", "关于规划冷链物流园区的建议", "建议规划冷链物流园区，完善冷链物流配送网络，引进冷链物流企业。"),
)
GROUP_ADDRESSEE = "张三、王五、赵六委员："
GROUP_TITLE = "关于市政协八届三次会议第 TA0002、TA0003、TA0004 号提案的答复"
GROUP_REPLY_BODY = "三件提案均涉及冷链物流，我委一并研究办理。\n冷链物流园区已列入全市物流规划，仓储设施建设正在推进。"


def _offer(actor, proposal: Proposal):
    """The checkbox of ``proposal`` among the similar proposals the merge page offers."""
    return actor.page.locator("main .form-check", has_text=proposal.title).locator("input[type=checkbox]")


def _merge_page(staff, lead: Proposal) -> None:
    _click(staff, "#merge-link")
    assert staff.page.url.endswith(f"/proposals/{lead.pk}/merge/")


def test_merge_three_then_undo(actor, world):
    # This test is about the merge: the agency answers without a signed consultation record (a
    # committee setting; the five-member test above goes through the signed record).
    committee = world.meeting.committee
    committee.record_required_before_issue = False
    committee.save(update_fields=["record_required_before_issue"])
    _add_member("赵六", USERNAMES["赵六"], 1)
    members = {m.name: m for m in Member.objects.filter(name__in=[name for name, _t, _c in COLD_CHAIN])}
    lead, second, third = (
        proposal_services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title=title,
            main_content=content,
            first_proposer=members[name],
        )
        for name, title, content in COLD_CHAIN
    )

    # --- Staff merge the other two into 张三's proposal, from the similar ones offered -------------
    staff = actor("m1-staff")
    staff.login(world.staff.username, PASSWORD)
    _queue_item(staff, "review", lead.title)
    _merge_page(staff, lead)
    assert _offer(staff, second).count() == 1 and _offer(staff, third).count() == 1
    _offer(staff, second).check()
    _offer(staff, third).check()
    check_page(staff, "01-merge-page")
    assert_no_axe_violations(staff, "merge page")
    _click(staff, "main form button[type=submit]:has-text('并案')")
    assert "已并案" in staff.page.inner_text("main")
    for p in (second, third):
        p.refresh_from_db()
        assert p.merged_into_id == lead.pk
    group = staff.page.locator("#merge-group [data-merge-member]")
    assert group.count() == 3
    check_page(staff, "02-merged")

    # --- Undo 赵六's before assignment: asked on the page first, then done ----------------------------
    staff.page.locator(f"[data-merge-member='{third.pk}'] button:has-text('移出并案')").click()
    staff.page.locator("dialog.confirm-dialog").wait_for()
    third.refresh_from_db()
    assert third.merged_into_id == lead.pk  # nothing happens before the confirmation
    _confirm(staff, "移出后，本提案不再随", "确认移出并案")
    assert "已移出并案" in staff.page.inner_text("main")
    third.refresh_from_db()
    second.refresh_from_db()
    assert (third.merged_into_id, second.merged_into_id) == (None, lead.pk)
    check_page(staff, "03-one-taken-out")

    # --- …and merge it again, from the lead's page ------------------------------------------------------
    _home(staff)
    _queue_item(staff, "review", lead.title)
    assert staff.page.locator("#merge-group [data-merge-member]").count() == 2
    _merge_page(staff, lead)
    assert _offer(staff, second).count() == 0  # in the group already: not offered again
    _offer(staff, third).check()
    _click(staff, "main form button[type=submit]:has-text('并案')")
    third.refresh_from_db()
    assert third.merged_into_id == lead.pk
    assert staff.page.locator("#merge-group [data-merge-member]").count() == 3

    # --- Register and assign the lead: the group follows it ----------------------------------------------
    staff.page.click("#proposal-actions button:has-text('立案')")
    _confirm(staff, "立案后将编号为 第 TA0002 号", "确认立案")
    for p in (lead, second, third):
        p.refresh_from_db()
    assert [(p.status, p.number) for p in (lead, second, third)] == [
        (ProposalStatus.REGISTERED, "TA0002"),
        (ProposalStatus.REGISTERED, "TA0003"),
        (ProposalStatus.REGISTERED, "TA0004"),
    ]
    staff.follow("#proposal-actions a:has-text('交办')", f"**/proposals/{lead.pk}/assign/")
    staff.page.check("input[name=mode][value=lead]")
    staff.page.select_option("select[name=lead_agency]", label=world.agency_a.name)
    staff.page.click("main button[type=submit]:has-text('交办')")
    _confirm(staff, f"交办后，{world.agency_a.name}", "确认交办")
    assignment = Assignment.objects.get(proposal=lead)
    assert not Assignment.objects.filter(proposal__in=[second, third]).exists()
    # Assigned: the group can no longer be undone.
    assert staff.page.locator("#merge button:has-text('移出并案')").count() == 0
    assert staff.page.locator("#merge button:has-text('撤销并案')").count() == 0
    check_page(staff, "04-group-assigned")

    # --- Handler: one reply for the group, addressed to every proposer; the leader issues it ------------
    handler = actor("m2-handler_a")
    handler.login("handler_a", PASSWORD)
    _queue_item(handler, "accept", "TA0002")
    handler.page.click(f"#assignment-{assignment.pk} button:has-text('签收')")
    _confirm(handler, "签收后不能再退回", "确认签收")
    handler.follow(f"#assignment-{assignment.pk} a:has-text('答复')", f"**/replies/assignment/{assignment.pk}/")
    assert handler.page.locator("input[name=title]").input_value() == GROUP_TITLE
    _fill_reply(handler, addressee=GROUP_ADDRESSEE, body=GROUP_REPLY_BODY)
    check_page(handler, "05-group-reply-draft")
    leader = actor("m3-leader_a")
    reply = _submit_and_issue(handler, leader, "TA0002", assignment)
    assert (reply.title, reply.addressee) == (GROUP_TITLE, GROUP_ADDRESSEE)
    flat = _squeeze(_pdf_text(_download(leader, "main a:has-text('下载正式文件（PDF）')", "reply.pdf")))
    assert _squeeze(GROUP_TITLE) in flat and GROUP_ADDRESSEE in flat
    assert _squeeze(GROUP_REPLY_BODY.splitlines()[1]) in flat
    for p in (lead, second, third):
        p.refresh_from_db()
        assert p.status == ProposalStatus.REPLIED

    # --- Each proposer reads the one reply and rates it ----------------------------------------------------
    for name, proposal in (("张三", lead), ("王五", second), ("赵六", third)):
        member = actor(f"m4-{USERNAMES[name]}")
        member.login(USERNAMES[name], PASSWORD)
        # The lead's rating is in every proposer's 待测评 queue, a merged proposal's proposers too.
        assert "TA0002" in _queue_text(member, "rate")
        if name != "张三":
            # A merged proposal's proposer reads the group's one reply from their own proposal.
            _queue_item(member, "mine", proposal.title)
            assert "本提案已并入" in member.page.inner_text("#merge-note")
            _click(member, f"#merge-group [data-merge-member='{lead.pk}'] a")
            _click(member, f"#assignment-{assignment.pk} a:has-text('查看答复')")
            main = member.page.inner_text("main")
            assert GROUP_ADDRESSEE in main and "已签发" in main
            if name == "王五":
                check_page(member, "06-merged-proposer-reads-reply")
        _rate(member, "TA0002", assignment)
        member.close()
    ratings = Rating.objects.filter(assignment=assignment)
    assert sorted(ratings.values_list("member__name", flat=True)) == sorted(["张三", "王五", "赵六"])

    # --- Statistics: the merge figures, against counts made by hand from the rows ------------------------
    rows = list(Proposal.objects.filter(meeting=world.meeting).values_list("status", "merged_into_id"))
    registered_states = {
        ProposalStatus.REGISTERED,
        ProposalStatus.ASSIGNED,
        ProposalStatus.REPLIED,
        ProposalStatus.CLOSED,
    }
    registered = sum(status in registered_states for status, _lead in rows)
    merged = [status for status, lead_id in rows if lead_id is not None]
    groups = len({lead_id for _status, lead_id in rows if lead_id is not None})
    replied = sum(status in (ProposalStatus.REPLIED, ProposalStatus.CLOSED) for status, _lead in rows)
    # The world's TA0001 and the group's three: four registered, two merged into one group.
    assert (registered, len(merged), groups, replied) == (4, 2, 1, 3)
    _home(staff)
    _nav(staff, "工作台/统计")
    _click(staff, "main .nav-tabs a:has-text('统计')")
    figure = staff.page.locator
    assert figure("[data-figure=merge_groups]").inner_text() == str(groups)
    assert figure("[data-figure=merged_proposals]").inner_text() == str(len(merged))
    handling = registered - sum(status in registered_states for status in merged)
    assert figure("[data-figure=handling_units]").inner_text() == str(handling) == "2"
    reply_row = staff.page.locator("tr", has=staff.page.locator("[data-figure=reply_rate]"))
    numerator, denominator, rate = (c.inner_text() for c in reply_row.locator("td").all())
    assert (int(numerator), int(denominator)) == (replied, registered)
    assert rate == f"{replied / registered * 100:.1f}%"
    # The three ratings of the group count once each (all 满意), none other in the meeting.
    rated = Rating.objects.filter(assignment__proposal__meeting=world.meeting)
    good = rated.filter(value__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]).count()
    satisfaction = staff.page.locator("tr", has=staff.page.locator("[data-figure=satisfaction_rate]"))
    assert (
        [c.inner_text() for c in satisfaction.locator("td").all()[:2]] == [str(good), str(rated.count())] == ["3", "3"]
    )
    check_page(staff, "07-statistics")
