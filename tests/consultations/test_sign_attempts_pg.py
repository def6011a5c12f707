"""The wrong-password limit on signing holds under parallel requests (issue 18, finding 7).

PostgreSQL: real row locks, real threads. The sequential case runs on every database in
test_services_record.py (test_wrong_password_is_audited_and_repeated_failures_lock_signing).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEvent
from consultations import services
from consultations.models import Consultation, ConsultationStatus
from proposals.errors import DomainError
from tests.factories import record, schedule, sign

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")

PARALLEL = 20


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_are_checked_at_most_the_limit(world):
    c = record(world, schedule(world))
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=20)
            sign(world, Consultation.objects.get(pk=c.pk), password="wrong-password")
            outcome = "signed"
        except DomainError as exc:
            outcome = exc.code or ""
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == PARALLEL
    # Exactly the limit's worth of passwords were checked; every other attempt was turned away.
    assert outcomes.count("wrong_password") == services.SIGN_MAX_FAILURES
    assert outcomes.count("forbidden") == PARALLEL - services.SIGN_MAX_FAILURES
    wrong = AuditEvent.objects.filter(user_id=world.member_user.pk, detail=services.BAD_CONFIRMATION_DETAIL)
    assert wrong.count() == services.SIGN_MAX_FAILURES
    # and the right password now waits too
    with pytest.raises(DomainError) as exc:
        sign(world, Consultation.objects.get(pk=c.pk))
    assert exc.value.message == str(services.SIGN_TOO_MANY_ATTEMPTS)
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.HELD


@pytest.mark.django_db(transaction=True)
def test_parallel_right_passwords_sign_once(world):
    """The lock does not break the success path: one signs, the others find the record signed."""
    c = record(world, schedule(world))
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait(timeout=20)
            sign(world, Consultation.objects.get(pk=c.pk))
            outcomes.append("signed")
        except DomainError as exc:
            outcomes.append(exc.code or "")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("signed") == 1 and len(outcomes) == 4
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.SIGNED
