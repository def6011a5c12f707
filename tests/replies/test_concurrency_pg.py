"""Two people saving the same draft at the same moment (PostgreSQL: real row locks, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from proposals.errors import ConflictError
from replies import services
from replies.models import Reply, ReplyVersion
from tests.factories import complete_data

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_from_the_same_version_let_exactly_one_through(world):
    reply = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data())
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(actor, text):
        try:
            barrier.wait(timeout=10)
            services.reply_save_draft(
                reply=Reply.objects.get(pk=reply.pk), actor=actor, data={"body": text}, expected_version=1
            )
            outcomes[text] = "saved"
        except ConflictError:
            outcomes[text] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(world.handler_a, "经办人的稿")),
        threading.Thread(target=save, args=(world.leader_a, "负责人的稿")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    saved = Reply.objects.get(pk=reply.pk)
    assert (saved.body, saved.version) == (winner, 2)
    assert ReplyVersion.objects.filter(reply=reply).count() == 2
