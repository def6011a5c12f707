from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations import services
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus, Rating
from proposals.deadlines import add_months
from proposals.errors import DomainError
from proposals.models import AssignmentStatus, ProposalStatus, TimelineEvent
from replies.models import Reply, ReplyStatus
from tests.factories import draft_reply, make_assignment, pdf_upload, record, schedule, signed_round

pytestmark = pytest.mark.django_db


def rate(world, actor, value="satisfied", member=None, **kw):
    member = member or actor.member
    return services.rating_submit(assignment=world.assignment, actor=actor, member_id=member.pk, value=value, **kw)


def test_rating_before_the_reply_is_issued_is_refused(world):
    draft_reply(world)
    with pytest.raises(DomainError) as exc:
        rate(world, world.member_user)
    assert exc.value.message == str(services.RATING_BEFORE_ISSUE)
    assert not Rating.objects.exists()


def test_first_proposer_and_cosigner_both_rate(world, replied):
    a = rate(world, world.member_user, "satisfied", comment="很好")
    b = rate(world, world.cosigner_user, "basic", comment="进度偏慢")
    assert (a.member, a.value, a.comment, a.on_behalf, a.round) == (world.proposer, "satisfied", "很好", False, 1)
    assert (b.member, b.value) == (world.cosigner, "basic")
    assert TimelineEvent.objects.filter(action=ConsultationAction.RATE).count() == 2


def test_unrelated_member_cannot_rate(world, replied):
    with pytest.raises(DomainError) as exc:
        rate(world, world.unrelated_user)
    assert exc.value.message == str(services.RATING_NOT_PROPOSER)


def test_member_cannot_rate_for_another_member(world, replied):
    with pytest.raises(DomainError) as exc:
        rate(world, world.cosigner_user, member=world.proposer)
    assert exc.value.message == str(services.RATING_NOT_ALLOWED)
    with pytest.raises(DomainError):
        rate(world, world.handler_a, member=world.proposer)
    assert not Rating.objects.exists()


def test_rating_twice_replaces_the_first_with_a_timeline_event(world, replied):
    first = rate(world, world.member_user, "basic", comment="进度偏慢")
    second = rate(world, world.member_user, "satisfied", comment="补充")
    assert first.pk == second.pk
    assert Rating.objects.count() == 1
    assert Rating.objects.get().value == "satisfied"
    change = TimelineEvent.objects.get(action=ConsultationAction.RATE_CHANGE)
    assert (change.from_state, change.to_state, change.actor) == ("basic", "satisfied", world.member_user)


def test_rating_cannot_change_after_the_proposal_is_closed(world, replied):
    rate(world, world.member_user, "satisfied")
    services.proposal_close(proposal=world.proposal, actor=world.staff)
    with pytest.raises(DomainError) as exc:
        rate(world, world.member_user, "unsatisfied")
    assert exc.value.message == str(services.RATING_CLOSED)
    assert Rating.objects.get().value == "satisfied"


@pytest.mark.parametrize("value", ["basic", "unsatisfied"])
def test_a_rating_short_of_satisfied_needs_a_reason(world, replied, value):
    for comment in ("", "   "):
        with pytest.raises(DomainError) as exc:
            rate(world, world.member_user, value, comment=comment)
        assert exc.value.message == str(services.RATING_REASON_REQUIRED)
    assert not Rating.objects.exists()
    world.assignment.refresh_from_db()
    assert (world.assignment.status, world.assignment.round) == (AssignmentStatus.REPLIED, 1)
    assert rate(world, world.member_user, value, comment="仍未解决").comment == "仍未解决"


def test_staff_rating_on_behalf_needs_the_paper_form(world, replied):
    with pytest.raises(DomainError) as exc:
        rate(world, world.staff, member=world.proposer)
    assert exc.value.message == str(services.RATING_FORM_REQUIRED)
    fake = SimpleUploadedFile("form.png", b"not a png at all", content_type="image/png")
    with pytest.raises(DomainError):
        rate(world, world.staff, member=world.proposer, paper_form=fake)
    assert not Rating.objects.exists()
    rating = rate(world, world.staff, member=world.proposer, paper_form=pdf_upload("测评表.pdf"))
    assert (rating.on_behalf, rating.entered_by, rating.member) == (True, world.staff, world.proposer)
    assert rating.paper_form.name.endswith(".pdf")
    assert "工作人员凭纸质测评表代为录入" in TimelineEvent.objects.get(action=ConsultationAction.RATE).note


def test_co_handler_assignment_takes_no_rating_or_consultation(world):
    co = make_assignment(proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role="co")
    with pytest.raises(DomainError) as exc:
        services.rating_submit(assignment=co, actor=world.member_user, member_id=world.proposer.pk, value="satisfied")
    assert exc.value.message == str(services.CO_HANDLER_NO_CONSULTATION)
    with pytest.raises(DomainError):
        services.consultation_schedule(
            assignment=co,
            actor=world.handler_b,
            held_at=timezone.now(),
            place="乙",
            method="phone",
            host_name="乙",
            host_phone="13900000002",
        )


def test_unsatisfied_reopens_the_assignment_for_a_second_round(world, replied):
    rate(world, world.member_user, "unsatisfied", comment="没有解决")
    world.assignment.refresh_from_db()
    world.proposal.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REHANDLING
    assert world.assignment.round == 2
    assert world.assignment.due_date == add_months(timezone.localdate(), world.meeting.rehandle_due_months)
    assert world.proposal.status == ProposalStatus.ASSIGNED
    assert TimelineEvent.objects.filter(action=ConsultationAction.REHANDLE, to_state="rehandling").exists()


def test_rehandle_due_months_comes_from_the_meeting(world, replied):
    world.meeting.rehandle_due_months = 2
    world.meeting.save(update_fields=["rehandle_due_months"])
    rate(world, world.member_user, "unsatisfied", comment="没有解决")
    world.assignment.refresh_from_db()
    assert world.assignment.due_date == add_months(timezone.localdate(), 2)


def test_close_needs_good_ratings_or_a_reason(world, replied):
    with pytest.raises(DomainError) as exc:
        services.proposal_close(proposal=world.proposal, actor=world.staff)
    assert exc.value.message == str(services.CLOSE_NOT_ALL_SATISFIED)
    world.proposal.refresh_from_db()
    assert world.proposal.status != ProposalStatus.CLOSED
    proposal = services.proposal_close(proposal=world.proposal, actor=world.staff, reason="委员已当面表示认可")
    assert proposal.status == ProposalStatus.CLOSED and proposal.closed_at is not None
    assert proposal.close_note == "委员已当面表示认可"
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.DONE


@pytest.mark.parametrize("who", ["handler_a", "leader_a", "member_user"])
def test_only_staff_close(world, replied, who):
    rate(world, world.member_user, "satisfied")
    with pytest.raises(DomainError) as exc:
        services.proposal_close(proposal=world.proposal, actor=getattr(world, who))
    assert exc.value.message == str(services.CLOSE_ONLY_STAFF)


def test_rehandling_loop_end_to_end(world):
    # Round 1: reply, signed consultation, issue, 不满意.
    c1, r1 = signed_round(world)
    assert (c1.round, r1.round) == (1, 1)
    rate(world, world.member_user, "unsatisfied", comment="请再研究")
    world.assignment.refresh_from_db()
    assert (world.assignment.status, world.assignment.round) == (AssignmentStatus.REHANDLING, 2)
    with pytest.raises(DomainError):
        services.proposal_close(proposal=world.proposal, actor=world.staff)

    # Round 2: a new reply and a new consultation, signed, then issued; 满意; closed.
    r2 = draft_reply(world, body="第二轮答复：已列入计划并落实。")
    assert r2.round == 2
    c2 = record(world, schedule(world))
    assert (c2.round, c2.reply_id, c2.reply_points) == (2, r2.pk, "第二轮答复：已列入计划并落实。")
    from tests.factories import issue, sign

    c2 = sign(world, c2)
    r2 = issue(world, r2)
    world.assignment.refresh_from_db()
    world.proposal.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.REPLIED
    assert world.proposal.status == ProposalStatus.REPLIED
    rate(world, world.member_user, "satisfied")
    proposal = services.proposal_close(proposal=world.proposal, actor=world.staff)
    assert proposal.status == ProposalStatus.CLOSED

    # Both rounds stay readable side by side.
    replies = list(Reply.objects.filter(assignment=world.assignment).order_by("round"))
    assert [(r.round, r.status) for r in replies] == [(1, ReplyStatus.ISSUED), (2, ReplyStatus.ISSUED)]
    records = list(Consultation.objects.filter(assignment=world.assignment).order_by("round"))
    assert [(c.round, c.status, c.reply_id) for c in records] == [
        (1, ConsultationStatus.SIGNED, r1.pk),
        (2, ConsultationStatus.SIGNED, r2.pk),
    ]
    assert all(services.record_hash_matches(c) for c in records)
    ratings = list(Rating.objects.filter(assignment=world.assignment).order_by("round").values_list("round", "value"))
    assert ratings == [(1, "unsatisfied"), (2, "satisfied")]
    actions = list(TimelineEvent.objects.filter(proposal=world.proposal).values_list("action", flat=True))
    assert (
        actions.count(ConsultationAction.SIGN_ONLINE) == 2 * 2  # two rounds, each signed by both proposers
        and ConsultationAction.REHANDLE in actions
        and actions[-1] == ConsultationAction.CLOSE
    )
