from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.choices import ProposalAction
from proposals.forms import LEAD_REQUIRED, SCOPE_REQUIRED
from proposals.models import (
    Assignment,
    AssignmentStatus,
    Attachment,
    ExtensionRequest,
    ExtensionStatus,
    Proposal,
    ProposalStatus,
    TimelineEvent,
)
from proposals.services import AssignmentSpec
from proposals.uploads import UPLOAD_TYPE_MISMATCH
from proposals.validators import PHONE_INVALID
from tests.confirm import CONFIRMED, assert_confirmation, confirmed_repost
from tests.factories import fake_pdf_upload, last_event, make_assignment, make_proposal, pdf_upload

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def counts():
    return (
        Proposal.objects.count(),
        Assignment.objects.count(),
        TimelineEvent.objects.count(),
        Attachment.objects.count(),
        ExtensionRequest.objects.count(),
    )


# --- Filing ----------------------------------------------------------------------------------
def staff_form(world, **extra):
    data = {
        "meeting": world.meeting.pk,
        "title": "关于完善公交线网的建议",
        "proposer_kind": "joint",
        "first_proposer": world.proposer.pk,
        "cosigners": [world.cosigner.pk],
        "main_content": "主要内容",
        "suggestions": "一、……",
    }
    data.update(extra)
    return data


def test_staff_files_a_proposal_in_the_browser(world, login):
    client = login(world.staff)
    assert client.get(reverse("proposals:create")).status_code == 200
    response = client.post(reverse("proposals:create"), staff_form(world, attachments=[pdf_upload()]))
    p = Proposal.objects.get(title="关于完善公交线网的建议")
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[p.pk])
    assert p.status == ProposalStatus.SUBMITTED and p.created_by == world.staff
    assert list(p.cosigners.all()) == [world.cosigner] and p.attachments.count() == 1
    assert last_event(p).action == ProposalAction.FILE


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"number": "TA0001"}, "number", services.DUPLICATE_NUMBER),
        (
            {"proposer_kind": "body", "body_name": "民盟", "body_contact": "赵", "body_contact_phone": "110"},
            "body_contact_phone",
            "手机号应为 11 位数字，这里有 3 位。" + str(PHONE_INVALID),
        ),
        ({"cosigners": []}, "cosigners", services.COSIGNERS_REQUIRED),
        ({"number": "TA-01<"}, "number", services.NUMBER_INVALID),
    ],
)
def test_bad_filing_input_shows_error_and_writes_nothing(world, login, extra, field, message):
    before = counts()
    response = login(world.staff).post(reverse("proposals:create"), staff_form(world, **extra))
    assert response.status_code == 200
    assert str(message) in response.context["form"].errors[field]
    assert counts() == before


def test_fake_attachment_is_refused_at_filing(world, login):
    before = counts()
    response = login(world.staff).post(reverse("proposals:create"), staff_form(world, attachments=[fake_pdf_upload()]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "evil.pdf" in errors and str(UPLOAD_TYPE_MISMATCH).split("（")[0] in errors
    assert counts() == before


def test_member_drafts_edits_and_submits_online(world, login):
    client = login(world.member_user)
    response = client.post(
        reverse("proposals:create"),
        {"meeting": world.meeting.pk, "title": "委员的提案", "proposer_kind": "individual", "main_content": "x"},
    )
    p = Proposal.objects.get(title="委员的提案")
    assert response.status_code == 302 and p.status == ProposalStatus.DRAFT and p.first_proposer == world.proposer
    # Nobody else sees a draft, not even staff.
    for other in (world.staff, world.cosigner_user, world.handler_a):
        assert login(other).get(reverse("proposals:detail", args=[p.pk])).status_code == 404
    client = login(world.member_user)
    assert client.get(reverse("proposals:edit", args=[p.pk])).status_code == 200
    client.post(
        reverse("proposals:edit", args=[p.pk]),
        {
            "title": "委员的提案（修改）",
            "proposer_kind": "joint",
            "cosigners": [world.cosigner.pk],
            "main_content": "y",
        },
    )
    p.refresh_from_db()
    assert p.title == "委员的提案（修改）" and list(p.cosigners.all()) == [world.cosigner]
    assert client.get(reverse("proposals:submit", args=[p.pk])).status_code == 405
    response = client.post(reverse("proposals:submit", args=[p.pk]), follow=True)
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED and last_event(p).to_state == "submitted"
    assert "提案已提交" in " ".join(messages_of(response))
    assert login(world.staff).get(reverse("proposals:detail", args=[p.pk])).status_code == 200
    # Once submitted the draft form is gone.
    assert login(world.member_user).get(reverse("proposals:edit", args=[p.pk])).status_code == 403


def test_handler_cannot_open_the_filing_form(world, login):
    assert login(world.handler_a).get(reverse("proposals:create")).status_code == 403


def test_member_cannot_cosign_their_own_proposal(world, login):
    form = {
        "meeting": world.meeting.pk,
        "title": "t",
        "proposer_kind": "joint",
        "main_content": "x",
        "cosigners": [world.proposer.pk],
    }
    before = counts()
    response = login(world.member_user).post(reverse("proposals:create"), form)
    assert response.status_code == 200 and counts() == before
    assert str(services.FIRST_PROPOSER_IN_COSIGNERS) in response.context["form"].errors["cosigners"]


# --- Review ----------------------------------------------------------------------------------
def test_staff_registers_from_the_detail_page(world, login, submitted):
    client = login(world.staff)
    assert "立案" in client.get(reverse("proposals:detail", args=[submitted.pk])).content.decode()
    url = reverse("proposals:register", args=[submitted.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, CONFIRMED, follow=True)
    submitted.refresh_from_db()
    assert submitted.number == "TA0002" and submitted.status == ProposalStatus.REGISTERED
    assert "已立案，编号 TA0002。" in messages_of(response)
    event = last_event(submitted)
    assert (event.action, event.actor) == (ProposalAction.REGISTER, world.staff)
    # The second click (a stale page) is told and changes nothing.
    response = client.post(url, CONFIRMED, follow=True)
    assert str(services.ALREADY_REGISTERED) in messages_of(response)
    world.meeting.refresh_from_db()
    assert world.meeting.last_sequence == 2


def test_register_without_confirm_shows_the_number_it_will_take_and_changes_nothing(world, login, submitted):
    client = login(world.staff)
    url = reverse("proposals:register", args=[submitted.pk])
    before = counts()
    response = client.post(url)
    assert response.status_code == 200 and counts() == before
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED and not submitted.number
    world.meeting.refresh_from_db()
    assert world.meeting.last_sequence == 1
    assert_confirmation(response, url, "立案后将编号为 第 TA0002 号（按本次会议顺序自动编号），不能撤销。", "确认立案")
    assert response.context["cancel_url"] == reverse("proposals:detail", args=[submitted.pk])


def test_proposer_sees_no_register_button_and_cannot_register(world, login, submitted):
    client = login(world.member_user)
    body = client.get(reverse("proposals:detail", args=[submitted.pk])).content.decode()
    assert reverse("proposals:register", args=[submitted.pk]) not in body
    response = client.post(reverse("proposals:register", args=[submitted.pk]), follow=True)
    assert str(services.NOT_ALLOWED) in messages_of(response)
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED


@pytest.mark.parametrize("who", ["handler_b", "unrelated_member", "cosigner"])
def test_outsiders_get_404_on_review_actions(world, login, submitted, who):
    client = login(world.personas()[who])
    assert client.post(reverse("proposals:register", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("proposals:decline", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("proposals:set_key", args=[submitted.pk])).status_code == 404


def test_anonymous_post_goes_to_login(world, client, submitted):
    response = client.post(reverse("proposals:register", args=[submitted.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_decline_form(world, login, submitted, decline_reason):
    client = login(world.staff)
    url = reverse("proposals:decline", args=[submitted.pk])
    assert client.get(url).status_code == 405
    before = counts()
    response = client.post(url, {"note": "x", "confirm": "1"})
    assert response.status_code == 200
    assert response.context["detail"].decline_form.errors["reason"] == [str(services.DECLINE_REASON_REQUIRED)]
    assert counts() == before
    response = client.post(url, {"reason": decline_reason.pk, "convert_to_opinion": "on", "confirm": "1"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.NOT_REGISTERED and submitted.converted_to_opinion
    assert last_event(submitted).action == ProposalAction.DECLINE


def test_decline_form_starts_without_a_reason(world, login, submitted, decline_reason):
    body = login(world.staff).get(reverse("proposals:detail", args=[submitted.pk])).content.decode()
    select = re.search(r'<select name="reason".*?</select>', body, re.S)
    assert select is not None
    assert re.search(r'<option value="" selected>（请选择）</option>', select.group(0))
    assert "selected" not in select.group(0).replace('<option value="" selected>', "")


def test_decline_without_confirm_says_what_happens_and_changes_nothing(world, login, submitted, decline_reason):
    client = login(world.staff)
    url = reverse("proposals:decline", args=[submitted.pk])
    before = counts()
    response = client.post(url, {"reason": decline_reason.pk, "note": "请另行反映", "convert_to_opinion": "on"})
    assert response.status_code == 200 and counts() == before
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED
    consequence = f"不予立案后，提案人将看到理由“{decline_reason}”，不能撤销。本提案将转为意见建议，转有关部门参考。"
    assert_confirmation(response, url, consequence, "确认不予立案")
    # The confirm button posts the same choices again.
    assert ("reason", str(decline_reason.pk)) in response.context["fields"]
    assert ("note", "请另行反映") in response.context["fields"]
    response = client.post(url, confirmed_repost(response))
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.NOT_REGISTERED and submitted.decline_note == "请另行反映"


def test_key_flag_form(world, login):
    client = login(world.staff)
    url = reverse("proposals:set_key", args=[world.proposal.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"is_key": "on", "note": "列入主席会议督办"})
    world.proposal.refresh_from_db()
    assert world.proposal.is_key and world.proposal.key_note == "列入主席会议督办"
    assert (
        "列入主席会议督办"
        in login(world.handler_a).get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    )
    response = login(world.handler_a).post(url, {"is_key": ""}, follow=True)
    assert str(services.NOT_ALLOWED) in messages_of(response)
    world.proposal.refresh_from_db()
    assert world.proposal.is_key


# --- Assignment ------------------------------------------------------------------------------
@pytest.fixture
def registered(world, submitted):
    return services.proposal_register(proposal=submitted, actor=world.staff)


def test_assign_lead_and_cohandler_through_the_page(world, login, registered):
    client = login(world.staff)
    url = reverse("proposals:assign", args=[registered.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "mode": "lead",
            "lead_agency": world.agency_a.pk,
            "cohandlers": [world.agency_b.pk],
            "split-TOTAL_FORMS": "4",
            "split-INITIAL_FORMS": "0",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    roles = dict(Assignment.objects.filter(proposal=registered).values_list("agency__name", "role"))
    assert roles == {world.agency_a.name: "lead", world.agency_b.name: "co"}
    registered.refresh_from_db()
    assert registered.status == ProposalStatus.ASSIGNED and last_event(registered).action == ProposalAction.ASSIGN


def test_assign_split_through_the_page(world, login, registered):
    response = login(world.staff).post(
        reverse("proposals:assign", args=[registered.pk]),
        {
            "mode": "split",
            "split-TOTAL_FORMS": "4",
            "split-INITIAL_FORMS": "0",
            "split-0-agency": world.agency_a.pk,
            "split-0-scope": "第一条",
            "split-1-agency": world.agency_b.pk,
            "split-1-scope": "第二条",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert set(Assignment.objects.filter(proposal=registered).values_list("scope", flat=True)) == {"第一条", "第二条"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "lead"}, LEAD_REQUIRED),
        (
            {
                "mode": "split",
                "split-0-agency": "A",
                "split-0-scope": "一",
                "split-1-agency": "A",
                "split-1-scope": "二",
            },
            services.AGENCY_TWICE,
        ),
        ({"mode": "split", "split-0-agency": "A"}, SCOPE_REQUIRED),
        ({"mode": "lead", "lead_agency": "A", "due_date": "2000-01-01"}, services.DUE_BEFORE_ASSIGNMENT),
    ],
)
def test_bad_assignment_input_writes_nothing(world, login, registered, data, message):
    data = {k: (world.agency_a.pk if v == "A" else v) for k, v in data.items()}
    data.update({"split-TOTAL_FORMS": "4", "split-INITIAL_FORMS": "0", "confirm": "1"})
    before = counts()
    response = login(world.staff).post(reverse("proposals:assign", args=[registered.pk]), data)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert counts() == before


def test_assign_without_confirm_names_the_agencies_and_writes_nothing(world, login, registered):
    client = login(world.staff)
    url = reverse("proposals:assign", args=[registered.pk])
    data = {
        "mode": "lead",
        "lead_agency": world.agency_a.pk,
        "cohandlers": [world.agency_b.pk],
        "split-TOTAL_FORMS": "4",
        "split-INITIAL_FORMS": "0",
    }
    before = counts()
    response = client.post(url, data)
    assert response.status_code == 200 and counts() == before
    registered.refresh_from_db()
    assert registered.status == ProposalStatus.REGISTERED
    agencies = f"{world.agency_a.name}（主办）、{world.agency_b.name}（会办）"
    assert_confirmation(response, url, f"交办后，{agencies} 将收到交办通知并开始办理", "确认交办")
    assert ("cohandlers", str(world.agency_b.pk)) in response.context["fields"]
    response = client.post(url, confirmed_repost(response))
    assert response.status_code == 302
    assert Assignment.objects.filter(proposal=registered).count() == 2


def test_assign_page_is_for_staff_only(world, login, registered):
    assert login(world.member_user).get(reverse("proposals:assign", args=[registered.pk])).status_code == 403
    assert login(world.handler_a).get(reverse("proposals:assign", args=[registered.pk])).status_code == 404


@pytest.fixture
def pending(world, registered):
    [a] = services.proposal_assign(
        proposal=registered, actor=world.staff, specs=[AssignmentSpec(agency=world.agency_a, role="lead")]
    )
    return a


def test_handler_accepts(world, login, pending):
    client = login(world.handler_a)
    body = client.get(reverse("proposals:detail", args=[pending.proposal_id])).content.decode()
    assert reverse("proposals:assignment_accept", args=[pending.pk]) in body
    url = reverse("proposals:assignment_accept", args=[pending.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert_confirmation(response, url, "签收后不能再退回", "确认签收")
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING  # nothing happened before the confirmation
    client.post(url, {"confirm": "1"})
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.ACCEPTED
    event = last_event(pending.proposal)
    assert (event.action, event.actor, event.assignment) == (ProposalAction.ACCEPT, world.handler_a, pending)


def test_staff_sees_no_accept_button_and_is_refused(world, login, pending):
    client = login(world.staff)
    body = client.get(reverse("proposals:detail", args=[pending.proposal_id])).content.decode()
    assert reverse("proposals:assignment_accept", args=[pending.pk]) not in body
    response = client.post(reverse("proposals:assignment_accept", args=[pending.pk]), follow=True)
    assert str(services.NOT_ALLOWED) in messages_of(response)


@pytest.mark.parametrize("who", ["handler_b", "unrelated_member"])
def test_outsiders_get_404_on_assignment_actions(world, login, pending, who):
    client = login(world.personas()[who])
    for name in ("assignment_accept", "assignment_return", "assignment_extension", "assignment_reassign"):
        assert client.post(reverse(f"proposals:{name}", args=[pending.pk])).status_code == 404
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING


def test_return_needs_reason_then_goes_to_staff(world, login, pending):
    client = login(world.handler_a)
    url = reverse("proposals:assignment_return", args=[pending.pk])
    assert client.get(url).status_code == 405
    before = counts()
    response = client.post(url, {f"ret{pending.pk}-reason": ""})
    assert response.status_code == 200 and counts() == before
    response = client.post(url, {f"ret{pending.pk}-reason": "不属于我单位职责"})
    assert response.status_code == 200 and counts() == before
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING
    assert_confirmation(
        response, url, "退回后，该件交回提案委员会重新交办，本单位不能再查看和办理；退回不能撤销。", "确认退回"
    )
    response = client.post(url, {f"ret{pending.pk}-reason": "不属于我单位职责", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("proposals:inbox")
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.RETURNED and pending.return_reason == "不属于我单位职责"
    # The agency no longer sees the proposal; staff see it waiting to be re-assigned.
    assert client.get(reverse("proposals:detail", args=[pending.proposal_id])).status_code == 404
    staff = login(world.staff)
    assert [a.pk for a in staff.get(reverse("proposals:inbox")).context["page"]] == [pending.pk]
    reassign = reverse("proposals:assignment_reassign", args=[pending.pk])
    response = staff.post(reassign, {f"re{pending.pk}-agency": world.agency_b.pk})
    assert_confirmation(response, reassign, f"重新交办给 {world.agency_b.name} 后", "确认重新交办")
    response = staff.post(reassign, {f"re{pending.pk}-agency": world.agency_b.pk, "confirm": "1"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.replaced_by.agency == world.agency_b
    assert last_event(pending.proposal).action == ProposalAction.REASSIGN


def test_return_after_window_is_refused_with_message(world, login, pending):
    Assignment.objects.filter(pk=pending.pk).update(assigned_at=timezone.now() - dt.timedelta(days=30))
    client = login(world.handler_a)
    body = client.get(reverse("proposals:detail", args=[pending.proposal_id])).content.decode()
    assert reverse("proposals:assignment_return", args=[pending.pk]) not in body
    response = client.post(
        reverse("proposals:assignment_return", args=[pending.pk]), {f"ret{pending.pk}-reason": "晚了"}, follow=True
    )
    assert str(services.RETURN_WINDOW_PASSED % {"days": 7}) in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == AssignmentStatus.PENDING


def test_extension_request_and_staff_decisions(world, login):
    a = world.assignment
    client = login(world.handler_a)
    url = reverse("proposals:assignment_extension", args=[a.pk])
    assert client.get(url).status_code == 405
    before = counts()
    response = client.post(url, {f"ext{a.pk}-requested_due_date": "不是日期", f"ext{a.pk}-reason": "r"})
    assert response.status_code == 200 and counts() == before
    response = client.post(
        url, {f"ext{a.pk}-requested_due_date": a.due_date.isoformat(), f"ext{a.pk}-reason": "r"}, follow=True
    )
    assert str(services.EXTENSION_NOT_LATER) in messages_of(response) and counts() == before
    wanted = a.due_date + dt.timedelta(days=31)
    client.post(url, {f"ext{a.pk}-requested_due_date": wanted.isoformat(), f"ext{a.pk}-reason": "需调研"})
    ext = ExtensionRequest.objects.get(assignment=a)
    assert ext.status == ExtensionStatus.PENDING
    # The handler cannot decide; staff can, on the detail page.
    approve = reverse("proposals:extension_approve", args=[ext.pk])
    response = client.post(approve, {f"dec{ext.pk}-note": ""}, follow=True)
    assert str(services.NOT_ALLOWED) in messages_of(response)
    staff = login(world.staff)
    assert approve in staff.get(reverse("proposals:detail", args=[a.proposal_id])).content.decode()
    assert staff.get(approve).status_code == 405
    response = staff.post(approve, {f"dec{ext.pk}-note": "同意"})
    assert_confirmation(response, approve, f"办理时限改为 {wanted.year}年{wanted.month}月{wanted.day}日", "确认批准")
    staff.post(approve, {f"dec{ext.pk}-note": "同意", "confirm": "1"})
    a.refresh_from_db()
    ext.refresh_from_db()
    assert a.due_date == wanted and ext.status == ExtensionStatus.APPROVED
    assert last_event(a.proposal).action == ProposalAction.EXTENSION_APPROVE


def test_extension_refused_by_staff(world, login):
    a = world.assignment
    ext = services.assignment_request_extension(
        assignment=a, actor=world.handler_a, reason="r", requested_due_date=a.due_date + dt.timedelta(days=3)
    )
    refuse = reverse("proposals:extension_refuse", args=[ext.pk])
    response = login(world.staff).post(refuse, {f"dec{ext.pk}-note": "不必"})
    assert_confirmation(response, refuse, "不批准后，办理时限仍为", "确认不批准")
    response = login(world.staff).post(refuse, {f"dec{ext.pk}-note": "不必", "confirm": "1"})
    assert response.status_code == 302
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.REFUSED and last_event(a.proposal).action == ProposalAction.EXTENSION_REFUSE
    assert login(world.handler_b).post(reverse("proposals:extension_refuse", args=[ext.pk])).status_code == 404


# --- Attachments ---------------------------------------------------------------------------
def test_attachment_upload_and_download(world, login):
    client = login(world.staff)
    url = reverse("proposals:attachment_upload", args=[world.proposal.pk])
    assert client.get(url).status_code == 405
    before = counts()
    response = client.post(url, {"file": fake_pdf_upload()})
    assert response.status_code == 200 and response.context["detail"].attachment_form.errors["file"]
    assert counts() == before
    client.post(url, {"file": pdf_upload("调研报告.pdf")})
    att = Attachment.objects.get(proposal=world.proposal)
    download = reverse("proposals:attachment_download", args=[att.pk])
    for user in (world.staff, world.handler_a, world.cosigner_user):
        response = login(user).get(download)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''%E8%B0%83%E7%A0%94%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (world.handler_b, world.unrelated_user):
        assert login(user).get(download).status_code == 404
    response = login(world.member_user).post(url, {"file": pdf_upload()}, follow=True)
    assert str(services.NOT_ALLOWED) in messages_of(response)
    assert Attachment.objects.filter(proposal=world.proposal).count() == 1


def test_overdue_assignment_is_flagged_on_detail(world, login):
    late = make_proposal(meeting=world.meeting, created_by=world.staff, title="迟", status=ProposalStatus.ASSIGNED)
    make_assignment(
        proposal=late, agency=world.agency_a, assigned_by=world.staff, due=timezone.localdate() - dt.timedelta(1)
    )
    body = login(world.handler_a).get(reverse("proposals:detail", args=[late.pk])).content.decode()
    assert "已超期" in body


def test_the_pages_dialog_preview_never_acts(world, login, submitted):
    """static/js/app.js asks for the confirmation with X-Confirm-Preview: the answer is the
    confirmation (or 409 when there is none to give), never the action, even with confirm=1."""
    url = reverse("proposals:register", args=[submitted.pk])
    preview = {"HTTP_X_CONFIRM_PREVIEW": "1"}
    before = counts()
    response = login(world.staff).post(url, CONFIRMED, **preview)
    assert response.status_code == 200 and 'id="confirm-panel"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED and counts() == before
    # Someone who may not register gets no confirmation and no action either.
    response = login(world.handler_a).post(url, CONFIRMED, **preview)
    assert response.status_code in (404, 409)
    accept = reverse("proposals:assignment_accept", args=[world.assignment.pk])
    response = login(world.handler_b).post(accept, CONFIRMED, **preview)
    assert response.status_code == 404
    response = login(world.staff).post(accept, CONFIRMED, **preview)
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED and counts() == before
