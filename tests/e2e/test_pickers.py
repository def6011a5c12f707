"""The pickers in the browser (issue 20): with 700 members, a co-signer is found by typing two
characters and namesakes are told apart; the assignment form shows the chosen mode's fields only,
and without JavaScript both modes' fields and plain selects."""

from __future__ import annotations

import pytest

from proposals import services
from proposals.models import Assignment, AssignmentRole, Member, Proposal
from tests.e2e.checks import assert_no_axe_violations, check_page
from tests.factories import PASSWORD, make_proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SURNAMES = "王李刘陈杨黄赵吴周徐孙马胡郭林何高罗郑梁"
GIVEN = "建国明华丽军平芳伟强磊静敏燕艳娟霞杰涛超"
SECTORS = ["经济界", "教育界", "科技界", "医药卫生界", "文化艺术界"]


@pytest.fixture
def crowd(world):
    """700 members in the world's committee, among them two 张伟 of different 界别 and work units."""
    committee_id = world.proposer.committee_id
    # Every surname, so that typing ``zw`` also matches 周伟…, 赵伟… and 郑伟…
    rows = [
        Member(
            committee_id=committee_id,
            name=SURNAMES[i % 20] + GIVEN[i // 20 % 20] + GIVEN[i // 400],
            sector=SECTORS[i % len(SECTORS)],
            work_unit=f"第{i}单位",
        )
        for i in range(695)
    ]
    Member.objects.bulk_create(rows)
    economy = Member.objects.create(name="张伟", sector="经济界", work_unit="晋城市第一中学")
    education = Member.objects.create(name="张伟", sector="教育界", work_unit="晋城市人民医院")
    assert Member.objects.filter(committee_id=committee_id, is_active=True).count() >= 700
    return economy, education


def pick(page, field: str, typed: str, option_text: str) -> None:
    """Type into the picker of ``field`` and choose the option showing ``option_text``."""
    box = page.locator(f"#id_{field}-ts-control")
    box.click()
    box.press_sequentially(typed, delay=60)
    option = page.locator(f"#id_{field}-ts-dropdown .option", has_text=option_text)
    option.first.wait_for()
    assert page.locator(f"#id_{field}-ts-dropdown .option").count() <= 20
    option.first.click()


def test_member_picks_a_cosigner_by_typing_two_characters(actor, world, crowd):
    _, education = crowd
    member = actor("member-picker")
    member.login(world.member_user.username, PASSWORD)
    member.goto("/proposals/new/")
    # The enhanced box replaces the 700-row list, which stays in the page for the form but out of sight.
    assert member.page.locator(".ts-wrapper").count() == 1
    assert member.page.locator("select[name=cosigners]").evaluate("el => el.getBoundingClientRect().width") <= 1
    member.page.fill("input[name=title]", "关于校园周边交通的建议")
    member.page.select_option("select[name=proposer_kind]", "joint")
    pick(member.page, "cosigners", "张伟", "教育界")
    # Both namesakes were offered, told apart by 界别; a member is not shown work units.
    dropdown = member.page.locator("#id_cosigners-ts-dropdown").inner_text()
    assert "经济界" in dropdown and "人民医院" not in dropdown
    assert "张伟（教育界）" in member.page.locator(".ts-wrapper .item").inner_text()
    member.page.fill("textarea[name=main_content]", "主要内容")
    check_page(member, "filing-picker")
    assert_no_axe_violations(member, "filing form with the picker")
    member.page.click("main button:has-text('保存')")
    member.page.wait_for_load_state()
    proposal = Proposal.objects.get(title="关于校园周边交通的建议")
    assert list(proposal.cosigners.all()) == [education]


def test_staff_pick_the_first_proposer_by_pinyin_initials(actor, world, crowd):
    staff = actor("staff-picker")
    staff.login(world.staff.username, PASSWORD)
    staff.goto("/proposals/new/")
    staff.page.fill("input[name=title]", "关于公交线网的建议")
    pick(staff.page, "first_proposer", "zw", "晋城市第一中学")
    staff.page.fill("textarea[name=main_content]", "主要内容")
    staff.page.click("main button:has-text('保存')")
    staff.page.wait_for_load_state()
    assert Proposal.objects.get(title="关于公交线网的建议").first_proposer == crowd[0]


@pytest.fixture
def registered(world):
    submitted = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer)
    return services.proposal_register(proposal=submitted, actor=world.staff)


def test_assign_form_shows_the_chosen_modes_fields(actor, world, registered):
    staff = actor("staff-assign")
    staff.login(world.staff.username, PASSWORD)
    staff.goto(f"/proposals/{registered.pk}/assign/")
    lead, split = staff.page.locator("#assign-lead"), staff.page.locator("#assign-split")
    assert lead.is_visible() and not split.is_visible()
    staff.page.check("input[name=mode][value=split]")
    assert split.is_visible() and not lead.is_visible()
    pick(staff.page, "split-0-agency", "商务", "乙市商务局")
    staff.page.fill("input[name='split-0-scope']", "第二条")
    check_page(staff, "assign-split")
    assert_no_axe_violations(staff, "assign form, split")
    staff.page.check("input[name=mode][value=lead]")
    assert lead.is_visible() and not split.is_visible()
    staff.page.check("input[name=mode][value=split]")
    staff.page.click("main button[type=submit]:has-text('交办')")
    staff.page.wait_for_load_state()
    staff.page.click("#confirm-panel button:has-text('确认交办')")
    staff.page.wait_for_load_state()
    assert list(Assignment.objects.filter(proposal=registered).values_list("agency", "role", "scope")) == [
        (world.agency_b.pk, AssignmentRole.SPLIT, "第二条")
    ]


def test_without_javascript_both_modes_and_plain_selects_show(browser, live_server, world, registered):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", world.staff.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/accounts/login/" not in page.url
        page.goto(f"{live_server.url}/proposals/{registered.pk}/assign/")
        assert page.locator("#assign-lead").is_visible() and page.locator("#assign-split").is_visible()
        assert page.locator(".ts-wrapper").count() == 0
        assert page.locator("select[name=lead_agency]").is_visible()
        page.goto(live_server.url + "/proposals/new/")
        assert page.locator("select[name=cosigners]").is_visible()
        assert page.locator("select[name=first_proposer] option", has_text="李四（乙单位）").count() == 1
    finally:
        context.close()
