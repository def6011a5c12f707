"""bench_data builds the same data set for the same seed, and will not wipe a database it did not fill."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from consultations.models import Consultation, Rating
from proposals.models import Assignment, Meeting, Proposal, TimelineEvent, User
from proposals.search import search_proposals
from replies.models import Reply
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint() -> dict:
    titles = list(Proposal.objects.order_by("meeting__term", "meeting__session", "id").values_list("number", "title"))
    contents = hashlib.sha256("".join(Proposal.objects.order_by("id").values_list("main_content", flat=True)).encode())
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Meeting, Proposal, Assignment, Reply, Consultation, Rating, TimelineEvent, User)
        },
        "titles": titles,
        "contents": contents.hexdigest(),
    }


def test_same_seed_gives_the_same_data(capsys):
    call_command("bench_data", proposals=200, seed=7)
    first = _fingerprint()
    call_command("bench_data", proposals=200, seed=7)
    assert _fingerprint() == first
    assert first["counts"]["Proposal"] == 200
    assert first["counts"]["Meeting"] == 20
    assert first["counts"]["Reply"] > 0 and first["counts"]["TimelineEvent"] > 200
    assert len({title for _number, title in first["titles"]}) > 100  # varied, not one text repeated
    assert "bench_data done" in capsys.readouterr().out


def test_other_seed_gives_other_data():
    call_command("bench_data", proposals=200, seed=7)
    first = _fingerprint()
    call_command("bench_data", proposals=200, seed=8)
    assert _fingerprint()["titles"] != first["titles"]


def test_bulk_created_rows_are_searchable():
    call_command("bench_data", proposals=200, seed=7)
    p = Proposal.objects.order_by("id")[57]
    word = p.title[3:6]
    found = search_proposals(Proposal.objects.all(), word)
    assert p in found
    assert set(found) == {x for x in Proposal.objects.all() if word in x.title or word in x.main_content}


def test_bulk_created_rows_have_their_next_due():
    call_command("bench_data", proposals=200, seed=7)
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
