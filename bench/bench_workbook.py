#!/usr/bin/env python
"""Benchmark of the Excel workbook import (issue 17, item 4): 10,000 proposals with their
assignments and issued replies, checked (dry run) and imported, then imported again (nothing new).

    .venv/bin/python bench/bench_workbook.py                       # SQLite, 10,000 proposals
    .venv/bin/python bench/bench_workbook.py --proposals 20000 --records 3000
    .venv/bin/python bench/bench_workbook.py --database-url postgres://postgres@127.0.0.1:5432/proposal_desk_wbbench

Run on purpose, not as a test. SQLite works on a throwaway database file under a temporary
directory (removed afterwards unless ``--keep``); a PostgreSQL ``--database-url`` must name an
empty database made for this. It migrates, writes the workbook (the committee, a meeting, 80
agencies, 700 members, the staff and handler users, then the proposals — a third joint with two
co-signers — one lead assignment each and an issued reply each, with a body of about 800
characters like TA0207's; ``--records N`` adds N consultation records and N ratings) and measures,
each in this one process:

- the dry run: ``importer.workbook_import(dry_run=True)`` (read, check, plan);
- the commit: ``workbook_import`` (read, check, write in one transaction, timeline events);
- the re-import of the same file (every row found again; nothing changes, nothing is written).

Each line gives the wall-clock time and the process's CPU time (on a busy machine the wall clock
waits for the CPU; the load average is printed).

The target: dry run and commit each under 2 minutes, peak memory (the process's maximum RSS) under
1 GB. The PDFs of the issued replies are left to the background task (not measured here: about
0.2 s a letter, see bench_reply_pdf.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BODY = (
    "经研究，现将有关情况答复如下：近年来，我们按照市委、市政府的部署，围绕提案所提建议，"
    "加强统筹协调，完善工作机制，推动相关项目落地见效。"
) * 8


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build(args) -> bytes:
    from django.utils import timezone, translation
    from openpyxl import Workbook

    from oversight.workbook import columns as c
    from oversight.workbook.cells import to_cell

    committee = "中国人民政治协商会议基准市委员会"
    rows: dict = {sheet: [] for sheet in c.SHEETS}
    rows[c.COMMITTEES].append(
        {
            "name": committee,
            "display_name": "基准市政协",
            "short_name": "市政协",
            "level": "city",
            "number_style": "第 {n} 号",
            "deadline_unit": "months",
            "public_pages": True,
            "reply_class_required": True,
            "leader_required": True,
            "handler_required": True,
            "phone_required": True,
            "doc_number_required": False,
        }
    )
    rows[c.MEETINGS].append(
        {"committee": committee, "term": 8, "session": 3, "number_prefix": "TA", "is_current": True}
    )
    agencies = [f"基准市第{i:02d}局" for i in range(1, 81)]
    rows[c.AGENCIES] = [{"committee": committee, "name": a, "is_active": True} for a in agencies]
    members = [(f"委员{i:03d}", f"单位{i:03d}") for i in range(700)]
    rows[c.MEMBERS] = [
        {"committee": committee, "name": n, "work_unit": u, "phone": f"138{i:08d}", "is_active": True}
        for i, (n, u) in enumerate(members)
    ]
    rows[c.USERS] = [
        {
            "committee": committee,
            "username": "wb_staff",
            "display_name": "工作人员",
            "role": "staff",
            "is_active": True,
        },
        {
            "committee": committee,
            "username": "wb_handler",
            "display_name": "经办人",
            "role": "handler",
            "agency": agencies[0],
            "is_active": True,
        },
    ]
    base = timezone.make_aware(dt.datetime(2024, 1, 15, 9, 0))
    for i in range(1, args.proposals + 1):
        number = f"TA{i:05d}"
        first = members[i % 700]
        joint = i % 3 == 0
        cosigners = (
            "；".join(f"{n}（{u}）" for n, u in (members[(i + 1) % 700], members[(i + 2) % 700])) if joint else ""
        )
        created = base + dt.timedelta(minutes=i)
        rows[c.PROPOSALS].append(
            {
                "committee": committee,
                "meeting": "8-3",
                "number": number,
                "title": f"关于推进第{i}项工作的建议",
                "proposer_kind": "joint" if joint else "individual",
                "first_proposer": first[0],
                "first_proposer_unit": first[1],
                "cosigners": cosigners,
                "main_content": "主要内容。" * 40,
                "status": "replied",
                "created_by": "wb_staff",
                "created_at": created,
                "submitted_at": created,
                "registered_at": created + dt.timedelta(days=5),
            }
        )
        where = {"committee": committee, "meeting": "8-3", "number": number, "agency": agencies[i % 80]}
        assigned = created + dt.timedelta(days=10)
        rows[c.ASSIGNMENTS].append(
            {
                **where,
                "role": "lead",
                "status": "replied",
                "round": 1,
                "assigned_at": assigned,
                "assigned_by": "wb_staff",
                "due_date": (assigned + dt.timedelta(days=90)).date(),
                "accepted_at": assigned + dt.timedelta(days=1),
                "replied_at": assigned + dt.timedelta(days=60),
            }
        )
        rows[c.REPLIES].append(
            {
                **where,
                "round": 1,
                "status": "issued",
                "reply_class": "ABC"[i % 3],
                "title": f"关于第 {number} 号提案的答复",
                "addressee": f"{first[0]}委员：",
                "body": BODY,
                "leader_name": "局长",
                "handler_name": "经办人",
                "phone": "0356-2021234",
                "reply_date": (assigned + dt.timedelta(days=58)).date(),
                "is_public": True,
                "created_by": "wb_handler",
                "issued_at": assigned + dt.timedelta(days=60),
            }
        )
        if i <= args.records:
            rows[c.CONSULTATIONS].append(
                {
                    **where,
                    "round": 1,
                    "member": first[0],
                    "member_unit": first[1],
                    "status": "held",
                    "held_at": assigned + dt.timedelta(days=50),
                    "place": "会议室",
                    "method": "in_person",
                    "host_name": "经办人",
                    "host_phone": "13900000000",
                    "handling_class": "A",
                    "created_by": "wb_handler",
                }
            )
            rows[c.RATINGS].append(
                {
                    **where,
                    "round": 1,
                    "member": first[0],
                    "member_unit": first[1],
                    "value": "satisfied",
                    "entered_by": "wb_staff",
                    "created_at": assigned + dt.timedelta(days=70),
                }
            )
    wb = Workbook(write_only=True)
    with translation.override("zh-hans"):
        for sheet in c.SHEETS:
            ws = wb.create_sheet(str(sheet.title))
            ws.append([str(col.header) for col in sheet.columns])
            ws.append([col.help_text() for col in sheet.columns])
            for row in rows[sheet]:
                ws.append([to_cell(col, row.get(col.field)) for col in sheet.columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=0, help="consultation records and ratings (each)")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and media folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-workbook-"))
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DEBUG"] = "1"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("audit").setLevel(logging.WARNING)

    from django.core.management import call_command
    from django.db import connection

    from oversight.workbook.importer import workbook_import
    from proposals.models import Assignment, Proposal, TimelineEvent
    from replies.models import Reply

    try:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        data = build(args)
        print(
            f"workbook: {args.proposals} proposals, assignments and replies, {args.records} records and ratings;"
            f" {len(data) / 2**20:.1f} MB, written in {time.perf_counter() - start:.1f} s"
        )
        print(f"database: {connection.vendor}; cpus: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
        for label, dry_run in (("dry run", True), ("commit", False), ("re-import", False)):
            start, cpu = time.perf_counter(), time.process_time()
            result = workbook_import(source=data, actor=None, dry_run=dry_run)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert result.plan.ok, result.plan.problems[:5]
            created = sum(count.create for count in result.plan.counts)
            updated = sum(count.update for count in result.plan.counts)
            print(
                f"{label:<10} {elapsed:6.1f} s (CPU {cpu:5.1f} s)   create {created:>6}  update {updated:>6}"
                f"   peak RSS so far {_rss_mb():6.0f} MB"
            )
        print(
            f"rows: proposals {Proposal.objects.count()}, assignments {Assignment.objects.count()},"
            f" replies {Reply.objects.count()}, timeline events {TimelineEvent.objects.count()}"
        )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
