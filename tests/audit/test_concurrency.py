from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from django.db import connection, connections

from audit.log import record_event
from audit.models import AuditEvent
from audit.services import verify_chain

from .subproc import ROOT, sqlite_site


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_flush_the_append_only_tables():
    # The teardown of this test runs `flush`, which must get past the triggers (audit/db.py).
    record_event(event="test", detail="committed")
    assert AuditEvent.objects.count() >= 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_do_not_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite is covered by the multi-process test below")
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                record_event(event="test", detail=f"thread {n} row {i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = verify_chain()
    assert report.ok and report.checked == AuditEvent.objects.count() >= 200
    prev = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev) == len(set(prev))  # no two rows link to the same predecessor


WRITER = """
import django
django.setup()
from audit.log import record_event
for i in range(40):
    record_event(event='test', detail=f'process row {i}')
"""


def test_concurrent_processes_on_sqlite_do_not_fork_the_chain(tmp_path):
    site = sqlite_site(tmp_path)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER], cwd=ROOT, env=site.env, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    out = site.python(
        "from audit.services import verify_chain\n"
        "from audit.models import AuditEvent\n"
        "r = verify_chain()\n"
        "prev = list(AuditEvent.objects.values_list('prev_hash', flat=True))\n"
        "print(r.ok, r.checked, AuditEvent.objects.filter(event='test').count(), len(prev) == len(set(prev)))"
    )
    ok, checked, written, distinct = out.split()
    assert ok == "True" and written == "160" and int(checked) >= 160 and distinct == "True"
