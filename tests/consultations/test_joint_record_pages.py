"""The pages of a joint proposal's consultation record (issue 21 follow-ups from the browser test):
each co-signer's sign page names them as the one signing, the record form and the summary show
every proposer, the paper form's button says whether this signature locks the record, and the
schedule form is offered only while the current round has no record."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, ConsultationStatus
from proposals.models import Member, ProposalCosigner, Role, User
from tests.factories import PASSWORD, World, make_user, pdf_upload, record, schedule

pytestmark = pytest.mark.django_db

NAMES = ("张三", "李四", "赵六", "钱七", "孙八")


@dataclass
class Five:
    """The world's proposal with three more confirmed co-signers (as test_signers.py's ``five``)."""

    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]

    def member(self, name: str) -> Member:
        member = self.users[name].member
        assert member is not None
        return member


@pytest.fixture
def five(world: World) -> Five:
    users = {"张三": world.member_user, "李四": world.cosigner_user}
    for order, (name, username) in enumerate((("赵六", "zhaoliu"), ("钱七", "qianqi"), ("孙八", "sunba")), start=1):
        member = Member.objects.create(name=name, phone=f"1380000010{order}", work_unit=f"{name}的单位")
        ProposalCosigner.objects.create(proposal=world.proposal, member=member, order=order)
        users[name] = make_user(username, Role.MEMBER, member=member)
    return Five(users=users)


def sign_as(consultation: Consultation, user: User) -> Consultation:
    return services.consultation_sign_online(
        consultation=consultation, actor=user, password=PASSWORD, opinion="agree", opinion_text="同意"
    )


def submit_label(page: str) -> str:
    """The text of the page's form's submit button."""
    match = re.search(r'<button class="btn btn-primary" type="submit">([^<]*)</button>', page)
    assert match, "no submit button"
    return match.group(1).strip()


def proposers_cell(page: str) -> str:
    """The summary's 委员 cell of a joint record."""
    match = re.search(r"<dd[^>]*data-proposers>(.*?)</dd>", page, re.S)
    assert match, "no proposers cell"
    return match.group(1)


def in_order(page: str, names) -> bool:
    positions = [page.find(name) for name in names]
    return -1 not in positions and positions == sorted(positions)


# --- 1. The sign page names the co-signer who signs ------------------------------------------


def test_a_cosigners_sign_page_names_him_as_the_signer_and_marks_his_line(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:sign", args=[c.pk])
    page = login(five.user("李四")).get(url).content.decode()
    assert "<dd data-own-line>李四</dd>" in page
    assert "委员姓名" not in page  # the first proposer's field, which named 张三 as the signer
    assert re.search(r"<strong data-own>李四</strong>（您）：<span[^>]*>未签字</span>", page)
    assert "张三（您）" not in page and page.count("（您）") == 1

    sign_as(c, five.user("李四"))
    page = login(five.user("李四")).get(url).content.decode()
    assert "<strong data-own>李四</strong>（您）：已签字" in page
    assert re.search(rf'data-signer="{world.proposer.pk}">张三：<span[^>]*>未签字', page)


def test_the_first_proposer_is_marked_on_his_own_page_and_staff_on_none(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:sign", args=[c.pk])
    page = login(world.member_user).get(url).content.decode()
    assert "<dd data-own-line>张三</dd>" in page and "<strong data-own>张三</strong>（您）" in page
    staff_page = login(world.staff).get(url).content.decode()
    assert "data-own-line" not in staff_page and "（您）" not in staff_page
    assert all(name in staff_page for name in NAMES)


def test_the_locked_record_marks_the_viewers_line_in_its_summary(world, five, login):
    c = record(world, schedule(world))
    for name in NAMES:
        sign_as(c, five.user(name))
    c.refresh_from_db()
    assert c.is_locked
    page = login(five.user("钱七")).get(reverse("consultations:sign", args=[c.pk])).content.decode()
    assert "<strong>钱七</strong>（您）：" in page and "<dd data-own-line>钱七</dd>" in page


def test_a_one_member_records_sign_page_names_its_member_as_before(world, one_member, login):
    c = record(world, schedule(world))
    page = login(world.member_user).get(reverse("consultations:sign", args=[c.pk])).content.decode()
    assert "<dt>委员姓名</dt><dd>张三</dd>" in page and "data-own-line" not in page


# --- 2. Every proposer on the record form and in the summary --------------------------------


def test_the_record_form_lists_every_proposer_in_order_with_unit_and_phone(world, five, login):
    c = schedule(world)
    page = login(world.handler_a).get(reverse("consultations:record", args=[c.pk])).content.decode()
    block = re.search(r"<fieldset[^>]*data-other-proposers>(.*?)</fieldset>", page, re.S)
    assert block, "the other proposers are not on the form"
    assert in_order(block.group(1), NAMES[1:]) and "张三" not in block.group(1)
    for name in NAMES[1:]:
        member = five.member(name)
        assert f'data-proposer="{member.pk}">{name}，{member.work_unit}，{member.phone}</li>' in block.group(1)
    assert "第一提案人姓名" in page and 'value="张三"' in page and 'value="13800000001"' in page
    assert page.index('name="member_phone"') < page.index("data-other-proposers")


def test_a_cosigner_confirmed_after_scheduling_is_on_the_form_before_saving(world, five, login):
    c = schedule(world)
    late = Member.objects.create(name="周九", phone="13800000199", work_unit="周九的单位")
    ProposalCosigner.objects.create(proposal=world.proposal, member=late, order=9)
    page = login(world.handler_a).get(reverse("consultations:record", args=[c.pk])).content.decode()
    assert f'data-proposer="{late.pk}">周九，周九的单位，13800000199</li>' in page
    assert in_order(page, (*NAMES[1:], "周九"))


def test_the_record_form_saves_and_refuses_bad_input_with_every_proposer_shown(world, five, login):
    c = schedule(world)
    url = reverse("consultations:record", args=[c.pk])
    client = login(world.handler_a)
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["held_at"] = timezone.localtime(form.initial["held_at"]).strftime("%Y-%m-%dT%H:%M")
    data["reply_points"] = data["reply_points"] or "已列入计划。"  # no reply draft to prefill it from

    bad = client.post(url, {**data, "member_phone": "123"})
    assert bad.status_code == 400 and "data-other-proposers" in bad.content.decode()
    c.refresh_from_db()
    assert c.status == ConsultationStatus.SCHEDULED

    assert client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and c.member_name == "张三"
    assert [line.name for line in services.signer_lines(c)] == list(NAMES)


def test_the_summary_names_every_proposer_with_personal_data_only_for_whom_may_see_it(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:assignment", args=[world.assignment.pk])
    cell = proposers_cell(login(world.handler_a).get(url).content.decode())
    assert in_order(cell, NAMES)
    assert f'data-proposer="{world.proposer.pk}">张三，{c.work_unit}，{c.member_phone}</span>' in cell
    for name in NAMES[1:]:
        member = five.member(name)
        assert f'data-proposer="{member.pk}">{name}，{member.work_unit}，{member.phone}</span>' in cell

    # A co-signer sees the names, and his own unit and phone only.
    cell = proposers_cell(login(five.user("赵六")).get(url).content.decode())
    assert in_order(cell, NAMES)
    assert "赵六的单位" in cell and five.member("赵六").phone in cell
    for name in ("张三", "李四", "钱七", "孙八"):
        member = five.member(name)
        assert member.phone not in cell and member.work_unit not in cell


# --- 3. The paper form's button -------------------------------------------------------------


def test_the_paper_button_locks_only_with_the_last_signature(world, five, login):
    c = record(world, schedule(world))
    url = reverse("consultations:paper", args=[c.pk])
    client = login(world.handler_a)
    assert submit_label(client.get(url).content.decode()) == "录入纸质签字"
    for name in NAMES[:3]:
        sign_as(c, five.user(name))
    assert submit_label(client.get(url).content.decode()) == "录入纸质签字"
    sign_as(c, five.user("钱七"))
    assert submit_label(client.get(url).content.decode()) == "录入并锁定"

    response = client.post(url, {"member": five.member("孙八").pk, "opinion": "agree", "scan": pdf_upload()})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.is_locked


def test_the_paper_button_of_a_one_member_record_locks(world, one_member, login):
    c = record(world, schedule(world))
    page = login(world.handler_a).get(reverse("consultations:paper", args=[c.pk])).content.decode()
    assert submit_label(page) == "录入并锁定"


# --- 4. The schedule form only while the current round has no record -------------------------


def test_the_schedule_form_goes_once_the_round_has_a_record_and_comes_back_with_a_new_round(world, login):
    url = reverse("consultations:assignment", args=[world.assignment.pk])
    schedule_url = reverse("consultations:schedule", args=[world.assignment.pk])
    client = login(world.handler_a)
    page = client.get(url).content.decode()
    assert schedule_url in page and "安排第 1 轮面商" in page

    c = schedule(world)
    page = client.get(url).content.decode()
    assert schedule_url not in page and "安排第 1 轮面商" not in page
    assert reverse("consultations:record", args=[c.pk]) in page  # the round's record is worked on instead

    # 不满意 opens round 2: a consultation for it may be scheduled.
    from tests.factories import draft_reply, issue, sign

    reply = draft_reply(world)
    sign(world, record(world, c))
    issue(world, reply)
    services.rating_submit(
        assignment=world.assignment,
        actor=world.member_user,
        member_id=world.proposer.pk,
        value="unsatisfied",
        comment="没有解决",
    )
    world.assignment.refresh_from_db()
    assert world.assignment.round == 2
    page = client.get(url).content.decode()
    assert schedule_url in page and "安排第 2 轮面商" in page


def test_a_schedule_form_sent_with_errors_is_shown_with_them(world, login):
    schedule(world)
    response = login(world.handler_a).post(
        reverse("consultations:schedule", args=[world.assignment.pk]),
        {"held_at": "", "place": "甲", "method": "in_person", "host_name": "甲", "host_phone": "123"},
    )
    assert response.status_code == 400
    assert 'name="host_phone"' in response.content.decode()
    assert Consultation.objects.filter(assignment=world.assignment).count() == 1


def test_my_signed_records_show_each_proposers_own_date_and_opinion(world, five, login):
    """待我签字的面商记录's 已签字 list: a co-signer's own line (her opinion, her date), listed as soon
    as she has signed, before the others have; one who has not signed does not see it there."""
    c = record(world, schedule(world))
    sign_as(c, five.user("张三"))
    services.consultation_sign_online(
        consultation=c, actor=five.user("钱七"), password=PASSWORD, opinion="mostly", opinion_text="基本同意"
    )
    page = login(five.user("钱七")).get(reverse("consultations:mine")).content.decode()
    signed_part = page.split("已签字", 1)[1]
    assert world.proposal.title in signed_part and "基本同意" in signed_part
    assert "同意" not in signed_part.replace("基本同意", "")  # not 张三's opinion
    first_page = login(five.user("张三")).get(reverse("consultations:mine")).content.decode()
    assert "基本同意" not in first_page.split("已签字", 1)[1]
    other = login(five.user("孙八")).get(reverse("consultations:mine")).content.decode()
    assert "已签字</h2>" not in other
