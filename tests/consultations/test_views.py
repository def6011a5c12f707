from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consultations import services
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationSigner, ConsultationStatus, Rating
from documents.formats import document_date
from proposals.deadlines import add_months
from proposals.models import AssignmentStatus, ProposalStatus, TimelineEvent
from tests.confirm import assert_confirmation
from tests.factories import PASSWORD, draft_reply, pdf_upload, record, schedule, sign, signature_data_url

pytestmark = pytest.mark.django_db

SCHEDULE_POST = {
    "held_at": "",
    "place": "市政协办公楼",
    "method": "in_person",
    "host_name": "甲面商人",
    "host_phone": "13900000001",
}


def schedule_data(**overrides):
    from django.utils import timezone

    data = {**SCHEDULE_POST, "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return data


# --- The assignment page -----------------------------------------------------------------------


def test_handler_sees_schedule_form_and_rounds(world, login):
    c = record(world, schedule(world))
    response = login(world.handler_a).get(reverse("consultations:assignment", args=[world.assignment.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    # The round has its record: no form to schedule another (it returns after an unsatisfied rating).
    assert reverse("consultations:schedule", args=[world.assignment.pk]) not in body
    assert reverse("consultations:record", args=[c.pk]) in body
    assert reverse("consultations:paper", args=[c.pk]) in body
    assert "第 1 轮" in body


@pytest.mark.parametrize("who", ["handler_b", "unrelated_user"])
def test_outsiders_get_404_on_the_assignment_page(world, login, who):
    response = login(getattr(world, who)).get(reverse("consultations:assignment", args=[world.assignment.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("consultations:assignment", args=[world.assignment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_sees_own_record_with_sign_button_but_no_schedule_form(world, login):
    c = record(world, schedule(world))
    body = (
        login(world.member_user).get(reverse("consultations:assignment", args=[world.assignment.pk])).content.decode()
    )
    assert reverse("consultations:sign", args=[c.pk]) in body
    assert reverse("consultations:schedule", args=[world.assignment.pk]) not in body
    assert reverse("consultations:record", args=[c.pk]) not in body


def test_cosigner_signs_the_joint_record_but_sees_not_the_first_proposers_phone(world, login):
    c = record(world, schedule(world))
    client = login(world.cosigner_user)
    page = client.get(reverse("consultations:assignment", args=[world.assignment.pk])).content.decode()
    assert reverse("consultations:sign", args=[c.pk]) in page
    assert world.proposer.phone not in page and world.proposer.work_unit not in page
    assert client.get(reverse("consultations:sign", args=[c.pk])).status_code == 200
    assert client.get(reverse("consultations:pdf", args=[c.pk])).status_code == 200


def test_cosigner_does_not_see_a_record_made_before_joint_signing(world, login):
    c = record(world, schedule(world))
    ConsultationSigner.objects.filter(consultation=c).delete()  # a record of the first proposer alone
    client = login(world.cosigner_user)
    page = client.get(reverse("consultations:assignment", args=[world.assignment.pk]))
    assert page.status_code == 200
    assert reverse("consultations:sign", args=[c.pk]) not in page.content.decode()
    assert client.get(reverse("consultations:sign", args=[c.pk])).status_code == 404
    assert client.get(reverse("consultations:pdf", args=[c.pk])).status_code == 404


# --- Schedule --------------------------------------------------------------------------------


def test_schedule_post_creates_the_record(world, login):
    url = reverse("consultations:schedule", args=[world.assignment.pk])
    response = login(world.handler_a).post(url, schedule_data())
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert (c.status, c.place, c.member) == (ConsultationStatus.SCHEDULED, "市政协办公楼", world.proposer)
    assert TimelineEvent.objects.filter(action=ConsultationAction.SCHEDULE, actor=world.handler_a).exists()


def test_schedule_is_post_only(world, login):
    url = reverse("consultations:schedule", args=[world.assignment.pk])
    assert login(world.handler_a).get(url).status_code == 405


def test_schedule_with_bad_phone_shows_error_and_writes_nothing(world, login):
    url = reverse("consultations:schedule", args=[world.assignment.pk])
    response = login(world.handler_a).post(url, schedule_data(host_phone="123"))
    assert response.status_code == 400
    assert "请输入有效的电话号码" in response.content.decode()
    assert not Consultation.objects.exists()


def test_schedule_before_assignment_date_shows_error(world, login):
    import datetime as dt

    from django.utils import timezone

    url = reverse("consultations:schedule", args=[world.assignment.pk])
    earlier = (timezone.localtime() - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = login(world.handler_a).post(url, schedule_data(held_at=earlier))
    assert response.status_code == 400
    assert "面商时间不能早于交办日期" in response.content.decode()
    assert not Consultation.objects.exists()


def test_handler_of_other_agency_gets_404_on_schedule(world, login):
    url = reverse("consultations:schedule", args=[world.assignment.pk])
    assert login(world.handler_b).post(url, schedule_data()).status_code == 404
    assert not Consultation.objects.exists()


def test_staff_cannot_schedule(world, login):
    url = reverse("consultations:schedule", args=[world.assignment.pk])
    response = login(world.staff).post(url, schedule_data())
    assert response.status_code == 403
    assert not Consultation.objects.exists()


# --- Record ----------------------------------------------------------------------------------


def test_record_form_is_prefilled_and_saves(world, login):
    draft_reply(world, body="要点一")
    c = schedule(world)
    client = login(world.handler_a)
    url = reverse("consultations:record", args=[c.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["member_name"] == "张三" and form.initial["reply_points"] == "要点一"
    data = {k: v for k, v in form.initial.items()}
    data["held_at"] = c.held_at.astimezone().strftime("%Y-%m-%dT%H:%M")
    data["reply_points"] = "要点一（面商后修改）"
    response = client.post(url, data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.reply_points, c.handling_class) == (ConsultationStatus.HELD, "要点一（面商后修改）", "A")


@pytest.mark.parametrize("loaded_at", [None, "", "   ", "not-a-date", "2024-02-30T10:00", "长" * 1000])
def test_record_save_without_a_readable_loaded_version_is_a_conflict(world, login, loaded_at):
    """Issue 18, finding 15: a missing or unparseable loaded_at was taken as 'no check' and saved."""
    draft_reply(world, body="要点一")
    c = schedule(world)
    client = login(world.handler_a)
    url = reverse("consultations:record", args=[c.pk])
    data = dict(client.get(url).context["form"].initial)
    data["held_at"] = c.held_at.astimezone().strftime("%Y-%m-%dT%H:%M")
    data["reply_points"] = "未载入版本的修改"
    if loaded_at is None:
        del data["loaded_at"]
    else:
        data["loaded_at"] = loaded_at
    before = Consultation.objects.filter(pk=c.pk).values().get()
    response = client.post(url, data)
    assert response.status_code == 409
    assert str(services.RECORD_CONFLICT) in response.content.decode()
    assert Consultation.objects.filter(pk=c.pk).values().get() == before
    assert not TimelineEvent.objects.filter(action=ConsultationAction.RECORD).exists()


def test_record_save_from_a_stale_page_is_a_conflict(world, login):
    c = record(world, schedule(world))
    client = login(world.handler_a)
    url = reverse("consultations:record", args=[c.pk])
    data = dict(client.get(url).context["form"].initial)
    data["held_at"] = c.held_at.astimezone().strftime("%Y-%m-%dT%H:%M")
    record(world, Consultation.objects.get(pk=c.pk), reply_points="别人先保存的")
    data["reply_points"] = "旧页面上的修改"
    response = client.post(url, data)
    assert response.status_code == 409
    assert str(services.RECORD_CONFLICT) in response.content.decode()
    assert Consultation.objects.get(pk=c.pk).reply_points == "别人先保存的"


def test_editing_a_signed_record_is_refused(world, login):
    c = sign(world, record(world, schedule(world)))
    client = login(world.handler_a)
    url = reverse("consultations:record", args=[c.pk])
    response = client.post(url, {"reply_points": "改"}, follow=True)
    assert str(services.RECORD_LOCKED) in response.content.decode()
    c.refresh_from_db()
    assert c.reply_points != "改" and services.record_hash_matches(c)


# --- Online sign-off -------------------------------------------------------------------------


@pytest.mark.usefixtures("one_member")
def test_member_signs_on_the_sign_page(world, login):
    c = record(world, schedule(world))
    client = login(world.member_user)
    url = reverse("consultations:sign", args=[c.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="viewport"' in body and "data-signature-pad" in body and "js/signature.js" in body
    assert "<script>" not in body  # no inline scripts: the CSP forbids them
    response = client.post(
        url,
        {"opinion": "agree", "opinion_text": "", "password": PASSWORD, "signature": signature_data_url()},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.signed_by, c.signed_ip) == (ConsultationStatus.SIGNED, world.member_user, "10.1.2.3")
    assert c.signature
    signature = client.get(reverse("consultations:signature", args=[c.pk]))
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"


def test_wrong_password_on_the_sign_page_shows_error_and_writes_nothing(world, login):
    c = record(world, schedule(world))
    url = reverse("consultations:sign", args=[c.pk])
    response = login(world.member_user).post(url, {"opinion": "agree", "password": "nope-nope"})
    assert response.status_code == 400
    assert str(services.WRONG_PASSWORD) in response.content.decode()
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and c.signed_at is None


def test_other_member_gets_404_on_the_sign_page(world, login):
    c = record(world, schedule(world))
    client = login(world.unrelated_user)
    url = reverse("consultations:sign", args=[c.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"opinion": "agree", "password": PASSWORD}).status_code == 404


def test_staff_cannot_sign_for_the_member(world, login):
    c = record(world, schedule(world))
    url = reverse("consultations:sign", args=[c.pk])
    client = login(world.staff)
    page = client.get(url)
    assert page.status_code == 200 and "data-signature-pad" not in page.content.decode()
    response = client.post(url, {"opinion": "agree", "password": PASSWORD})
    assert response.status_code == 403
    assert str(services.SIGN_ONLY_MEMBER) in response.content.decode()
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD


def test_awaiting_signature_list(world, login):
    scheduled = schedule(world)  # only scheduled: not yet to sign
    assert list(login(world.member_user).get(reverse("consultations:mine")).context["page"]) == []
    c = record(world, scheduled)
    response = login(world.member_user).get(reverse("consultations:mine"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [c]
    assert login(world.unrelated_user).get(reverse("consultations:mine")).context["page"].object_list.count() == 0


# --- Paper sign-off and downloads ------------------------------------------------------------


@pytest.mark.usefixtures("one_member")
def test_handler_uploads_paper_sign_off_and_scan_downloads_through_the_view(world, login):
    c = record(world, schedule(world))
    client = login(world.handler_a)
    url = reverse("consultations:paper", args=[c.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"opinion": "agree", "opinion_text": "", "scan": pdf_upload()})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.sign_method, c.entered_by) == (ConsultationStatus.SIGNED, "paper", world.handler_a)
    scan = client.get(reverse("consultations:scan", args=[c.pk]))
    assert scan.status_code == 200 and "attachment" in scan["Content-Disposition"]
    assert b"".join(scan.streaming_content).startswith(b"%PDF-")
    assert login(world.handler_b).get(reverse("consultations:scan", args=[c.pk])).status_code == 404


@pytest.mark.usefixtures("one_member")
def test_fake_scan_upload_shows_error(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = record(world, schedule(world))
    fake = SimpleUploadedFile("scan.png", b"GIF89a not a png", content_type="image/png")
    response = login(world.handler_a).post(
        reverse("consultations:paper", args=[c.pk]), {"opinion": "agree", "scan": fake}
    )
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.content.decode()
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD


def test_record_pdf_download_is_an_attachment_and_audited(world, login):
    c = sign(world, record(world, schedule(world)))
    response = login(world.handler_a).get(reverse("consultations:pdf", args=[c.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    with c.pdf.open("rb") as fh:
        assert response.content == fh.read()
    assert AuditEvent.objects.filter(event="download", object_pk=str(c.pk), user_id=world.handler_a.pk).exists()
    assert login(world.handler_b).get(reverse("consultations:pdf", args=[c.pk])).status_code == 404


# --- Rating and closing ----------------------------------------------------------------------


def test_member_rates_through_the_page(world, login, replied):
    client = login(world.member_user)
    url = reverse("consultations:rate", args=[world.assignment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"value": "basic", "comment": "基本解决"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.member, rating.value, rating.comment) == (world.proposer, "basic", "基本解决")


def test_rating_page_before_issue_says_why(world, login):
    draft_reply(world)
    client = login(world.member_user)
    url = reverse("consultations:rate", args=[world.assignment.pk])
    response = client.get(url, follow=True)
    assert str(services.RATING_BEFORE_ISSUE) in response.content.decode()
    response = client.post(url, {"value": "satisfied"})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_staff_rating_on_behalf_needs_a_scan(world, login, replied):
    client = login(world.staff)
    url = reverse("consultations:rate", args=[world.assignment.pk])
    response = client.post(url, {"value": "satisfied", "member": world.proposer.pk})
    assert response.status_code == 400
    assert not Rating.objects.exists()
    response = client.post(url, {"value": "satisfied", "member": world.proposer.pk, "paper_form": pdf_upload()})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.on_behalf and rating.entered_by == world.staff
    form = client.get(reverse("consultations:rating_form", args=[rating.pk]))
    assert form.status_code == 200


def test_rating_short_of_satisfied_without_a_reason_is_a_form_error(world, login, replied):
    client = login(world.member_user)
    url = reverse("consultations:rate", args=[world.assignment.pk])
    for value in ("basic", "unsatisfied"):
        response = client.post(url, {"value": value, "comment": " ", "confirm": "1"})
        assert response.status_code == 400
        assert response.context["form"].errors["comment"] == [str(services.RATING_REASON_REQUIRED)]
    assert not Rating.objects.exists()
    assert "选择“基本满意”或“不满意”时必填，承办单位可以看到。" in client.get(url).content.decode()


def test_unsatisfied_without_confirm_says_re_handling_starts_and_changes_nothing(world, login, replied):
    client = login(world.member_user)
    url = reverse("consultations:rate", args=[world.assignment.pk])
    response = client.post(url, {"value": "unsatisfied", "comment": "没有解决"})
    due = document_date(add_months(timezone.localdate(), world.meeting.rehandle_due_months))
    consequence = f"选择“不满意”后，该件将退回承办单位重新办理，办理时限为 {due}。"
    assert_confirmation(response, url, consequence, "确认不满意")
    assert not Rating.objects.exists()
    world.assignment.refresh_from_db()
    assert (world.assignment.status, world.assignment.round) == (AssignmentStatus.REPLIED, 1)
    # 满意 starts nothing and is not asked about.
    assert client.post(url, {"value": "satisfied"}).status_code == 302


def test_unsatisfied_rating_through_the_page_starts_round_two(world, login, replied):
    login(world.member_user).post(
        reverse("consultations:rate", args=[world.assignment.pk]),
        {"value": "unsatisfied", "comment": "道路仍未修通", "confirm": "1"},
    )
    world.assignment.refresh_from_db()
    assert (world.assignment.status, world.assignment.round) == (AssignmentStatus.REHANDLING, 2)
    page = login(world.handler_a).get(reverse("consultations:assignment", args=[world.assignment.pk]))
    body = page.content.decode()
    assert "第 2 轮" in body and "第 1 轮" in body and "不满意" in body
    # The agency sees why the member was not satisfied.
    assert "道路仍未修通" in body


def test_staff_close_page(world, login, replied):
    services.rating_submit(
        assignment=world.assignment, actor=world.member_user, member_id=world.proposer.pk, value="satisfied"
    )
    client = login(world.staff)
    url = reverse("consultations:close", args=[world.proposal.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert_confirmation(
        response, url, "办结后提案状态为“已办结”，各承办单位的测评不能再修改；办结不能撤销。", "确认办结"
    )
    world.proposal.refresh_from_db()
    assert world.proposal.status != ProposalStatus.CLOSED
    response = client.post(url, {"reason": "", "confirm": "1"})
    assert response.status_code == 302
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.CLOSED


def test_close_without_good_ratings_needs_a_reason(world, login, replied):
    client = login(world.staff)
    url = reverse("consultations:close", args=[world.proposal.pk])
    response = client.post(url, {"reason": "", "confirm": "1"})
    assert response.status_code == 400
    assert "如确需办结，请填写办结理由" in response.content.decode()
    world.proposal.refresh_from_db()
    assert world.proposal.status != ProposalStatus.CLOSED


@pytest.mark.parametrize("who, status", [("handler_a", 403), ("member_user", 403), ("handler_b", 404)])
def test_non_staff_cannot_close(world, login, replied, who, status):
    url = reverse("consultations:close", args=[world.proposal.pk])
    assert login(getattr(world, who)).post(url, {"reason": "x"}).status_code == status
    world.proposal.refresh_from_db()
    assert world.proposal.status != ProposalStatus.CLOSED
