"""A co-handler's view (会办意见) goes to the lead agency, not to the member, and never to the public.

Only the answers to the member (lead and split assignments, ``ANSWERING_ROLES``) are ever public:
the list, the reply page and its PDF, the search, the filters, the compiled volume and the notices
about an issued reply all leave a co-handler's view out, even one marked 主动公开.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import NotificationKind, SentNotification
from oversight.reminders import send_reminders
from oversight.volume import volume_replies
from proposals.models import AssignmentRole, AssignmentStatus, Member
from tests.factories import make_assignment, make_reply

CO_TITLE = "乙局关于产业合作提案的会办意见"
CO_WORD = "会办单位同意主办单位拟定的答复口径"
LEAD_TITLE = "关于加快产业合作的建议的答复"


@pytest.fixture
def co_view(world):
    """The world's proposal with agency A's issued public answer and agency B's issued co-handler
    view, which its agency left marked 主动公开 (the default of a new draft)."""
    co = make_assignment(
        proposal=world.proposal,
        agency=world.agency_b,
        assigned_by=world.staff,
        role=AssignmentRole.CO,
        status=AssignmentStatus.REPLIED,
    )
    today = timezone.localdate()
    lead_reply = make_reply(world.assignment, by=world.handler_a, issued=today, title=LEAD_TITLE)
    view = make_reply(co, by=world.handler_b, issued=today, cls="A", title=CO_TITLE, body=CO_WORD + "。")
    assert view.is_public and lead_reply.is_public
    return view, lead_reply


def test_public_list_leaves_out_a_cohandler_view(co_view, client):
    html = client.get(reverse("oversight:public_list")).content.decode()
    assert LEAD_TITLE in html  # the answer to the member is public
    assert CO_TITLE not in html
    # nor does the agency filter offer the co-handler's agency, which answered nobody in public
    assert "乙市商务局" not in html


def test_cohandler_view_page_and_pdf_are_404_for_the_public(co_view, client):
    view, lead_reply = co_view
    assert client.get(reverse("oversight:public_detail", args=[lead_reply.pk])).status_code == 200
    assert client.get(reverse("oversight:public_detail", args=[view.pk])).status_code == 404
    assert client.get(reverse("oversight:public_pdf", args=[view.pk])).status_code == 404


def test_cohandler_view_page_is_404_for_the_proposer_inside_and_outside_the_app(co_view, world, login):
    view, _lead = co_view
    client = login(world.member_user)
    assert client.get(reverse("replies:detail", args=[view.pk])).status_code == 404
    assert client.get(reverse("oversight:public_detail", args=[view.pk])).status_code == 404


def test_public_search_does_not_find_a_cohandler_view(co_view, client):
    url = reverse("oversight:public_list")
    assert CO_TITLE not in client.get(url, {"q": CO_WORD}).content.decode()
    assert CO_TITLE not in client.get(url, {"q": "会办意见"}).content.decode()
    assert CO_TITLE not in client.get(url, {"agency": co_view[0].assignment.agency_id}).content.decode()


def test_compiled_volume_holds_answers_only(co_view, world):
    view, lead_reply = co_view
    in_volume = list(volume_replies(world.meeting.pk))
    assert lead_reply in in_volume
    assert view not in in_volume


def test_issued_notice_is_not_sent_for_a_cohandler_view(co_view, world, run):
    view, lead_reply = co_view
    Member.objects.filter(pk=world.proposer.pk).update(email="zhangsan@example.org")
    run(send_reminders)
    notices = SentNotification.objects.filter(kind=NotificationKind.REPLY_ISSUED, object_type="reply")
    notified = set(notices.values_list("object_id", flat=True))
    assert lead_reply.pk in notified  # the member hears of the answer
    assert view.pk not in notified
    assert not any(CO_TITLE in n.body for n in notices)
