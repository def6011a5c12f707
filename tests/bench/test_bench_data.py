"""bench_data builds the same data set for the same seed, spread over its committees with nothing
crossing them, and will not wipe a database it did not fill."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from consultations.models import Consultation, Rating
from proposals.models import (
    Agency,
    Assignment,
    Category,
    Committee,
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    Role,
    TimelineEvent,
    User,
)
from proposals.search import search_proposals
from proposals.selectors import proposals_visible_to
from replies.models import Reply
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint() -> dict:
    titles = list(
        Proposal.objects.order_by("committee__name", "meeting__term", "meeting__session", "id").values_list(
            "committee__name", "number", "title"
        )
    )
    contents = hashlib.sha256("".join(Proposal.objects.order_by("id").values_list("main_content", flat=True)).encode())
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Committee, Meeting, Proposal, Assignment, Reply, Consultation, Rating, TimelineEvent, User)
        },
        "titles": titles,
        "contents": contents.hexdigest(),
    }


def test_same_seed_gives_the_same_data(capsys):
    call_command("bench_data", proposals=200, seed=7, committees=3)
    first = _fingerprint()
    call_command("bench_data", proposals=200, seed=7, committees=3)
    assert _fingerprint() == first
    assert first["counts"]["Committee"] == 3
    assert first["counts"]["Proposal"] == 200
    assert first["counts"]["Meeting"] == 3 * 20
    assert first["counts"]["Reply"] > 0 and first["counts"]["TimelineEvent"] > 200
    assert len({title for _committee, _number, title in first["titles"]}) > 100  # varied, not one text repeated
    assert "bench_data done" in capsys.readouterr().out


def test_other_seed_gives_other_data():
    call_command("bench_data", proposals=200, seed=7, committees=3)
    first = _fingerprint()
    call_command("bench_data", proposals=200, seed=8, committees=3)
    assert _fingerprint()["titles"] != first["titles"]


def test_proposals_are_spread_over_twenty_committees_by_default():
    call_command("bench_data", proposals=1000, seed=7)
    assert Committee.objects.count() == 20
    per_committee = dict(Proposal.objects.values("committee").annotate(n=Count("id")).values_list("committee", "n"))
    assert len(per_committee) == 20
    bench_committee = User.objects.get(username="bench_staff").committee
    assert per_committee[bench_committee.pk] == 50  # its share, exactly
    assert all(35 <= n <= 65 for n in per_committee.values())  # the others theirs ±15 %
    assert bench_committee == Committee.objects.order_by("pk").first()  # the installation's first
    for committee in Committee.objects.all():
        meetings = Meeting.objects.filter(committee=committee)
        assert meetings.count() == 20 and meetings.filter(is_current=True).count() == 1
        assert Agency.objects.filter(committee=committee).count() == 80
        assert Member.objects.filter(committee=committee).count() == 700
        assert Category.objects.filter(committee=committee).exists()
        assert DeclineReason.objects.filter(committee=committee).exists()
        assert User.objects.filter(committee=committee, role=Role.STAFF).count() == 1


def test_no_row_crosses_committees():
    call_command("bench_data", proposals=600, seed=7, committees=4)
    proposals = Proposal.objects.all()
    assert not proposals.exclude(committee=F("meeting__committee")).exists()
    assert not proposals.exclude(meeting_order=F("meeting__term") * 10000 + F("meeting__session")).exists()
    assert not proposals.exclude(first_proposer=None).exclude(committee=F("first_proposer__committee")).exists()
    assert not proposals.exclude(committee=F("category__committee")).exists()
    assert not proposals.exclude(decline_reason=None).exclude(committee=F("decline_reason__committee")).exists()
    assert not proposals.exclude(committee=F("created_by__committee")).exists()
    assert not ProposalCosigner.objects.exclude(member__committee=F("proposal__committee")).exists()
    assert not Assignment.objects.exclude(agency__committee=F("proposal__committee")).exists()
    assert not Assignment.objects.exclude(assigned_by__committee=F("proposal__committee")).exists()
    assert not Reply.objects.exclude(created_by__agency=F("assignment__agency")).exists()
    assert not Consultation.objects.exclude(member__committee=F("assignment__proposal__committee")).exists()
    assert not TimelineEvent.objects.exclude(actor=None).exclude(actor__committee=F("proposal__committee")).exists()
    # As User.save() would derive it: an agency's and a member's user belong to that record's committee.
    assert not User.objects.filter(committee=None).exists()
    assert not User.objects.exclude(agency=None).exclude(committee=F("agency__committee")).exists()
    assert not User.objects.exclude(member=None).exclude(committee=F("member__committee")).exists()
    assert Proposal.objects.values("committee").distinct().count() == 4


def test_the_benchmark_staff_sees_its_committee_only():
    call_command("bench_data", proposals=600, seed=7, committees=4)
    staff = User.objects.get(username="bench_staff")
    visible = proposals_visible_to(staff)
    assert visible.count() == Proposal.objects.filter(committee=staff.committee).count() == 150
    handler = User.objects.get(username="bench_handler_01")
    assert handler.committee == staff.committee
    assert not proposals_visible_to(handler).exclude(committee=staff.committee).exists()
    other = User.objects.get(username="bench_c02_staff")
    assert not proposals_visible_to(other).filter(committee=staff.committee).exists()


def test_bulk_created_rows_are_searchable():
    call_command("bench_data", proposals=200, seed=7, committees=3)
    p = Proposal.objects.order_by("id")[57]
    word = p.title[3:6]
    found = search_proposals(Proposal.objects.all(), word)
    assert p in found
    assert set(found) == {x for x in Proposal.objects.all() if word in x.title or word in x.main_content}


def test_bulk_created_rows_have_their_next_due():
    call_command("bench_data", proposals=200, seed=7, committees=3)
    live = Assignment.objects.exclude(status="returned")
    expected = {
        p.pk: min((a.due_date for a in live if a.proposal_id == p.pk), default=None) for p in Proposal.objects.all()
    }
    assert dict(Proposal.objects.values_list("pk", "next_due")) == expected
    assert sum(due is not None for due in expected.values()) > 100


def test_refuses_a_database_with_other_data():
    make_user("demo_staff", "staff")
    with pytest.raises(CommandError):
        call_command("bench_data", proposals=50, seed=1)
    assert User.objects.filter(username="demo_staff").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_text_passes_fill_every_letters_index_and_public_copy(jobs):
    """The three passes over every letter (in two processes on PostgreSQL with ``--jobs 2``, one
    after the other otherwise): each reply and record with text is in its index once, and each issued
    reply of a proposal whose proposer agreed to publication has its redacted public copy."""
    from django.db import connection

    from consultations.search import consultation_index_rows
    from oversight.models import PublicReplyText
    from replies.models import ReplyStatus
    from replies.search import reply_index_rows
    from search.text_index import CONSULTATION_INDEX, REPLY_INDEX

    call_command("bench_data", proposals=200, seed=7, committees=3, jobs=jobs)

    def rows_in(index) -> int:
        table = index.sqlite_table if connection.vendor == "sqlite" else index.pg_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table name
            return cursor.fetchone()[0]

    replies_with_text = sum(1 for _pk, _scope, text in reply_index_rows(Reply.objects.all()) if text)
    records_with_text = sum(1 for _pk, _scope, text in consultation_index_rows(Consultation.objects.all()) if text)
    assert replies_with_text > 100 and records_with_text > 100
    assert rows_in(REPLY_INDEX) == replies_with_text
    assert rows_in(CONSULTATION_INDEX) == records_with_text
    public = Reply.objects.filter(status=ReplyStatus.ISSUED, assignment__proposal__publication_consent=True)
    assert PublicReplyText.objects.count() == public.count() > 100
