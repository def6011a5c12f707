"""Members read their proposal's milestones, not the working papers or other members' ratings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.actions import ConsultationAction
from proposals.choices import ProposalAction
from proposals.selectors import timeline_visible_to
from proposals.timeline import timeline_record
from replies.actions import ReplyAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    p, a = world.proposal, world.assignment
    timeline_record(proposal=p, actor=world.staff, action=ProposalAction.REGISTER, note="立案说明")
    timeline_record(proposal=p, actor=world.staff, action=ProposalAction.KEY_ON, note="督办说明：请加快进度")
    timeline_record(
        proposal=p, actor=world.leader_a, action=ReplyAction.RETURN, assignment=a, note="负责人退回意见：数据有误"
    )
    timeline_record(
        proposal=p, actor=world.member_user, action=ConsultationAction.RATE, assignment=a, note="张三的意见：很好"
    )
    timeline_record(
        proposal=p, actor=world.cosigner_user, action=ConsultationAction.RATE, assignment=a, note="李四的意见：一般"
    )
    other = world.agency_b
    from tests.factories import make_assignment

    b = make_assignment(proposal=p, agency=other, assigned_by=world.staff, role="split")
    timeline_record(
        proposal=p, actor=world.handler_b, action=ProposalAction.EXTENSION_REQUEST, assignment=b, note="乙单位延期理由"
    )
    return p


def visible(user, proposal) -> list[tuple[str, str]]:
    return [(e.action_label, e.visible_note) for e in timeline_visible_to(user, proposal)]


def test_staff_see_every_event_with_its_note(world, events):
    got = visible(world.staff, events)
    assert ("列为重点提案", "督办说明：请加快进度") in got
    assert ("满意度测评", "李四的意见：一般") in got
    assert len(got) == 6


def test_member_sees_milestones_and_only_their_own_rating(world, events):
    got = visible(world.member_user, events)
    assert [a for a, _n in got] == ["立案", "满意度测评"]
    assert ("满意度测评", "") in got  # their own rating is listed; notes of milestones stay internal
    page = _page(world.member_user, world, events)
    for secret in ("督办说明", "负责人退回意见", "李四的意见", "乙单位延期理由", "立案说明"):
        assert secret not in page


def test_cosigner_does_not_read_the_first_proposers_rating(world, events):
    got = visible(world.cosigner_user, events)
    assert [a for a, _n in got] == ["立案", "满意度测评"]
    page = _page(world.cosigner_user, world, events)
    assert "张三的意见" not in page


def test_agency_sees_its_own_work_not_another_agencys(world, events):
    got = [a for a, _n in visible(world.handler_a, events)]
    assert "退回修改" in got and "申请延期" not in got
    assert "申请延期" in [a for a, _n in visible(world.handler_b, events)]


def _page(user, world, proposal) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_agency_reads_the_cosigning_events_without_their_notes(world):
    """A co-signer's reason for withdrawing and a paper confirmation's scan name stay with the committee."""
    p = world.proposal
    timeline_record(
        proposal=p, actor=world.cosigner_user, action=ProposalAction.COSIGN_DECLINE, note="李四退出联名：身体原因"
    )
    timeline_record(
        proposal=p,
        actor=world.staff,
        action=ProposalAction.COSIGN_PAPER,
        note="王五纸质确认联名（扫描件：王五13800.pdf）",
    )
    got = visible(world.handler_a, p)
    assert ("联名人退出联名", "") in got and ("录入联名人纸质确认", "") in got
    assert ("联名人退出联名", "李四退出联名：身体原因") in visible(world.staff, p)
    page = _page(world.handler_a, world, p)
    assert "身体原因" not in page and "王五13800.pdf" not in page
