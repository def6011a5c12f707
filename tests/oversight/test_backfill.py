"""Back-dated entry (补录, issue 17): a 2019 case with its real dates, on the timeline, in the letter
and in its meeting's statistics; refused orderings say why and write nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from consultations.models import Consultation, ConsultationStatus, Rating, SignMethod
from oversight import backfill
from oversight.backfill import (
    ACCEPTED_BEFORE_ASSIGNED,
    DATE_IN_FUTURE,
    NEEDS_EARLIER,
    BackfillConsultation,
    BackfillError,
    BackfillRating,
    BackfillReply,
    case_backfill,
)
from oversight.models import Notification
from oversight.stats import meeting_stats
from proposals.models import Assignment, AssignmentStatus, Meeting, Proposal, ProposalStatus, TimelineEvent
from proposals.roles import NOT_ALLOWED
from proposals.services import DUPLICATE_NUMBER
from replies import rules as reply_rules
from replies.models import Reply, ReplyStatus
from tests.factories import fake_pdf_upload, pdf_upload, refused

pytestmark = pytest.mark.django_db

D = dt.date


def _meeting_2019() -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(
        term=7, session=3, defaults={"number_prefix": "TA", "opened_on": D(2019, 1, 10)}
    )
    return meeting


def _case(world, meeting, **overrides):
    kwargs = {
        "actor": world.staff,
        "meeting": meeting,
        "number": "TA0012",
        "title": "关于改善老城区交通的建议",
        "main_content": "老城区交通拥堵。",
        "first_proposer": world.proposer,
        "submitted_on": D(2019, 1, 12),
        "registered_on": D(2019, 1, 20),
        "agency": world.agency_a,
        "assigned_on": D(2019, 2, 1),
        "accepted_on": D(2019, 2, 3),
        "reply": BackfillReply(
            reply_date=D(2019, 4, 18),
            reply_class="A",
            body="经研究，现答复如下：已完成信号灯改造。",
            leader_name="赵局长",
            handler_name="钱科员",
            phone="0356-2021234",
        ),
        "consultation": BackfillConsultation(
            held_at=timezone.make_aware(dt.datetime(2019, 4, 10, 9, 30)),
            place="市发改委会议室",
            host_name="钱科员",
            host_phone="0356-2021234",
        ),
        "rating": BackfillRating(value="satisfied", rated_on=D(2019, 5, 6)),
        "closed_on": D(2019, 5, 20),
    }
    kwargs.update(overrides)
    return case_backfill(**kwargs)


def _stored_files(folder: str) -> list[str]:
    if not default_storage.exists(folder):
        return []
    folders, files = default_storage.listdir(folder)
    return files + [f for sub in folders for f in _stored_files(f"{folder}/{sub}")]


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_2019_case_keeps_its_dates_on_the_timeline_the_letter_and_the_statistics(world):
    meeting = _meeting_2019()
    proposal = _case(world, meeting)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    assert proposal.number == "TA0012"
    assert timezone.localdate(proposal.submitted_at) == D(2019, 1, 12)
    assert timezone.localdate(proposal.registered_at) == D(2019, 1, 20)
    assert timezone.localdate(proposal.closed_at) == D(2019, 5, 20)
    assignment = Assignment.objects.get(proposal=proposal)
    assert assignment.status == AssignmentStatus.DONE
    assert timezone.localdate(assignment.assigned_at) == D(2019, 2, 1)
    assert assignment.due_date == D(2019, 5, 1)  # three months, the meeting's term

    # Every event carries its real 2019 date and is marked as entered now by the clerk.
    events = list(TimelineEvent.objects.filter(proposal=proposal))
    assert len(events) >= 10
    assert {timezone.localdate(e.at).year for e in events} == {2019}
    assert all(e.entered_at is not None and e.actor == world.staff for e in events)
    assert timezone.localdate(events[0].at) == D(2019, 1, 12)
    assert timezone.localdate(events[-1].at) == D(2019, 5, 20)
    assert AuditEvent.objects.filter(detail__contains="backfilled_at=2019-").count() == len(events)

    # The letter: issued, frozen, its stored PDF dated 2019 and hashed.
    reply = Reply.objects.get(assignment=assignment)
    assert reply.status == ReplyStatus.ISSUED
    assert timezone.localdate(reply.issued_at) == D(2019, 4, 18)
    with default_storage.open(reply.pdf.name, "rb") as fh:
        data = fh.read()
    assert backfill.sha256_hex(data) == reply.pdf_sha256
    text = _pdf_text(data)
    assert "2019年4月18日" in text
    assert "第 TA0012 号" in text.replace("第TA0012号", "第 TA0012 号")

    record = Consultation.objects.get(assignment=assignment)
    assert record.status == ConsultationStatus.SIGNED
    assert record.sign_method == SignMethod.PAPER
    assert record.reply_id == reply.pk
    assert record.pdf_sha256 and record.content_sha256
    assert Rating.objects.get(assignment=assignment).value == "satisfied"

    # The meeting's statistics count it with its real dates: replied on time, consulted before.
    stats = meeting_stats(meeting)
    assert stats.registered == 1 and stats.replied_proposals == 1
    assert stats.totals.replied == 1
    assert stats.totals.on_time == 1
    assert stats.totals.consulted_before_reply == 1
    assert stats.totals.classes["A"] == 1
    assert stats.totals.satisfaction_rate.percent == 100.0

    # Nobody is notified of steps taken in 2019.
    assert not Notification.objects.exists()


def test_the_proposal_page_shows_the_back_dates_and_the_mark(world, client):
    proposal = _case(world, _meeting_2019())
    client.force_login(world.staff)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "2019年4月18日" in page
    assert "补录" in page


def test_a_late_reply_is_counted_late(world):
    meeting = _meeting_2019()
    reply = BackfillReply(
        reply_date=D(2019, 6, 3),
        reply_class="B",
        body="正在推进。",
        leader_name="赵",
        handler_name="钱",
        phone="0356-2021234",
    )
    _case(world, meeting, reply=reply, consultation=None, rating=None, closed_on=None)
    stats = meeting_stats(meeting)
    assert stats.totals.replied == 1
    assert stats.totals.on_time == 0


def test_a_scanned_original_is_kept_as_the_issued_file(world):
    scan = pdf_upload("答复函原件.pdf")
    content = scan.read()
    scan.seek(0)
    reply = BackfillReply(
        reply_date=D(2019, 4, 18),
        reply_class="A",
        body="见原件。",
        leader_name="赵",
        handler_name="钱",
        phone="0356-2021234",
        scan=scan,
    )
    proposal = _case(world, _meeting_2019(), reply=reply, consultation=None, rating=None, closed_on=None)
    stored = Reply.objects.get(assignment__proposal=proposal)
    with default_storage.open(stored.pdf.name, "rb") as fh:
        assert fh.read() == content
    assert stored.pdf_sha256 == backfill.sha256_hex(content)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.REPLIED


def test_a_running_case_stops_at_its_last_step(world):
    proposal = _case(world, _meeting_2019(), reply=None, consultation=None, rating=None, closed_on=None)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.ASSIGNED
    assert Assignment.objects.get(proposal=proposal).status == AssignmentStatus.ACCEPTED
    assert not Reply.objects.exists()


def _nothing_written(before: int) -> None:
    assert Proposal.objects.count() == before
    assert not Reply.objects.exists()
    assert not Consultation.objects.exists()
    assert not TimelineEvent.objects.filter(entered_at__isnull=False).exists()


def test_a_reply_dated_before_its_assignment_is_refused_with_the_letters_rule(world):
    before = Proposal.objects.count()
    reply = BackfillReply(
        reply_date=D(2019, 1, 25),
        reply_class="A",
        body="答复。",
        leader_name="赵",
        handler_name="钱",
        phone="0356-2021234",
    )
    with pytest.raises(BackfillError) as caught:
        _case(world, _meeting_2019(), accepted_on=None, reply=reply, consultation=None, rating=None, closed_on=None)
    problems = dict(caught.value.problems)
    assert problems["accepted_on"] == str(NEEDS_EARLIER % {"step": "答复", "earlier": "签收日期"})
    _nothing_written(before)

    with pytest.raises(BackfillError) as caught:
        _case(
            world,
            _meeting_2019(),
            reply=reply,
            accepted_on=D(2019, 1, 20),
            consultation=None,
            rating=None,
            closed_on=None,
        )
    problems = dict(caught.value.problems)
    assert problems["accepted_on"] == str(ACCEPTED_BEFORE_ASSIGNED % {"date": "2019年2月1日"})
    assert problems["reply_date"] == str(reply_rules.DATE_BEFORE_ASSIGNMENT % {"date": "2019年2月1日"})
    _nothing_written(before)
    assert _stored_files("replies") == []  # no letter rendered and left behind


def test_a_consultation_before_the_assignment_and_a_future_date_are_refused(world):
    before = Proposal.objects.count()
    consultation = BackfillConsultation(
        held_at=timezone.make_aware(dt.datetime(2019, 1, 25, 9, 0)),
        place="会议室",
        host_name="钱",
        host_phone="0356-2021234",
    )
    future = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(BackfillError) as caught:
        _case(world, _meeting_2019(), consultation=consultation, closed_on=future)
    problems = dict(caught.value.problems)
    assert problems["held_at"] == "面商时间不能早于交办日期（2019年2月1日）。"
    assert problems["closed_on"] == str(DATE_IN_FUTURE)
    _nothing_written(before)


def test_a_number_already_taken_in_the_meeting_is_refused(world):
    meeting = _meeting_2019()
    _case(world, meeting, reply=None, consultation=None, rating=None, closed_on=None)
    with pytest.raises(BackfillError) as caught:
        _case(world, meeting, reply=None, consultation=None, rating=None, closed_on=None)
    assert dict(caught.value.problems)["number"] == str(DUPLICATE_NUMBER)
    assert Proposal.objects.filter(meeting=meeting).count() == 1


@pytest.mark.parametrize("who", ["handler_a", "member_user", "admin"])
def test_only_staff_of_the_committee_may_backfill(world, who):
    before = Proposal.objects.count()
    with refused(NOT_ALLOWED):
        _case(world, _meeting_2019(), actor=getattr(world, who))
    assert Proposal.objects.count() == before


def test_a_registered_case_without_a_number_takes_the_next_one(world):
    meeting = _meeting_2019()
    proposal = _case(world, meeting, number="", reply=None, consultation=None, rating=None, closed_on=None)
    assert proposal.number == "TA0001"
    assert Meeting.objects.get(pk=meeting.pk).last_sequence == 1


# --- The page -------------------------------------------------------------------------------------


def _post_data(world, meeting, **overrides) -> dict:
    data = {
        "meeting": meeting.pk,
        "number": "TA0031",
        "title": "关于加强古建筑保护的建议",
        "proposer_kind": "individual",
        "first_proposer": world.proposer.pk,
        "main_content": "古建筑保护不足。",
        "submitted_on": "2019-01-12",
        "registered_on": "2019-01-20",
        "agency": world.agency_a.pk,
        "assigned_on": "2019-02-01",
        "accepted_on": "2019-02-02",
        "reply_date": "2019-04-18",
        "reply_class": "B",
        "reply_body": "正在逐步推进。",
        "reply_leader_name": "赵局长",
        "reply_handler_name": "钱科员",
        "reply_phone": "0356-2021234",
        "reply_is_public": "on",
        "reply_pdf": "regenerate",
        "method": "in_person",
        "opinion": "agree",
    }
    data.update(overrides)
    return data


def test_staff_backfill_a_case_through_the_page(world, client):
    meeting = _meeting_2019()
    client.force_login(world.staff)
    assert client.get(reverse("oversight:backfill")).status_code == 200
    response = client.post(reverse("oversight:backfill"), _post_data(world, meeting))
    proposal = Proposal.objects.get(meeting=meeting, number="TA0031")
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.status == ProposalStatus.REPLIED
    reply = Reply.objects.get(assignment__proposal=proposal)
    assert reply.reply_date == D(2019, 4, 18) and reply.reply_class == "B"


def test_the_page_says_which_date_is_wrong_and_writes_nothing(world, client):
    meeting = _meeting_2019()
    before = Proposal.objects.count()
    client.force_login(world.staff)
    response = client.post(reverse("oversight:backfill"), _post_data(world, meeting, reply_date="2019-01-25"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "成文日期不能早于交办日期（2019年2月1日）。" in page
    _nothing_written(before)


def test_the_page_asks_for_the_original_when_upload_is_chosen(world, client):
    meeting = _meeting_2019()
    client.force_login(world.staff)
    response = client.post(reverse("oversight:backfill"), _post_data(world, meeting, reply_pdf="upload"))
    assert response.status_code == 200
    assert "请上传答复函原件（PDF）" in response.content.decode()
    assert not Proposal.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize("who", ["handler_a", "member_user", "admin"])
def test_others_cannot_open_the_page(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("oversight:backfill")).status_code == 403
    assert client.post(reverse("oversight:backfill"), _post_data(world, _meeting_2019())).status_code == 403
    assert not Proposal.objects.filter(number="TA0031").exists()


def test_the_staff_list_links_to_the_page(world, client):
    client.force_login(world.staff)
    page = client.get(reverse("proposals:list")).content.decode()
    assert reverse("oversight:backfill") in page
    assert reverse("proposals:word_import") in page


def test_the_letters_own_rules_are_said_at_their_fields(world):
    reply = BackfillReply(
        reply_date=D(2019, 4, 18), reply_class="A", body="", leader_name="", handler_name="钱", phone="12"
    )
    with pytest.raises(BackfillError) as caught:
        _case(world, _meeting_2019(), reply=reply, consultation=None, rating=None, closed_on=None)
    problems = dict(caught.value.problems)
    assert problems["reply_body"] == str(reply_rules.BODY_REQUIRED)
    assert problems["reply_leader_name"] == str(reply_rules.LEADER_REQUIRED)
    assert "reply_phone" in problems
    assert not Proposal.objects.filter(number="TA0012").exists()


def test_a_refusal_after_the_letter_was_rendered_leaves_no_file(world):
    consultation = BackfillConsultation(
        held_at=timezone.make_aware(dt.datetime(2019, 4, 10, 9, 30)),
        place="会议室",
        host_name="钱",
        host_phone="0356-2021234",
        scan=fake_pdf_upload(),
    )
    with pytest.raises(BackfillError) as caught:
        _case(world, _meeting_2019(), consultation=consultation)
    assert "record_scan" in dict(caught.value.problems)
    assert not Proposal.objects.filter(number="TA0012").exists()
    assert _stored_files("replies") == []
    assert _stored_files("consultation-scans") == []


def test_a_body_proposal_is_answered_to_the_body(world):
    reply = BackfillReply(
        reply_date=D(2019, 4, 18),
        reply_class="C",
        body="留作参考。",
        leader_name="赵",
        handler_name="钱",
        phone="0356-2021234",
    )
    proposal = _case(
        world,
        _meeting_2019(),
        proposer_kind="body",
        first_proposer=None,
        body_name="民革晋城市委员会",
        body_contact="孙主任",
        reply=reply,
        consultation=None,
        rating=None,
        closed_on=None,
    )
    letter = Reply.objects.get(assignment__proposal=proposal)
    assert letter.addressee == "民革晋城市委员会："
    assert "民革晋城市委员会：" in _pdf_text(default_storage.open(letter.pdf.name, "rb").read())


def test_a_rating_for_a_body_proposal_is_refused(world):
    with pytest.raises(BackfillError) as caught:
        _case(
            world,
            _meeting_2019(),
            proposer_kind="body",
            first_proposer=None,
            body_name="民革",
            body_contact="孙",
            consultation=None,
        )
    assert "rating" in dict(caught.value.problems)
