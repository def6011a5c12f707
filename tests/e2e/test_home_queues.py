"""Each role's home page in the browser (issue 19): the right counts on data made here, and each
link leads to where the action is done."""

from __future__ import annotations

import pytest
from django.utils import timezone

from consultations.models import ConsultationStatus
from proposals.models import AssignmentStatus, ProposalStatus
from replies.models import ReplyStatus
from tests.factories import PASSWORD, make_assignment, make_consultation, make_proposal, make_reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def count(actor, key: str) -> int:
    return int(actor.page.locator(f"[data-queue='{key}']").get_attribute("data-count"))


def test_handler_leader_and_member_see_their_counts_and_follow_the_links(actor, world):
    for i in range(3):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            status=ProposalStatus.ASSIGNED,
            title=f"待签收提案{i}",
        )
        make_assignment(proposal=p, agency=world.agency_a, assigned_by=world.staff, status=AssignmentStatus.PENDING)
    for i in range(2):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            status=ProposalStatus.ASSIGNED,
            title=f"待签发提案{i}",
        )
        a = make_assignment(proposal=p, agency=world.agency_a, assigned_by=world.staff)
        reply = make_reply(a, by=world.handler_a, issued=None, title=f"待签发答复{i}")
        reply.status = ReplyStatus.SUBMITTED
        reply.save(update_fields=["status"])
    make_consultation(
        world.assignment,
        member=world.proposer,
        by=world.handler_a,
        held=timezone.localdate(),
        status=ConsultationStatus.HELD,
    )

    handler = actor("handler")
    handler.login(world.handler_a.username, PASSWORD)
    assert "/work/" in handler.page.url
    assert count(handler, "accept") == 3 and count(handler, "issue") == 2 and count(handler, "member_sign") == 1
    assert handler.axe_violations() == []
    handler.page.locator("[aria-labelledby='q-accept'] a", has_text="待签收提案0").click()
    handler.page.wait_for_load_state()
    assert "待签收提案0" in handler.page.inner_text("h1")
    assert handler.page.locator("button:has-text('签收')").count() >= 1  # the action is on that page

    leader = actor("leader")
    leader.login(world.leader_a.username, PASSWORD)
    assert leader.page.inner_text("#nav-pending-issue") == "2"
    assert "待签发答复0" in leader.page.inner_text("main")  # the letters to sign off, on the page
    # 签发 and 退回修改 from here; these bare letters lack what 签发 checks, and each card says what.
    cards = leader.page.locator("[aria-labelledby='to-issue'] article")
    assert cards.count() == 2
    for i in range(2):
        card = cards.nth(i)
        assert card.locator("button:has-text('退回修改')").count() == 1
        assert card.locator("button:has-text('签发')").count() == 1 or card.locator("ul.text-danger li").count() >= 1
    leader.page.locator("a:has-text('打开答复页')").first.click()
    leader.page.wait_for_url("**/replies/assignment/**")

    member = actor("member")
    member.login(world.member_user.username, PASSWORD)
    assert count(member, "sign") == 1
    member.page.locator("[aria-labelledby='q-sign'] a").first.click()
    member.page.wait_for_url("**/consultations/*/sign/")
