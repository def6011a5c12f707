"""跟踪办理 (issue 21, item 5): a B-class answer is followed up, the agency reports, the class may change.

Dates are pinned (``frozen``) so every deadline is counted by hand: 2025-09-30 (a Tuesday) plus
3 months is 2025-12-30; plus 3 working days is 2025-10-11, the Saturday worked after the National
Day holiday (1–8 October 2025, the State Council's notice).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.services import closing
from oversight.models import Notification
from oversight.queues import handler_queues, staff_queues
from oversight.reminders import send_reminders
from oversight.stats import follow_up_stats, meeting_stats
from proposals.choices import DeadlineUnit
from proposals.models import (
    AssignmentStatus,
    CommitteeReplyClass,
    ProposalStatus,
    TimelineEvent,
)
from proposals.roles import NOT_ALLOWED
from replies import followup, rules
from replies.actions import ReplyAction
from replies.models import FollowUp, FollowUpStatus, Reply
from tests.factories import (
    World,
    draft_reply,
    issue,
    make_assignment,
    make_proposal,
    make_rating,
    refused,
)

ISSUE_DAY = dt.date(2025, 9, 30)


@pytest.fixture
def clock(monkeypatch, world: World):
    """Pins "now" (``clock.set(day)`` moves it); the world's assignment was made a month before."""

    class Clock:
        def set(self, day: dt.date, hour: int = 10) -> None:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
            monkeypatch.setattr(timezone, "now", lambda: moment)

    clock = Clock()
    clock.set(ISSUE_DAY)
    world.assignment.__class__.objects.filter(pk=world.assignment.pk).update(
        assigned_at=timezone.make_aware(dt.datetime(2025, 9, 1, 9, 0))
    )
    world.assignment.refresh_from_db()
    return clock


def issue_class(world: World, reply_class: str, assignment=None) -> Reply:
    return issue(world, draft_reply(world, assignment, reply_class=reply_class))


def events(world: World, action: str) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(proposal=world.proposal, action=action).order_by("id"))


def notified(user, action: str) -> bool:
    return Notification.objects.filter(user=user, kind=action).exists()


# --- Opening ------------------------------------------------------------------------------------


def test_b_reply_opens_a_follow_up_due_in_months(world, clock):
    reply = issue_class(world, "B")

    follow_up = FollowUp.objects.get()
    assert (follow_up.reply, follow_up.assignment, follow_up.round) == (reply, world.assignment, 1)
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.class_before == "B" and follow_up.class_after == ""
    assert follow_up.due_date == dt.date(2025, 12, 30)
    # The assignment stays replied (the member may rate the letter); the follow-up is what is open.
    world.assignment.refresh_from_db()
    world.proposal.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REPLIED
    assert world.proposal.status == ProposalStatus.REPLIED
    [event] = events(world, ReplyAction.FOLLOW_UP_OPEN)
    assert "B 类" in event.note and "2025年12月30日" in event.note
    # The agency's handler hears of it (the leader issued it: the actor is not notified).
    assert notified(world.handler_a, ReplyAction.FOLLOW_UP_OPEN)
    assert not notified(world.leader_a, ReplyAction.FOLLOW_UP_OPEN)


def test_deadline_in_working_days_skips_the_national_day_holiday(world, clock):
    committee = world.meeting.committee
    committee.deadline_unit = DeadlineUnit.WORKING_DAYS
    committee.save(update_fields=["deadline_unit"])

    issue_class(world, "B")

    assert FollowUp.objects.get().due_date == dt.date(2025, 10, 11)


def test_a_reply_opens_nothing(world, clock):
    issue_class(world, "A")
    assert not FollowUp.objects.exists()
    assert not events(world, ReplyAction.FOLLOW_UP_OPEN)


def test_committee_whose_classes_mark_none_for_follow_up_opens_nothing(world, clock):
    committee = world.meeting.committee
    for order, code in enumerate("ABC"):
        CommitteeReplyClass.objects.create(committee=committee, code=code, label=f"{code} 类", order=order)
    assert not rules.follows_up(committee, "B")

    issue_class(world, "B")

    assert not FollowUp.objects.exists()


def test_committee_own_marked_class_is_followed_up_and_the_default_b_is_not(world, clock):
    committee = world.meeting.committee
    CommitteeReplyClass.objects.create(committee=committee, code="A", label="甲类", order=1)
    CommitteeReplyClass.objects.create(committee=committee, code="B", label="乙类", order=2)
    CommitteeReplyClass.objects.create(committee=committee, code="B2", label="乙二类", order=3, follow_up=True)
    assert rules.follows_up(committee, "B2")
    assert not rules.follows_up(committee, "B")
    assert not rules.follows_up(committee, "")

    issue_class(world, "B2")

    assert FollowUp.objects.get().class_before == "B2"
    assert "乙二类" in events(world, ReplyAction.FOLLOW_UP_OPEN)[0].note


# --- Filing -------------------------------------------------------------------------------------


def test_handler_files_b_to_a_and_the_proposers_are_notified(world, clock):
    reply = issue_class(world, "B")
    clock.set(dt.date(2025, 11, 20))
    follow_up = FollowUp.objects.get()

    filed = followup.followup_file(
        followup=follow_up, actor=world.handler_a, text="项目已竣工投入使用。", new_class="A"
    )

    filed.refresh_from_db()
    assert filed.status == FollowUpStatus.FILED
    assert (filed.class_before, filed.class_after) == ("B", "A")
    assert filed.report == "项目已竣工投入使用。"
    assert filed.filed_by == world.handler_a
    assert timezone.localdate(filed.filed_at) == dt.date(2025, 11, 20)
    # The issued letter is unchanged; the class in force is the report's.
    reply.refresh_from_db()
    assert reply.reply_class == "B"
    assert rules.effective_class(world.assignment) == "A"
    # A is not followed up: nothing else opens.
    assert FollowUp.objects.open().count() == 0
    [event] = events(world, ReplyAction.FOLLOW_UP_FILE)
    assert event.actor == world.handler_a
    assert "B 类调整为 A 类" in event.note and "项目已竣工投入使用。" in event.note
    # Every proposer (the first proposer and the co-signer) and the committee's staff hear of it.
    for user in (world.member_user, world.cosigner_user, world.staff):
        assert notified(user, ReplyAction.FOLLOW_UP_FILE)
    assert not notified(world.unrelated_user, ReplyAction.FOLLOW_UP_FILE)


def test_leader_may_file_and_a_class_still_followed_up_opens_the_next_round(world, clock):
    issue_class(world, "B")
    clock.set(dt.date(2025, 12, 1))

    followup.followup_file(followup=FollowUp.objects.get(), actor=world.leader_a, text="一期已完成，二期推进中。")

    first, second = FollowUp.objects.order_by("round")
    assert (first.status, first.class_after) == (FollowUpStatus.FILED, "B")
    assert (second.round, second.status, second.class_before) == (2, FollowUpStatus.OPEN, "B")
    assert second.due_date == dt.date(2026, 3, 1)  # three months from the report
    assert "仍为 B 类" in events(world, ReplyAction.FOLLOW_UP_FILE)[0].note
    assert rules.effective_class(world.assignment) == "B"


def test_wrong_actors_and_bad_reports_are_refused_and_change_nothing(world, clock):
    issue_class(world, "B")
    follow_up = FollowUp.objects.get()
    for outsider in (world.handler_b, world.member_user, world.staff):
        with refused(NOT_ALLOWED):
            followup.followup_file(followup=follow_up, actor=outsider, text="报告", new_class="A")
    with refused(followup.REPORT_REQUIRED):
        followup.followup_file(followup=follow_up, actor=world.handler_a, text="   ")
    with refused(rules.CLASS_NOT_ENABLED % {"label": "D"}):  # D is off by default
        followup.followup_file(followup=follow_up, actor=world.handler_a, text="报告", new_class="D")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.report == ""
    assert not events(world, ReplyAction.FOLLOW_UP_FILE)

    followup.followup_file(followup=follow_up, actor=world.handler_a, text="已解决", new_class="A")
    with refused(followup.FOLLOW_UP_NOT_OPEN):
        followup.followup_file(followup=follow_up, actor=world.handler_a, text="再报一次", new_class="C")
    assert FollowUp.objects.get().class_after == "A"


def test_proposal_cannot_be_closed_while_a_follow_up_is_open(world, clock):
    issue_class(world, "B")
    make_rating(world.assignment, member=world.proposer, by=world.staff, value="satisfied")
    make_rating(world.assignment, member=world.cosigner, by=world.staff, value="satisfied")
    world.proposal.refresh_from_db()

    problems = closing.close_readiness(world.proposal)
    assert problems == [f"{world.agency_a.name}：跟踪办理待报告（时限 2025年12月30日）"]
    with refused(closing.CLOSE_FOLLOW_UP_OPEN):
        closing.proposal_close(proposal=world.proposal, actor=world.staff)
    with refused(closing.CLOSE_FOLLOW_UP_OPEN):  # not even by decision, with a reason
        closing.proposal_close(proposal=world.proposal, actor=world.staff, reason="领导同意办结")
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.REPLIED

    followup.followup_file(followup=FollowUp.objects.get(), actor=world.handler_a, text="已解决", new_class="A")
    assert closing.close_readiness(world.proposal) == []
    closing.proposal_close(proposal=world.proposal, actor=world.staff)
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.CLOSED


# --- Queues and statistics ----------------------------------------------------------------------


def _second_proposal(world: World, number: str, sequence: int):
    proposal = make_proposal(
        meeting=world.meeting,
        created_by=world.staff,
        first_proposer=world.proposer,
        status=ProposalStatus.ASSIGNED,
        number=number,
        sequence=sequence,
        title=f"第{sequence}件",
    )
    assignment = make_assignment(proposal=proposal, agency=world.agency_a, assigned_by=world.staff)
    assignment.__class__.objects.filter(pk=assignment.pk).update(assigned_at=world.assignment.assigned_at)
    assignment.refresh_from_db()
    return assignment


def test_statistics_count_follow_ups_and_class_changes_by_hand(world, clock):
    # TA0001: B, reported solved (B → A). TA0002: B, no report yet, past its deadline. TA0003: A.
    issue_class(world, "B")
    second = _second_proposal(world, "TA0002", 2)
    issue_class(world, "B", second)
    third = _second_proposal(world, "TA0003", 3)
    issue_class(world, "A", third)
    first_follow_up = FollowUp.objects.get(assignment=world.assignment)
    clock.set(dt.date(2025, 12, 1))
    followup.followup_file(followup=first_follow_up, actor=world.handler_a, text="已解决", new_class="A")
    clock.set(dt.date(2026, 1, 5))  # both deadlines (2025-12-30) passed; TA0001's is reported

    figures = follow_up_stats(world.meeting)
    assert (figures.followed_up, figures.open, figures.overdue, figures.filed) == (2, 1, 1, 1)
    assert figures.change_rows() == [("B 类", "A 类", 1)]

    # The class shares count the class in force: TA0001 is A now, so A 2, B 1 of 3 replied.
    stats = meeting_stats(world.meeting)
    assert stats.totals.replied == 3
    assert (stats.totals.classes["A"], stats.totals.classes["B"]) == (2, 1)

    # The agency's inbox and the staff's overdue queue list TA0002's report with its deadline.
    [agency_queue] = [q for q in handler_queues(world.handler_a) if q.key == "follow_up"]
    assert agency_queue.count == 1 and agency_queue.items[0].due == dt.date(2025, 12, 30)
    assert "TA0002" in agency_queue.items[0].title
    [staff_queue] = [q for q in staff_queues(world.staff) if q.key == "follow_up_overdue"]
    assert staff_queue.count == 1
    [other_agency] = [q for q in handler_queues(world.handler_b) if q.key == "follow_up"]
    assert other_agency.count == 0


def test_statistics_page_shows_the_follow_up_figures(world, clock, login):
    issue_class(world, "B")
    followup.followup_file(followup=FollowUp.objects.get(), actor=world.handler_a, text="已解决", new_class="A")

    page = login(world.staff).get(reverse("oversight:statistics", args=[world.meeting.pk])).content.decode()

    assert 'data-figure="follow_up_items">1<' in page
    assert 'data-figure="follow_up_filed">1<' in page
    assert "B 类 → A 类" in page


# --- Pages --------------------------------------------------------------------------------------


def test_handler_files_the_report_on_the_page_after_confirming(world, clock, login):
    issue_class(world, "B")
    url = reverse("replies:follow_up", args=[world.assignment.pk])
    client = login(world.handler_a)

    assignment_page = client.get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert 'id="follow-up-section"' in assignment_page and url in assignment_page
    page = client.get(url)
    assert page.status_code == 200 and 'name="text"' in page.content.decode()

    # Bad input: the form again with its error, nothing written.
    bad = client.post(url, {"text": "", "new_class": "A"})
    assert bad.status_code == 200 and bad.context["form"].errors["text"]
    # First the confirmation (the report cannot be changed afterwards), then the report.
    asked = client.post(url, {"text": "已完工", "new_class": "A"})
    assert asked.status_code == 200 and "确认报告" in asked.content.decode()
    assert FollowUp.objects.get().status == FollowUpStatus.OPEN

    done = client.post(url, {"text": "已完工", "new_class": "A", "confirm": "1"})
    assert done.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.class_after, follow_up.report) == (FollowUpStatus.FILED, "A", "已完工")


def test_member_reads_the_report_and_gets_no_form(world, clock, login):
    issue_class(world, "B")
    url = reverse("replies:follow_up", args=[world.assignment.pk])
    client = login(world.member_user)
    page = client.get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert 'id="follow-up-section"' in page and url not in page  # no button for the member

    refused_post = client.post(url, {"text": "我来报告", "new_class": "A", "confirm": "1"})
    assert refused_post.status_code == 302
    assert FollowUp.objects.get().status == FollowUpStatus.OPEN

    followup.followup_file(
        followup=FollowUp.objects.get(), actor=world.handler_a, text="路灯已全部安装。", new_class="A"
    )
    detail = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert "路灯已全部安装。" in detail  # the report in the proposal's timeline
    page = client.get(url).content.decode()
    assert "路灯已全部安装。" in page and 'name="text"' not in page


def test_other_agency_gets_404(world, clock, login):
    issue_class(world, "B")
    url = reverse("replies:follow_up", args=[world.assignment.pk])
    client = login(world.handler_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "confirm": "1"}).status_code == 404
    assert FollowUp.objects.get().status == FollowUpStatus.OPEN


def test_follow_up_list_filters_and_is_closed_to_members(world, clock, login):
    issue_class(world, "B")
    url = reverse("replies:follow_ups")
    assert login(world.member_user).get(url).status_code == 404

    staff = login(world.staff)
    open_page = staff.get(url).content.decode()
    assert "TA0001" in open_page
    assert "TA0001" not in staff.get(url + "?status=overdue").content.decode()
    clock.set(dt.date(2026, 1, 5))  # the session's age is counted on this clock too: log in again
    assert "TA0001" in login(world.staff).get(url + "?status=overdue").content.decode()
    assert "TA0001" in login(world.handler_a).get(url).content.decode()
    assert "TA0001" not in login(world.handler_b).get(url).content.decode()


def test_daily_reminders_ring_the_agency_for_a_report_due_soon_then_overdue(world, clock):
    issue_class(world, "B")  # due 2025-12-30
    send_reminders(today=dt.date(2025, 12, 1))
    assert not Notification.objects.filter(kind__startswith="follow_up_due").exists()

    send_reminders(today=dt.date(2025, 12, 26))
    send_reminders(today=dt.date(2025, 12, 27))  # once per due date
    assert Notification.objects.filter(user=world.handler_a, kind="follow_up_due_soon").count() == 1
    send_reminders(today=dt.date(2026, 1, 2))
    assert Notification.objects.filter(user=world.leader_a, kind="follow_up_overdue").count() == 1
    assert not Notification.objects.filter(user=world.handler_b, kind__startswith="follow_up").exists()


def test_a_later_rounds_reply_supersedes_the_open_follow_up(world, clock):
    issue_class(world, "B")
    # 不满意 sent the assignment back for re-handling (the rating rules are tested in consultations).
    world.assignment.__class__.objects.filter(pk=world.assignment.pk).update(
        status=AssignmentStatus.REHANDLING, round=2
    )
    world.assignment.refresh_from_db()
    with refused(followup.FOLLOW_UP_ASSIGNMENT_NOT_REPLIED):
        followup.followup_file(followup=FollowUp.objects.get(), actor=world.handler_a, text="报告")

    issue_class(world, "A")

    old = FollowUp.objects.get()
    assert old.status == FollowUpStatus.SUPERSEDED
    assert not FollowUp.objects.open().exists()
    assert len(events(world, ReplyAction.FOLLOW_UP_SUPERSEDE)) == 1
    assert rules.effective_class(world.assignment) == "A"
    assert follow_up_stats(world.meeting).followed_up == 0


def test_staff_see_the_follow_up_on_the_proposals_page(world, clock, login):
    issue_class(world, "B")
    client = login(world.staff)
    detail = reverse("proposals:detail", args=[world.proposal.pk])

    page = client.get(detail).content.decode()
    assert f'id="follow-up-state-{world.assignment.pk}"' in page and "待报告（时限 2025年12月30日）" in page

    followup.followup_file(followup=FollowUp.objects.get(), actor=world.handler_a, text="已解决", new_class="A")
    page = client.get(detail).content.decode()
    assert "B 类 → A 类" in page
