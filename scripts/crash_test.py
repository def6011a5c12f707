#!/usr/bin/env python
"""Crash safety: kill a process doing transitions with SIGKILL, many times, then check the database.

Run on purpose (it takes about a minute for 50 kills):

    .venv/bin/python scripts/crash_test.py --kills 50

It makes a file SQLite database in a temporary folder (the production setup: WAL, IMMEDIATE
transactions), then repeatedly starts a worker that drives proposals through the real services
(proposal_create → proposal_register → proposal_assign → assignment_accept, each one transaction
with its timeline event and audit row) and kills it with SIGKILL at a random moment. Afterwards:

* ``PRAGMA integrity_check`` must answer ``ok``;
* no half-done transition: each proposal's status has exactly the timeline events that lead to
  it (a status without its event, or an event without its status, fails), each assignment's
  status agrees with its accept event, and every timeline event has its audit row and the
  reverse;
* the audit hash chain verifies.

It prints one JSON line with the numbers and exits non-zero when anything is wrong.
tests/audit/test_crash.py runs a shorter version (10 kills) in the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
from proposals.models import Agency, Meeting, Member, Role, User
Meeting.objects.create(term=8, session=3, number_prefix='TA', is_current=True)
agency = Agency.objects.create(name='晋城市发展和改革委员会')
member = Member.objects.create(name='朱国胜')
for username, role, extra in (('staff', Role.STAFF, {}), ('handler', Role.HANDLER, {'agency': agency})):
    User.objects.create(username=username, role=role, **extra)
"""

WORKER = """
import sys
import django
django.setup()
from proposals import services
from proposals.models import Agency, AssignmentRole, Meeting, Member, User
staff = User.objects.get(username='staff')
handler = User.objects.get(username='handler')
meeting = Meeting.objects.get()
agency = Agency.objects.get()
member = Member.objects.get()
print('ready', flush=True)
i = 0
while True:
    i += 1
    p = services.proposal_create(
        actor=staff, meeting=meeting, title=f'崩溃测试提案 {i}', main_content='内容' * 50, first_proposer=member
    )
    p = services.proposal_register(proposal=p, actor=staff)
    (a,) = services.proposal_assign(
        proposal=p, actor=staff, specs=[services.AssignmentSpec(agency=agency, role=AssignmentRole.LEAD)]
    )
    services.assignment_accept(assignment=a, actor=handler)
"""

CHECK = """
import json
from django.db import connection
from audit.models import AuditEvent
from audit.services import verify_chain
from proposals.choices import ProposalAction
from proposals.models import Assignment, Proposal, TimelineEvent

with connection.cursor() as c:
    c.execute('PRAGMA integrity_check')
    integrity = [r[0] for r in c.fetchall()]

expected = {
    'submitted': {ProposalAction.FILE},
    'registered': {ProposalAction.FILE, ProposalAction.REGISTER},
    'assigned': {ProposalAction.FILE, ProposalAction.REGISTER, ProposalAction.ASSIGN},
}
problems = []
events = {}
for e in TimelineEvent.objects.values('pk', 'proposal_id', 'assignment_id', 'action'):
    events.setdefault(e['proposal_id'], []).append(e)
assignments = {a.proposal_id: a for a in Assignment.objects.all()}
for p in Proposal.objects.all():
    own = events.get(p.pk, [])
    proposal_actions = sorted(e['action'] for e in own if e['action'] != ProposalAction.ACCEPT)
    if sorted(expected.get(p.status, {'?'})) != proposal_actions:
        problems.append(f'proposal {p.pk}: status {p.status} with events {proposal_actions}')
    a = assignments.get(p.pk)
    if (a is not None) != (p.status == 'assigned'):
        problems.append(f'proposal {p.pk}: status {p.status} but assignment {a}')
    accepts = [e for e in own if e['action'] == ProposalAction.ACCEPT]
    if a is not None and (a.status == 'accepted') != (len(accepts) == 1):
        problems.append(f'assignment {a.pk}: status {a.status} with {len(accepts)} accept events')
orphans = TimelineEvent.objects.exclude(proposal__in=Proposal.objects.all()).count()
timeline_ids = set(TimelineEvent.objects.values_list('pk', flat=True))
audited = set()
transitions = AuditEvent.objects.filter(event='transition', detail__contains='timeline=')
for detail in transitions.values_list('detail', flat=True):
    audited.add(int(detail.rsplit('timeline=', 1)[1]))
if timeline_ids != audited:
    problems.append(
        f'timeline without audit: {sorted(timeline_ids - audited)[:5]}, '
        f'audit without timeline: {sorted(audited - timeline_ids)[:5]}'
    )
chain = verify_chain()
done = Assignment.objects.filter(status='accepted').count()
print(json.dumps({
    'integrity_check': integrity,
    'proposals': Proposal.objects.count(),
    'completed_workflows': done,
    'interrupted_workflows': Proposal.objects.count() - done,
    'timeline_events': len(timeline_ids),
    'audit_rows': AuditEvent.objects.count(),
    'audit_chain_ok': chain.ok,
    'audit_chain_first_bad_id': chain.first_bad_id,
    'half_done': problems[:20],
    'half_done_count': len(problems) + orphans,
}))
"""


def env_for(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        SQLITE_PATH=str(folder / "db.sqlite3"),
        MEDIA_ROOT=str(folder / "media"),
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def run(kills: int, seed: int, folder: Path, max_delay: float) -> dict:
    rng = random.Random(seed)  # noqa: S311 - kill timing, not cryptography
    env = env_for(folder)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "--no-imports", "-c", SETUP)
    started = time.monotonic()
    done = 0
    for _ in range(kills):
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = worker.stdout.readline()
        if line.strip() != "ready":
            worker.kill()
            raise SystemExit(f"worker did not start: {line}{worker.stderr.read()}")
        time.sleep(rng.uniform(0.005, max_delay))
        if worker.poll() is not None:
            raise SystemExit(f"worker died on its own:\n{worker.stderr.read()}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        worker.stdout.close()
        worker.stderr.close()
        done += 1
    report = json.loads(manage(env, "shell", "--no-imports", "-c", CHECK).strip().splitlines()[-1])
    report.update(kills=done, seed=seed, seconds=round(time.monotonic() - started, 1))
    report["ok"] = report["integrity_check"] == ["ok"] and report["half_done_count"] == 0 and report["audit_chain_ok"]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay", type=float, default=0.4, help="longest wait before a kill, seconds")
    parser.add_argument("--keep", help="folder for the database (kept afterwards); default a temporary one")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        report = run(args.kills, seed, folder, args.max_delay)
    else:
        with tempfile.TemporaryDirectory(prefix="crash-test-") as tmp:
            report = run(args.kills, seed, Path(tmp), args.max_delay)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
