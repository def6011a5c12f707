"""The reply pages as each persona sees them: happy paths, 405 on GET, 404 for outsiders, bad input."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from documents.render import sha256_hex
from proposals.errors import ConflictError
from proposals.models import AssignmentRole, AssignmentStatus, TimelineEvent
from replies import rules, services
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus, ReplyVersion
from tests.confirm import CONFIRMED, assert_confirmation
from tests.documents.pdfutil import pdf_text, squeeze
from tests.factories import complete_data, make_assignment

pytestmark = pytest.mark.django_db


def form_data(reply: Reply | None = None, **overrides) -> dict:
    data = complete_data()
    data["reply_date"] = data["reply_date"].isoformat()
    data.update(
        {
            "title": reply.title if reply else "关于市政协八届三次会议第 TA0001 号提案的答复",
            "addressee": reply.addressee if reply else "张三等委员：",
            "doc_number": "",
            "copy_to": "",
            "version": reply.version if reply else 1,
            "is_public": "on",
        }
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_url(world) -> str:
    return reverse("replies:assignment", args=[world.assignment.pk])


# --- the assignment page --------------------------------------------------------------------


def test_handler_sees_a_prefilled_form(world, login):
    response = login(world.handler_a).get(page_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "关于市政协八届三次会议第 TA0001 号提案的答复" in html
    assert "张三等委员：" in html
    assert reverse("replies:create", args=[world.assignment.pk]) in html


def test_handler_creates_a_draft(world, login):
    response = login(world.handler_a).post(reverse("replies:create", args=[world.assignment.pk]), form_data())
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.status, reply.version, reply.reply_class, reply.created_by) == ("draft", 1, "A", world.handler_a)
    assert TimelineEvent.objects.filter(proposal=world.proposal, action=ReplyAction.CREATE).exists()


def test_create_with_bad_input_writes_nothing(world, login):
    assigned_on = timezone.localdate(world.assignment.assigned_at)
    client = login(world.handler_a)
    url = reverse("replies:create", args=[world.assignment.pk])
    bad = [
        {"reply_date": "2000-01-01"},
        {"phone": "12345"},
        {"is_public": None, "not_public_reason": ""},
        {"title": ""},
    ]
    for change in bad:
        response = client.post(url, form_data(**change))
        assert response.status_code == 200, change
        assert response.context["form"].errors, change
    response = client.post(url, form_data(reply_date="2000-01-01"))
    assert "成文日期不能早于交办日期" in response.content.decode()
    assert f"{assigned_on.year}年{assigned_on.month}月{assigned_on.day}日" in response.content.decode()
    assert not Reply.objects.exists()
    assert not TimelineEvent.objects.exists()


@pytest.mark.parametrize("persona", ["handler_b", "unrelated_member", "anonymous"])
def test_outsiders_get_404_or_login(world, login, draft, persona):
    user = world.personas()[persona]
    client = login(user)
    urls = [
        page_url(world),
        reverse("replies:detail", args=[draft.pk]),
        reverse("replies:versions", args=[draft.pk]),
        reverse("replies:pdf", args=[draft.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, url


def test_handler_of_other_agency_cannot_post_either(world, login, draft):
    client = login(world.handler_b)
    assert client.post(reverse("replies:save", args=[draft.pk]), form_data(draft, body="改")).status_code == 404
    assert client.post(reverse("replies:submit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("replies:create", args=[world.assignment.pk]), form_data()).status_code == 404
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.DRAFT


def test_member_never_sees_a_draft(world, login, submitted):
    client = login(world.member_user)
    response = client.get(page_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.body[:20] not in html
    assert "答复尚未签发" in html
    assert client.get(reverse("replies:detail", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("replies:pdf", args=[submitted.pk])).status_code == 404


def test_member_sees_the_issued_reply_without_edit_buttons(world, login, issued):
    for member in (world.member_user, world.cosigner_user):
        client = login(member)
        html = client.get(page_url(world)).content.decode()
        assert squeeze(issued.body[:30]) in squeeze(html)
        assert "保存草稿" not in html
        assert '<form method="post" action="/replies/' not in html
        assert reverse("replies:pdf", args=[issued.pk]) in html
        assert reverse("replies:versions", args=[issued.pk]) not in html
        assert client.get(reverse("replies:detail", args=[issued.pk])).status_code == 200
        assert client.get(reverse("replies:versions", args=[issued.pk])).status_code == 404


def test_lead_sees_the_cohandlers_view_while_drafting(world, login):
    from tests.factories import make_user

    leader_b = make_user("leader_b", "leader", agency=world.agency_b)
    co = make_assignment(
        proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO
    )
    view = services.reply_create(
        assignment=co, actor=world.handler_b, data=complete_data(body="会办单位的意见：同意。")
    )
    client = login(world.handler_a)
    assert "会办单位的意见" not in client.get(page_url(world)).content.decode()  # not sent yet
    services.reply_submit(reply=view, actor=world.handler_b)
    services.reply_issue(reply=view, actor=leader_b)
    html = client.get(page_url(world)).content.decode()
    assert "会办单位的意见：同意。" in html
    assert client.get(reverse("replies:detail", args=[view.pk])).status_code == 200
    # The member is not the addressee of a co-handler's view.
    assert login(world.member_user).get(reverse("replies:detail", args=[view.pk])).status_code == 404


# --- markup ---------------------------------------------------------------------------------


def test_markup_in_the_body_is_shown_as_text_on_the_page_and_in_the_pdf(world, login, draft):
    body = '<script>alert("x")</script><b>粗</b>'
    client = login(world.handler_a)
    response = client.post(reverse("replies:save", args=[draft.pk]), form_data(draft, body=body))
    assert response.status_code == 302
    html = client.get(reverse("replies:detail", args=[draft.pk])).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;粗&lt;/b&gt;" in html
    pdf = client.get(reverse("replies:pdf", args=[draft.pk]))
    assert squeeze(body) in squeeze(pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content))


# --- saving, conflicts, versions ------------------------------------------------------------


def test_save_adds_a_version(world, login, draft):
    client = login(world.handler_a)
    response = client.post(reverse("replies:save", args=[draft.pk]), form_data(draft, body="第二稿正文"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.version, draft.body) == (2, "第二稿正文")
    assert ReplyVersion.objects.filter(reply=draft).count() == 2


def test_concurrent_save_is_refused_and_the_second_users_text_is_shown_back(world, login, draft):
    # Both open version 1. The handler saves first.
    first = login(world.handler_a).post(reverse("replies:save", args=[draft.pk]), form_data(draft, body="经办人的稿"))
    assert first.status_code == 302
    second_text = "负责人改写的整段文字，不能丢。"
    response = login(world.leader_a).post(reverse("replies:save", args=[draft.pk]), form_data(draft, body=second_text))
    assert response.status_code == 409
    html = response.content.decode()
    assert "保存失败" in html
    assert second_text in html  # the leader's text is in the form again
    assert "经办人的稿" in html  # beside the version that was saved
    form = response.context["form"]
    assert form["body"].value() == second_text
    assert str(form["version"].value()) == "2"  # saving again is a deliberate overwrite of v2
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("经办人的稿", 2)
    # Saving again from the refreshed form works.
    again = login(world.leader_a).post(
        reverse("replies:save", args=[draft.pk]), form_data(draft, body=second_text, version=2)
    )
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.body, draft.version) == (second_text, 3)


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-1", "1.5", "99"])
def test_save_without_the_version_it_started_from_is_refused(world, login, draft, version):
    """Issue 18 (the class of finding 15): a missing or unreadable version never skips the check."""
    login(world.handler_a).post(reverse("replies:save", args=[draft.pk]), form_data(draft, body="第二稿"))
    data = form_data(draft, body="不知道基于哪一版的修改")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = login(world.leader_a).post(reverse("replies:save", args=[draft.pk]), data)
    assert response.status_code in (400, 409)
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("第二稿", 2)
    assert ReplyVersion.objects.filter(reply=draft).count() == 2


def test_the_save_service_refuses_a_missing_version(world, draft):
    with pytest.raises(ConflictError):
        services.reply_save_draft(reply=draft, actor=world.handler_a, data={"body": "改"}, expected_version=None)
    draft.refresh_from_db()
    assert draft.version == 1


def test_versions_and_diff_pages(world, login, draft):
    services.reply_save_draft(
        reply=draft,
        actor=world.handler_a,
        data={"body": draft.body.replace("1000 万元", "1200 万元")},
        expected_version=1,
    )
    client = login(world.handler_a)
    html = client.get(reverse("replies:versions", args=[draft.pk])).content.decode()
    assert "第 1 版" in html and "第 2 版" in html
    response = client.get(reverse("replies:diff", args=[draft.pk]), {"a": 1, "b": 2})
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c.name for c in changes] == ["body"]
    segments = changes[0].segments
    assert ("delete", "0") in segments and ("insert", "2") in segments
    body = response.content.decode()
    assert "<del" in body and "<ins" in body
    assert client.get(reverse("replies:diff", args=[draft.pk]), {"a": 1, "b": 9}).status_code == 404
    assert client.get(reverse("replies:diff", args=[draft.pk]), {"a": "x"}).status_code == 404


def test_staff_sees_versions(world, login, draft):
    assert login(world.staff).get(reverse("replies:versions", args=[draft.pk])).status_code == 200


# --- transitions ----------------------------------------------------------------------------


def test_submit_return_issue_through_the_pages(world, login, draft):
    handler, leader = login(world.handler_a), None
    assert handler.post(reverse("replies:submit", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.SUBMITTED
    # The handler has no sign-off button; the leader has.
    assert "签发（签发后不能再修改）" not in handler.get(page_url(world)).content.decode()
    leader = login(world.leader_a)
    assert "签发（签发后不能再修改）" in leader.get(page_url(world)).content.decode()
    # Return needs a comment.
    response = leader.post(reverse("replies:return", args=[draft.pk]), {"comment": ""})
    assert response.status_code == 200
    assert response.context["return_form"].errors
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.SUBMITTED
    leader.post(reverse("replies:return", args=[draft.pk]), {"comment": "请补充第二段。"})
    draft.refresh_from_db()
    assert (draft.status, draft.leader_comment) == (ReplyStatus.DRAFT, "请补充第二段。")
    assert "请补充第二段。" in login(world.handler_a).get(page_url(world)).content.decode()
    login(world.handler_a).post(reverse("replies:submit", args=[draft.pk]))
    url = reverse("replies:issue", args=[draft.pk])
    response = login(world.leader_a).post(url)
    assert_confirmation(response, url, "签发后答复冻结并生成正式 PDF，不能再修改。", "确认签发")
    assert response.context["cancel_url"] == page_url(world)
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.SUBMITTED and not draft.pdf
    response = login(world.leader_a).post(url, CONFIRMED)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.ISSUED and draft.pdf_sha256
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REPLIED


def test_issue_refusal_shows_the_message_and_changes_nothing(world, login):
    draft = services.reply_create(
        assignment=world.assignment, actor=world.handler_a, data=complete_data(leader_name="")
    )
    services.reply_submit(reply=draft, actor=world.handler_a)
    client = login(world.leader_a)
    response = client.post(reverse("replies:issue", args=[draft.pk]), follow=True)
    assert str(rules.LEADER_REQUIRED) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReplyStatus.SUBMITTED and not draft.pdf


def test_issued_reply_page_has_no_edit_form_and_a_save_is_refused(world, login, issued):
    client = login(world.leader_a)
    html = client.get(page_url(world)).content.decode()
    assert "保存草稿" not in html
    assert issued.pdf_sha256 in html
    response = client.post(reverse("replies:save", args=[issued.pk]), form_data(issued, body="改"), follow=True)
    assert str(services.REPLY_FROZEN) in response.content.decode()
    assert Reply.objects.get(pk=issued.pk).body == issued.body
    response = client.post(reverse("replies:issue", args=[issued.pk]), CONFIRMED, follow=True)
    assert str(services.ALREADY_ISSUED) in response.content.decode()


@pytest.mark.parametrize("name", ["save", "submit", "issue", "return"])
def test_get_on_post_only_urls_is_405(world, login, draft, name):
    assert login(world.leader_a).get(reverse(f"replies:{name}", args=[draft.pk])).status_code == 405


def test_get_on_create_is_405(world, login):
    assert login(world.handler_a).get(reverse("replies:create", args=[world.assignment.pk])).status_code == 405


# --- the PDF --------------------------------------------------------------------------------


def test_issued_pdf_is_the_stored_file_as_an_attachment_and_the_download_is_audited(world, login, issued):
    for user in (world.member_user, world.handler_a, world.staff):
        response = login(user).get(reverse("replies:pdf", args=[issued.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        data = b"".join(response.streaming_content)
        assert sha256_hex(data) == issued.pdf_sha256
    downloads = AuditEvent.objects.filter(event="download", object_label="replies.Reply", object_pk=str(issued.pk))
    assert downloads.count() == 3
    assert set(downloads.values_list("username", flat=True)) == {"zhangsan", "handler_a", "staff1"}


def test_draft_pdf_is_a_fresh_render_marked_as_draft(world, login, draft):
    response = login(world.handler_a).get(reverse("replies:pdf", args=[draft.pk]))
    assert response.status_code == 200
    # The diagonal watermark (issue 16): pdftotext takes rotated characters one by one, the drawn run is whole.
    assert "草稿" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
