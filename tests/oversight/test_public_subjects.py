"""The public list shows what each reply answers (issue 20, item 7): the proposal's subject, its
number, the agency, the reply class and the date; it filters by topic (类别) and meeting; and the
subject is redacted like the rest of the public copy."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from oversight.public import refresh_public_texts
from oversight.redaction import MASK
from proposals.models import Category, Meeting, Member, Proposal
from replies.models import Reply, ReplyStatus

DEMO_PASSWORD = "Demo-Password-2024"


@pytest.fixture
def demo(db, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    reply = Reply.objects.get(assignment__proposal__number="TA0207")
    assert reply.status == ReplyStatus.ISSUED and reply.is_public
    return reply


def _row(html: str, reply: Reply) -> str:
    start = html.index(f'<tr data-reply="{reply.pk}">')
    return html[start : html.index("</tr>", start)]


def test_the_list_shows_the_subject_number_agency_class_and_date(demo, client):
    html = client.get(reverse("oversight:public_list")).content.decode()
    row = _row(html, demo)
    assert "关于加强交流共谋发展" in row  # the proposal's own title, not only "关于…第 TA0207 号提案的答复"
    assert "第 TA0207 号" in row and "晋城市发展和改革委员会" in row
    assert f"{demo.reply_class} 类" in row and "2024年7月9日" in row and "八届三次会议" in row
    detail = client.get(reverse("oversight:public_detail", args=[demo.pk])).content.decode()
    assert "提案标题：关于加强交流共谋发展" in detail


def test_the_topic_filter_keeps_the_replies_of_that_topic(demo, client):
    proposal = demo.assignment.proposal
    topic = proposal.category or Category.objects.create(name="经济建设", committee_id=proposal.committee_id)
    Proposal.objects.filter(pk=proposal.pk).update(category=topic)
    other = Category.objects.create(name="社会法制", committee_id=proposal.committee_id)
    html = client.get(reverse("oversight:public_list")).content.decode()
    assert f'<option value="{topic.pk}">' in html  # a topic with a published reply is offered
    assert f'<option value="{other.pk}">' not in html  # one without is not
    html = client.get(reverse("oversight:public_list"), {"category": topic.pk}).content.decode()
    assert f'data-reply="{demo.pk}"' in html and topic.name in _row(html, demo)
    html = client.get(reverse("oversight:public_list"), {"category": other.pk}).content.decode()
    assert f'data-reply="{demo.pk}"' not in html and "没有符合条件的公开答复" in html
    # Nonsense is no filter, not an error.
    assert client.get(reverse("oversight:public_list"), {"category": "x"}).status_code == 200


def test_the_meeting_filter_keeps_that_meetings_replies(demo, client):
    meeting = demo.assignment.proposal.meeting
    other = Meeting.objects.create(committee_id=meeting.committee_id, term=9, session=1, number_prefix="TZ")
    html = client.get(reverse("oversight:public_list"), {"meeting": meeting.pk}).content.decode()
    assert f'data-reply="{demo.pk}"' in html
    html = client.get(reverse("oversight:public_list"), {"meeting": other.pk}).content.decode()
    assert f'data-reply="{demo.pk}"' not in html


def test_a_phone_or_work_unit_in_the_subject_is_masked(demo, client):
    member = Member.objects.get(name="朱国胜")
    Member.objects.filter(pk=member.pk).update(work_unit="晋城市某某研究院")
    Proposal.objects.filter(pk=demo.assignment.proposal_id).update(
        title="关于晋城市某某研究院加强交流的建议（电话 13812345678）"
    )
    refresh_public_texts([demo])
    html = client.get(reverse("oversight:public_list")).content.decode()
    row = _row(html, demo)
    assert "晋城市某某研究院" not in html and "13812345678" not in html
    assert f"关于{MASK}加强交流的建议" in row
    detail = client.get(reverse("oversight:public_detail", args=[demo.pk])).content.decode()
    assert "晋城市某某研究院" not in detail and "13812345678" not in detail


def test_the_list_reads_a_fixed_number_of_queries(demo, client, django_assert_max_num_queries):
    # The subject, the topic and the class ride on the page's own query (select_related).
    with django_assert_max_num_queries(12):
        assert client.get(reverse("oversight:public_list")).status_code == 200
