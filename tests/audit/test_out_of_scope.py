"""Finding 4 of issue 18: an out-of-scope object answers 404 (the same as a missing one), and the
probe leaves a trace — one audit row per user per minute, with the count, without the content."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import Http404

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # the pending counts live in the cache
    yield
    cache.clear()


def probes(user=None):
    qs = AuditEvent.objects.filter(event="out_of_scope").order_by("id")
    return list(qs.filter(user_id=user.pk) if user is not None else qs)


def test_a_handler_walking_ids_leaves_one_row_a_minute_with_the_count(world, login, clock):
    client = login(world.handler_b)
    first = world.proposal.pk
    for pk in range(first, first + 30):
        assert client.get(f"/proposals/{pk}/").status_code == 404
    rows = probes(world.handler_b)
    assert len(rows) == 1
    assert rows[0].outcome == "denied" and rows[0].detail.startswith("count=1 ")
    assert f"proposals.Proposal#{first}" in rows[0].detail
    assert world.proposal.title not in rows[0].detail
    clock.advance(seconds=61)
    assert client.get(f"/proposals/{first}/").status_code == 404
    rows = probes(world.handler_b)
    assert len(rows) == 2 and rows[1].detail.startswith("count=30 ")


def test_a_visible_object_leaves_no_probe_row(world, login):
    assert login(world.handler_a).get(f"/proposals/{world.proposal.pk}/").status_code == 200
    assert probes() == []


def test_each_user_is_counted_on_their_own(world, login):
    for user in (world.handler_b, world.unrelated_user):
        login(user).get(f"/proposals/{world.proposal.pk}/")
    assert {r.user_id for r in probes()} == {world.handler_b.pk, world.unrelated_user.pk}


@pytest.mark.parametrize(
    ("selector", "label"),
    [
        ("proposals.selectors.get_proposal_for_user", "proposals.Proposal"),
        ("proposals.selectors.get_assignment_for_user", "proposals.Assignment"),
        ("proposals.selectors.get_extension_for_user", "proposals.ExtensionRequest"),
        ("proposals.selectors.get_attachment_for_user", "proposals.Attachment"),
        ("replies.selectors.get_reply_for_user", "replies.Reply"),
        ("consultations.selectors.get_consultation_for_user", "consultations.Consultation"),
        ("consultations.selectors.get_rating_for_user", "consultations.Rating"),
    ],
)
def test_every_get_for_user_selector_records_its_404(world, selector, label):
    from django.utils.module_loading import import_string

    with pytest.raises(Http404):
        import_string(selector)(world.handler_b, 987654)
    [row] = probes(world.handler_b)
    assert row.detail == f"count=1 last={label}#987654"


def test_staff_pages_record_their_404(world, login):
    assert login(world.handler_a).get("/oversight/").status_code == 404
    [row] = probes(world.handler_a)
    assert "oversight" in row.detail


def test_the_audit_page_records_its_404(world, login):
    assert login(world.handler_a).get("/audit/").status_code == 404
    [row] = probes(world.handler_a)
    assert "audit.AuditEvent" in row.detail
