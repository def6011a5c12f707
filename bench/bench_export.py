#!/usr/bin/env python
"""How long the staff proposal list's Excel export of one whole meeting takes (issue 20, item 5).

    # a meeting of 6,000 proposals, in its own database (bench_data empties the one it fills)
    export SQLITE_PATH=/tmp/bench_exports/bench.sqlite3 MEDIA_ROOT=/tmp/bench_exports/media
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py bench_data --proposals 6000 --committees 1 --meetings 1 --seed 1
    .venv/bin/python bench/bench_export.py --repeat 5

    # PostgreSQL: the same with DATABASE_URL instead of SQLITE_PATH

The export is requested as bench_staff with Django's test client, in-process (server time, no
network), for the meeting with the most proposals, and the streamed file is read to its end. It
prints the rows, the file size, the SQL queries of one request, the median and slowest time over
``--repeat`` requests (the target is under 2 s) and the median CPU time of this process: on a
machine shared with other work the wall time grows with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--user", default="bench_staff")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from openpyxl import load_workbook

    from proposals.models import Meeting, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # As bench/run.py does: a request would otherwise empty the query log being counted.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries

    request_started.disconnect(reset_queries)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    user = User.objects.get(username=args.user)
    meeting = (
        Meeting.objects.filter(committee_id=user.committee_id)
        .annotate(n=Count("proposals"))
        .order_by("-n", "-id")
        .first()
    )
    if meeting is None:
        print("no meeting: run manage.py bench_data first (see the docstring)", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(user)
    url = reverse("proposals:export") + f"?meeting={meeting.pk}"

    cpu_times: list[float] = []

    def once() -> tuple[float, bytes]:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        body = response.getvalue()  # the streamed file read to its end
        cpu_times.append(time.process_time() - cpu)
        return time.perf_counter() - start, body

    once()  # warm the caches (templates, translations, the database's pages)
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        _elapsed, body = once()
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = len(list(sheet.iter_rows(values_only=True))) - 1
    cpu_times.clear()
    times = [once()[0] for _ in range(args.repeat)]
    median, worst = statistics.median(times), max(times)
    vendor = connection.vendor
    print(
        f"export of {meeting.committee.short_name}{meeting.display_name} ({vendor}): {rows} rows, "
        f"{len(body) / 1024:.0f} KiB, {len(queries)} queries; "
        f"median {median:.2f} s, slowest {worst:.2f} s over {args.repeat} (target < {TARGET_S:.0f} s), "
        f"of which this process's CPU median {statistics.median(cpu_times):.2f} s; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    return 0 if worst < TARGET_S else 2


if __name__ == "__main__":
    sys.exit(main())
