"""The stored public-search text follows a member's phone and work unit (issue 18 follow-up).

The text is redacted at issue with the members' details of that day. When a member's phone or work
unit changes to a value the letter quotes, the stored copies of that member's replies are rebuilt,
so the public search by the new value finds nothing; other replies are left alone.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import PublicReplyText
from oversight.redaction import MASK
from proposals.models import Member
from replies.models import Reply
from tests.factories import make_assignment, make_proposal, make_reply

pytestmark = pytest.mark.django_db

TITLE = "关于加快产业合作的建议的答复"
# Neither is anyone's detail at issue, nor looks like a phone to the patterns (an old 7-digit local
# number, as a member record imported from the old roster may hold).
WORK_UNIT = "晋城市某某研究院"
LOCAL_PHONE = "6021234"
BODY = f"经研究，现答复如下：{WORK_UNIT}的建议正在推进，可拨打 {LOCAL_PHONE} 了解进展。"


@pytest.fixture
def reply(world):
    return make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate(), title=TITLE, body=BODY)


def found(client, q: str, title: str = TITLE) -> bool:
    response = client.get(reverse("oversight:public_list"), {"q": q})
    assert response.status_code == 200
    return title in response.content.decode()


# A query naming a member's detail is refused outright (selectors.names_personal_data); a piece of
# the letter running across the detail is not, and would find a copy that still holds it.
ACROSS = {"phone": "1234 了解", "work_unit": "研究院的建议"}


@pytest.mark.parametrize("who", ["proposer", "cosigner"])
@pytest.mark.parametrize(("field", "value"), [("phone", LOCAL_PHONE), ("work_unit", WORK_UNIT)])
def test_a_members_new_detail_quoted_in_the_letter_is_not_found(reply, world, client, who, field, value):
    assert found(client, value) and found(client, ACROSS[field])  # nobody's detail at issue
    member = getattr(world, who)
    setattr(member, field, value)
    member.save()
    assert not found(client, value)
    assert not found(client, ACROSS[field])
    assert found(client, "正在推进")
    assert MASK in PublicReplyText.objects.get(reply=reply).body


def test_a_detail_changed_through_the_admin_is_masked_too(reply, world, admin_client):
    data = {
        "committee": world.proposer.committee_id,
        "name": world.proposer.name,
        "work_unit": WORK_UNIT,
        "phone": "",
        "sector": "",
        "email": "",
    }
    data["is_active"] = "on"
    response = admin_client.post(reverse("admin:proposals_member_change", args=[world.proposer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.get(pk=world.proposer.pk).work_unit == WORK_UNIT
    assert WORK_UNIT not in PublicReplyText.objects.get(reply=reply).body


def test_only_that_members_replies_are_rebuilt(reply, world):
    """Another proposal's stored copy is not touched (no full-table work), nor a copy when the phone
    and work unit stay as they were."""
    other = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, number="TA9")
    assignment = make_assignment(proposal=other, agency=world.agency_a, assigned_by=world.staff)
    other_reply = make_reply(assignment, by=world.handler_a, issued=timezone.localdate(), title="另一件", body=BODY)
    PublicReplyText.objects.filter(reply__in=[reply, other_reply]).update(body="旧的副本")

    world.proposer.name = "张三（改名）"
    world.proposer.save()
    world.proposer.refresh_from_db()
    world.proposer.save()
    assert PublicReplyText.objects.get(reply=reply).body == "旧的副本"

    world.proposer.work_unit = WORK_UNIT
    world.proposer.save()
    assert PublicReplyText.objects.get(reply=reply).body != "旧的副本"
    assert PublicReplyText.objects.get(reply=other_reply).body == "旧的副本"


def test_refresh_public_pdfs_all_masks_again_under_new_rules(reply):
    """A copy made before a masking rule changed (here: an em-dash landline left as it was) is made
    again by ``refresh_public_pdfs --all``."""
    from django.core.management import call_command

    reply.body = BODY + "\n联系电话：0917—4936343。"
    Reply.objects.filter(pk=reply.pk).update(body=reply.body)  # around the services, as old data is
    PublicReplyText.objects.filter(reply=reply).update(body=reply.body)  # as an older rule left it
    call_command("refresh_public_pdfs", "--all", stdout=io.StringIO())
    body = PublicReplyText.objects.get(reply=reply).body
    assert "4936343" not in body and MASK in body
