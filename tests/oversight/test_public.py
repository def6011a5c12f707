"""The public page of replies: only what is published, and never a phone number or work unit."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from oversight.actions import OversightAction
from oversight.public import refresh_public_texts
from oversight.redaction import MASK, mask_phones, redact
from oversight.services import public_pdf_store
from proposals.models import Member, TimelineEvent
from replies.models import Reply, ReplyStatus
from tests.confirm import CONFIRMED, assert_confirmation
from tests.factories import make_reply

SEED_PHONES = ("13934069668", "18903561885")
DEMO_PASSWORD = "Demo-Password-2024"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


@pytest.fixture
def demo(db, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    # As a commit would: the issued reply's public PDF is rendered by the task queued after commit.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    reply = Reply.objects.get(assignment__proposal__number="TA0207")
    assert reply.status == ReplyStatus.ISSUED and reply.is_public
    return reply


@pytest.fixture
def demo_with_phones_in_text(demo):
    """The seed reply, with the member's phone and work unit and a landline quoted in its text."""
    Member.objects.filter(name="朱国胜").update(work_unit="晋城市某某研究院")
    Reply.objects.filter(pk=demo.pk).update(
        body=demo.body + "\n如有疑问请联系朱国胜委员（18903561885，晋城市某某研究院）或拨打 0356-2021234。",
        closing=demo.closing + "\n联系人电话：139 3406 9668",
    )
    demo.refresh_from_db()
    # Written around the ORM: the public search's copy and the public PDF follow by hand.
    refresh_public_texts([demo])
    public_pdf_store(reply_id=demo.pk, force=True)
    return demo


# --- Redaction functions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "13934069668",
        "电话18903561885。",
        "139-3406-9668",
        "139 3406 9668",
        "+86 13934069668",
        "0356-2021234",
        "（0356）2021234",
        "03562021234",
        "010-12345678转123",
        "１３９３４０６９６６８",
    ],
)
def test_phone_like_numbers_are_masked(text):
    masked = mask_phones(text)
    assert MASK in masked
    assert not any(ch.isdigit() for ch in masked.replace("＊", "")), masked


@pytest.mark.parametrize("text", ["2024年7月9日", "投资 1000 万元", "105团", "文号晋发改〔2024〕123号"])
def test_ordinary_numbers_stay(text):
    assert mask_phones(text) == text


def test_personal_strings_are_removed_even_if_they_do_not_look_like_phones():
    assert redact("工作单位：甲研究院，电话 8123", ["甲研究院", "8123"]) == f"工作单位：{MASK}，电话 {MASK}"


# --- Pages ---------------------------------------------------------------------------------------
def test_public_list_shows_published_replies_without_login(demo, client):
    response = client.get(reverse("oversight:public_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert demo.title in html
    for phone in SEED_PHONES:
        assert phone not in html


def test_public_reply_page_and_pdf_have_no_phone_while_staff_view_has(demo_with_phones_in_text, client):
    reply = demo_with_phones_in_text
    page = client.get(reverse("oversight:public_detail", args=[reply.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "积极推进晋城和新疆生产建设兵团" in html  # the letter is there
    assert MASK in html
    pdf = client.get(reverse("oversight:public_pdf", args=[reply.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "援疆" in text
    for content in (html, text):
        for secret in (*SEED_PHONES, "0356-2021234", "晋城市某某研究院", "13934069668"):
            assert secret not in content
    assert "3406" not in text.replace(" ", "")

    # The staff view of the same reply shows the handler's phone as issued.
    client.force_login(_user("staff"))
    staff_page = client.get(reverse("replies:detail", args=[reply.pk]))
    assert staff_page.status_code == 200
    assert "13934069668" in staff_page.content.decode()


def _user(username):
    from proposals.models import User

    return User.objects.get(username=username)


def test_public_pages_of_the_plain_seed_reply_hold_no_seed_phone(demo, client):
    html = client.get(reverse("oversight:public_detail", args=[demo.pk])).content.decode()
    text = pdf_text(b"".join(client.get(reverse("oversight:public_pdf", args=[demo.pk])).streaming_content))
    for phone in SEED_PHONES:
        assert phone not in html
        assert phone not in text
    assert "杨国强" in text  # 承办人 stays: the handler's name is not a member's personal data


@pytest.mark.parametrize(
    "change",
    [
        {"is_public": False, "not_public_reason": "涉及内部事项"},
        {"unpublished_at": timezone.now(), "unpublish_reason": "已撤销"},
        {"status": ReplyStatus.SUBMITTED},
    ],
)
def test_reply_that_is_not_public_is_404_and_not_listed(demo, client, change):
    Reply.objects.filter(pk=demo.pk).update(**change)
    assert client.get(reverse("oversight:public_detail", args=[demo.pk])).status_code == 404
    assert client.get(reverse("oversight:public_pdf", args=[demo.pk])).status_code == 404
    assert demo.title not in client.get(reverse("oversight:public_list")).content.decode()


def test_missing_reply_is_404(db, client):
    assert client.get(reverse("oversight:public_detail", args=[999999])).status_code == 404


def test_search_and_filters(stats_data, world, client):
    a5 = stats_data.assignments["a5"]
    reply = Reply.objects.get(assignment=a5)
    # Saved through the ORM: the search looks in the stored public text, refreshed on save.
    reply.title, reply.body = "关于城市绿化的答复", "我们将增加公园绿地。"
    reply.save(update_fields=["title", "body"])
    url = reverse("oversight:public_list")
    assert "关于城市绿化的答复" in client.get(url, {"q": "公园"}).content.decode()
    assert "关于城市绿化的答复" not in client.get(url, {"q": "地铁"}).content.decode()
    assert "关于城市绿化的答复" in client.get(url, {"agency": world.agency_a.pk}).content.decode()
    assert "关于城市绿化的答复" not in client.get(url, {"agency": world.agency_b.pk}).content.decode()
    assert "关于城市绿化的答复" in client.get(url, {"meeting": stats_data.meeting.pk}).content.decode()
    assert "关于城市绿化的答复" not in client.get(url, {"meeting": world.meeting.pk}).content.decode()
    # A phone number as the query finds nothing (it would tell whether the number is in a reply).
    Reply.objects.filter(pk=reply.pk).update(body="电话 13912345678")
    assert "关于城市绿化的答复" not in client.get(url, {"q": "13912345678"}).content.decode()
    assert client.get(url, {"meeting": "x", "page": "abc"}).status_code == 200


def test_draft_replies_are_never_listed(stats_data, client):
    draft = Reply.objects.get(assignment=stats_data.assignments["a9"])
    assert client.get(reverse("oversight:public_detail", args=[draft.pk])).status_code == 404


# --- Unpublishing --------------------------------------------------------------------------------
def test_staff_unpublishes_with_a_reason(demo, client, run):
    staff = _user("staff")
    client.force_login(staff)
    page = client.get(reverse("oversight:public_detail", args=[demo.pk]))
    assert reverse("oversight:reply_unpublish", args=[demo.pk]) in page.content.decode()
    url = reverse("oversight:reply_unpublish", args=[demo.pk])
    before = TimelineEvent.objects.count()
    response = client.post(url, {"reason": "含有未脱敏信息"})
    consequence = (
        "撤销后，公众页面不再显示该答复及其 PDF；答复本身不变，办理记录中留下撤销的时间、操作人和理由“含有未脱敏信息”。"
    )
    assert_confirmation(response, url, consequence, "确认撤销公开")
    assert response.context["cancel_url"] == reverse("oversight:public_detail", args=[demo.pk])
    demo.refresh_from_db()
    assert demo.unpublished_at is None and TimelineEvent.objects.count() == before
    response = run(client.post, url, {"reason": "含有未脱敏信息", **CONFIRMED})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.unpublished_at is not None and demo.unpublished_by == staff
    assert demo.unpublish_reason == "含有未脱敏信息"
    event = TimelineEvent.objects.filter(proposal=demo.assignment.proposal).latest("id")
    assert (event.action, event.note, event.actor) == (OversightAction.UNPUBLISH, "含有未脱敏信息", staff)
    audit = AuditEvent.objects.filter(event="transition", detail__contains=OversightAction.UNPUBLISH)
    assert audit.count() == 1 and "含有未脱敏信息" not in audit.get().detail
    client.logout()
    assert client.get(reverse("oversight:public_detail", args=[demo.pk])).status_code == 404


def test_unpublish_without_reason_changes_nothing(demo, client):
    client.force_login(_user("staff"))
    before = TimelineEvent.objects.count()
    response = client.post(reverse("oversight:reply_unpublish", args=[demo.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "请填写撤销公开的理由" in response.content.decode()
    demo.refresh_from_db()
    assert demo.unpublished_at is None
    assert TimelineEvent.objects.count() == before


@pytest.mark.parametrize("username", ["fgw_handler", "fgw_leader", "zhuguosheng", "admin"])
def test_only_staff_may_unpublish(demo, client, username):
    client.force_login(_user(username))
    url = reverse("oversight:reply_unpublish", args=[demo.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert (
        reverse("oversight:reply_unpublish", args=[demo.pk])
        not in client.get(reverse("oversight:public_detail", args=[demo.pk])).content.decode()
    )
    demo.refresh_from_db()
    assert demo.unpublished_at is None


def test_anonymous_unpublish_goes_to_login(demo, client):
    response = client.post(reverse("oversight:reply_unpublish", args=[demo.pk]), {"reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_public_pdf_is_the_copy_stored_at_publication(world, client, run):
    world.assignment.status = "replied"
    world.assignment.save(update_fields=["status"])
    reply = run(
        make_reply,
        world.assignment,
        by=world.handler_a,
        issued=timezone.localdate(),
        cls="B",
        phone="13800000009",
        handler_name="甲经办",
    )
    first = b"".join(client.get(reverse("oversight:public_pdf", args=[reply.pk])).streaming_content)
    second = b"".join(client.get(reverse("oversight:public_pdf", args=[reply.pk])).streaming_content)
    assert first == second
    assert "13800000009" not in pdf_text(first)


def test_public_list_redacts_titles_too(demo_with_phones_in_text, client):
    reply = demo_with_phones_in_text
    Reply.objects.filter(pk=reply.pk).update(title=reply.title + "（晋城市某某研究院 18903561885）")
    html = client.get(reverse("oversight:public_list")).content.decode()
    assert "关于市政协八届三次会议第 TA0207 号提案的答复" in html
    assert "晋城市某某研究院" not in html and "18903561885" not in html


@pytest.mark.parametrize("query", ["某某研究院", "晋城市某某研究院", "在晋城市某某研究院工作"])
def test_public_search_cannot_confirm_a_hidden_work_unit(demo_with_phones_in_text, client, query):
    # The reply's text does contain the work unit (hidden on the public copy); searching for it must
    # not reveal that, while an ordinary word still finds the reply.
    response = client.get(reverse("oversight:public_list"), {"q": query})
    assert "TA0207" not in response.content.decode()
    assert "TA0207" in client.get(reverse("oversight:public_list"), {"q": "援疆"}).content.decode()
