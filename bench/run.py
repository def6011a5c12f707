#!/usr/bin/env python
"""Server-time benchmarks of the main pages on the bench data set (see bench/README.md).

    python bench/run.py                                   # SQLite at /tmp/bench/bench.sqlite3
    python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/proposal_desk_bench
    python bench/run.py --sqlite-path /tmp/bench/bench.sqlite3 \\
        --database-url postgres://postgres@127.0.0.1:5432/proposal_desk_bench --repeat 30

Each database is measured in its own child process (settings are read from the environment at
start-up). Pages are requested with Django's test client in-process, so the figures are server
time without the network: median and 95th percentile over ``--repeat`` requests, and the number of
SQL queries of one request. A bare view (/healthz) is measured in the same process and every figure
is also given as a multiple of it, so results compare across machines. The table goes to stdout and
into docs/PERFORMANCE.md between the ``bench:results`` markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
# The documented default place of the throwaway bench data, away from var/ and the test databases.
DEFAULT_SQLITE = "/tmp/bench/bench.sqlite3"  # noqa: S108
DEFAULT_MEDIA = "/tmp/bench/media"  # noqa: S108

TARGETS_MS = {
    "list_default": 100,
    "list_agency": 100,
    "list_status_meeting": 100,
    "search_2": 150,
    "search_long": 150,
    "detail": 100,
    "inbox": 100,
    "reply_pdf_render": 500,
    "issued_pdf_download": 20,
    "similar_10": 200,
}
LABELS = {
    "healthz": "bare view /healthz (reference)",
    "list_default": "proposal list, default page (staff)",
    "list_agency": "list filtered by agency",
    "list_status_meeting": "list filtered by status + meeting",
    "list_page_100": "list, page 100 (deep page)",
    "list_handler": "list as a handler (busiest agency)",
    "search_2": "search 援疆 (2 chars)",
    "search_long": "search longer phrase",
    "search_common": "search 发展 (2 chars, very common)",
    "search_1": "search 疆 (1 char, prefix lookup)",
    "list_sort_due": "list sorted by 办理时限 (o=due)",
    "list_sort_title": "list sorted by title, descending",
    "detail": "proposal detail",
    "inbox": "handler inbox (busiest agency)",
    "mine": "member's own proposals",
    "home_staff": "home work queues, staff (issue 19)",
    "home_handler": "home work queues, handler (busiest agency)",
    "home_member": "home work queues, member",
    "export_meeting": "Excel export of one meeting",
    "reply_pdf_render": "reply PDF, fresh render of a draft",
    "issued_pdf_download": "issued reply PDF download",
    "similar_10": "similar_proposals(limit=10), current meeting (issue 21)",
}


# --- Child: measure one database ----------------------------------------------------------------


def _child(repeat: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from proposals.models import Assignment, AssignmentStatus, Meeting, Proposal, ProposalStatus, Role, User
    from replies.models import Reply, ReplyStatus

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # As Django's test runner does: keep the connection open across requests, so each page can be
    # measured inside one transaction that is rolled back afterwards.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # reset_queries would empty the log CaptureQueriesContext counts from.
    request_started.disconnect(reset_queries)

    def user(username: str) -> User:
        return User.objects.get(username=username)

    staff = user("bench_staff")
    n_proposals = Proposal.objects.count()
    if n_proposals == 0:
        raise SystemExit("no bench data: run `manage.py bench_data` first")
    # Everyone measured works in bench_staff's committee (bench_data's first); the other committees'
    # rows are the rest of the tables, which each page must leave aside.
    committee = staff.committee_id
    n_committee = Proposal.objects.filter(committee_id=committee).count()
    busiest = (
        Assignment.objects.filter(
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED], agency__committee_id=committee
        )
        .values("agency")
        .annotate(n=Count("id"))
        .order_by("-n", "agency")
        .first()
    )
    handler = User.objects.filter(role=Role.HANDLER, agency_id=busiest["agency"]).order_by("id").first()
    member_user = (
        User.objects.filter(role=Role.MEMBER, committee_id=committee)
        .annotate(n=Count("member__first_proposals"))
        .order_by("-n", "id")
        .first()
    )
    current = Meeting.objects.get(committee_id=committee, is_current=True)
    closed_ids = list(
        Proposal.objects.filter(committee_id=committee, status=ProposalStatus.CLOSED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    detail_ids = closed_ids[:: max(1, len(closed_ids) // 50)][:50]  # 50 spread over the committee's archive
    of_committee = Reply.objects.filter(assignment__proposal__committee_id=committee).order_by("id")
    draft = of_committee.filter(status=ReplyStatus.DRAFT).select_related("assignment").first()
    issued = of_committee.filter(status=ReplyStatus.ISSUED).exclude(pdf="").first()

    def url(name: str, *args, query: str = "") -> str | None:
        try:
            return reverse(name, args=args) + (f"?{query}" if query else "")
        except NoReverseMatch:
            return None

    clients: dict[str, Client] = {}

    def client_for(u: User | None) -> Client:
        key = u.username if u else ""
        if key not in clients:
            c = Client()
            if u is not None:
                c.force_login(u)
            clients[key] = c
        return clients[key]

    from urllib.parse import quote

    handler_of_draft = (
        User.objects.filter(role=Role.HANDLER, agency_id=draft.assignment.agency_id).first() if draft else None
    )
    pages = [
        ("healthz", None, [url("healthz")], repeat),
        ("list_default", staff, [url("proposals:list")], repeat),
        ("list_agency", staff, [url("proposals:list", query=f"agency={busiest['agency']}")], repeat),
        (
            "list_status_meeting",
            staff,
            [url("proposals:list", query=f"status=assigned&meeting={current.pk}")],
            repeat,
        ),
        ("list_page_100", staff, [url("proposals:list", query="page=100")], repeat),
        ("list_handler", handler, [url("proposals:list")], repeat),
        ("search_2", staff, [url("proposals:list", query="q=" + quote("援疆"))], repeat),
        ("search_long", staff, [url("proposals:list", query="q=" + quote("老旧小区加装电梯"))], repeat),
        ("search_common", staff, [url("proposals:list", query="q=" + quote("发展"))], repeat),
        ("search_1", staff, [url("proposals:list", query="q=" + quote("疆"))], repeat),
        ("list_sort_due", staff, [url("proposals:list", query="o=due")], repeat),
        ("list_sort_title", staff, [url("proposals:list", query="o=-title")], repeat),
        ("detail", staff, [url("proposals:detail", pk) for pk in detail_ids], repeat),
        ("inbox", handler, [url("proposals:inbox")], repeat),
        ("mine", member_user, [url("proposals:mine")], repeat),
        ("home_staff", staff, [url("oversight:home")], repeat),
        ("home_handler", handler, [url("oversight:home")], repeat),
        ("home_member", member_user, [url("oversight:home")], repeat),
        ("export_meeting", staff, [url("proposals:export", query=f"meeting={current.pk}")], max(3, repeat // 10)),
        (
            "reply_pdf_render",
            handler_of_draft,
            [url("replies:pdf", draft.pk) if draft else None],
            max(3, repeat // 4),
        ),
        ("issued_pdf_download", staff, [url("replies:pdf", issued.pk) if issued else None], repeat),
    ]

    only = {k for k in os.environ.get("BENCH_ONLY", "").split(",") if k}
    if only:  # --only: these pages and the bare view (the ×bare column needs it)
        pages = [p for p in pages if p[0] in only or p[0] == "healthz"]
    with_similar = not only or "similar_10" in only
    similarity_build_s = _similarity_index(committee) if with_similar else None
    results: dict[str, dict] = {}
    for key, who, urls, n in pages:
        urls = [u for u in urls if u]
        if not urls:
            results[key] = {"available": False, "why": "URL not defined yet"}
            continue
        c = client_for(who)
        # Inside a transaction that is rolled back: pages that log (audit, sessions) leave no trace.
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                first = c.get(urls[0])
                _consume(first)
            n_queries = len(ctx.captured_queries)
            if first.status_code != 200:
                results[key] = {"available": False, "why": f"HTTP {first.status_code} for {urls[0]}"}
                transaction.set_rollback(True)
                continue
            times, cpu = [], []
            for i in range(n):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = c.get(urls[i % len(urls)])
                _consume(response)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200, (key, response.status_code)
            transaction.set_rollback(True)
        times.sort()
        results[key] = {
            "available": True,
            "url": urls[0],
            "n": n,
            "median": statistics.median(times),
            # CPU time of this Python process only (excludes waiting for a busy CPU, and the
            # PostgreSQL server's own work); on a shared machine it shows what the app itself costs.
            "cpu_median": statistics.median(cpu),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "queries": n_queries,
            "bytes": len(first.content) if not getattr(first, "streaming", False) else None,
        }
    if with_similar:
        results["similar_10"] = _similarity(repeat, committee, current, similarity_build_s)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0]
        else:
            import sqlite3

            version = "SQLite " + sqlite3.sqlite_version
    return {
        "vendor": connection.vendor,
        "version": version,
        "proposals": n_proposals,
        "committees": Proposal.objects.values("committee_id").distinct().count(),
        "committee_proposals": n_committee,
        "busiest_agency_proposals": Assignment.objects.filter(agency_id=busiest["agency"]).live().count(),
        "assignments": Assignment.objects.count(),
        "replies": Reply.objects.count(),
        "results": results,
    }


def _similarity_index(committee: int) -> float | None:
    """Build the benchmark committee's similarity index when it is missing (bench_data writes around
    the ORM), before any page is measured: the detail page shows similar proposals to staff and would
    otherwise pay for the build (3,641 queries, 26 s at 1,000,000 proposals). Writes to the bench
    database; returns the seconds it took, None when the index was there."""
    from proposals.models import Proposal, ProposalStatus, SimilarityVector
    from proposals.services.similarity import similarity_rebuild

    # Only the benchmark's committee: similar proposals never cross committees, and at 1,000,000
    # proposals building the other 99 committees' index would take most of the run.
    of_committee = Proposal.objects.filter(committee_id=committee).exclude(status=ProposalStatus.DRAFT)
    if SimilarityVector.objects.filter(proposal__committee_id=committee).count() >= of_committee.count():
        return None
    started = time.perf_counter()
    similarity_rebuild(committee_id=committee)
    return time.perf_counter() - started


def _similarity(repeat: int, committee: int, current, build_s: float | None) -> dict:
    """``similar_proposals`` called directly (the detail row includes it too, for staff): 50 proposals
    of the current meeting, whose candidates are every meeting of the committee, each asked for its 10
    most similar."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from proposals.models import Proposal, ProposalStatus, SimilarityVector
    from proposals.similarity import similar_proposals

    ids = list(
        Proposal.objects.filter(committee_id=committee, meeting=current)
        .exclude(status=ProposalStatus.DRAFT)
        .order_by("id")
        .values_list("id", flat=True)
    )
    ids = ids[:: max(1, len(ids) // 50)][:50]
    proposals = list(Proposal.objects.filter(pk__in=ids).select_related("meeting", "committee"))
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            found = similar_proposals(proposals[0], limit=10)
        times, cpu = [], []
        for i in range(max(repeat, len(proposals))):
            started, started_cpu = time.perf_counter(), time.process_time()
            similar_proposals(proposals[i % len(proposals)], limit=10)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        transaction.set_rollback(True)
    times.sort()
    return {
        "available": True,
        "url": "proposals.similarity.similar_proposals",
        "n": len(times),
        "median": statistics.median(times),
        "cpu_median": statistics.median(cpu),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": len(ctx.captured_queries),
        "found": len(found),
        "index_build_s": build_s,
        "indexed": SimilarityVector.objects.count(),
    }


def _consume(response) -> None:
    if getattr(response, "streaming", False):
        from django.core.signals import request_finished
        from django.db import close_old_connections

        for _chunk in response.streaming_content:  # the client's wrapper closes the response at the end
            pass
        # The test client reconnects close_old_connections after a streaming response; keep it off.
        request_finished.disconnect(close_old_connections)


# --- Parent: run the children, print and write the table ----------------------------------------


def _machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def _measure(env_extra: dict, repeat: int) -> dict:
    env = {**os.environ, **env_extra}
    out = subprocess.run(  # noqa: S603 - runs this very script
        [sys.executable, __file__, "--child", "--repeat", str(repeat)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(ms: float) -> str:
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def _table(runs: list[dict]) -> str:
    cols = "median ms | p95 ms | app CPU ms | ×bare | queries | target"
    head = "| page | " + " | ".join(f"{r['version'].split(' (')[0]}: {cols}" for r in runs) + " |"
    sep = "|---|" + "---|---|---|---|---|---|" * len(runs)
    lines = [head, sep]
    for key, label in LABELS.items():
        cells = []
        for r in runs:
            res = r["results"].get(key, {"available": False, "why": "not measured"})
            if not res.get("available"):
                cells.append(f"not available ({res.get('why', '')}) | | | | | ")
                continue
            base = r["results"]["healthz"]["median"]
            target = TARGETS_MS.get(key)
            verdict = ""
            if target is not None:
                verdict = f"p95 ≤ {target}: {'met' if res['p95'] <= target else '**not met**'}"
            ratio = res["median"] / base
            cells.append(
                f"{_fmt(res['median'])} | {_fmt(res['p95'])} | {_fmt(res['cpu_median'])} | {ratio:.0f}× | "
                f"{res['queries']} | {verdict}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _write_doc(text: str, markers: str = "results") -> None:
    start, end = f"<!-- bench:{markers}:start -->", f"<!-- bench:{markers}:end -->"
    doc = DOC.read_text() if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in doc:
        doc += f"\n{start}\n{end}\n"
    before, rest = doc.split(start, 1)
    _old, after = rest.split(end, 1)
    DOC.write_text(f"{before}{start}\n{text}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-path", help=f"bench SQLite file (default {DEFAULT_SQLITE} when no URL is given)")
    parser.add_argument("--database-url", help="bench PostgreSQL database, e.g. postgres://…/proposal_desk_bench")
    parser.add_argument("--media-root", default=os.environ.get("MEDIA_ROOT", DEFAULT_MEDIA))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated page keys (mine,home_member,…): measure these only; implies --no-write",
    )
    parser.add_argument(
        "--markers",
        default="results",
        help="write between the bench:<markers>:start/end comments (results-1m: the 1,000,000-proposal table)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.repeat)))
        return

    targets = []
    if args.sqlite_path or not args.database_url:
        targets.append({"SQLITE_PATH": args.sqlite_path or DEFAULT_SQLITE, "DATABASE_URL": ""})
    if args.database_url:
        targets.append({"DATABASE_URL": args.database_url})
    machine = _machine()
    runs = []
    for env in targets:
        env = {**env, "MEDIA_ROOT": args.media_root, "DEBUG": "false", "LOG_LEVEL": "WARNING", "BENCH_ONLY": args.only}
        if env.get("SQLITE_PATH") and not Path(env["SQLITE_PATH"]).exists():
            raise SystemExit(f"{env['SQLITE_PATH']} does not exist: run bench_data first (see bench/README.md)")
        runs.append(_measure(env, args.repeat))
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    sizes = "; ".join(
        f"{r['version']}: {r['proposals']:,} proposals in {r['committees']} committees "
        f"({r['committee_proposals']:,} in bench_staff's, {r['busiest_agency_proposals']:,} of them its busiest "
        f"agency's), {r['assignments']:,} assignments, {r['replies']:,} replies"
        for r in runs
    )
    text = "\n".join(
        [
            f"Measured {when} with `python bench/run.py {' '.join(sys.argv[1:])}`, {args.repeat} requests per page "
            "(fewer for export and PDF render).",
            "",
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']} RAM, {machine['os']}; "
            f"Python {machine['python']}, Django {machine['django']}; load average at start {machine['load']:.2f} "
            "(the machine is shared with other developers' test runs).",
            f"Data: {sizes}.",
            "",
            _table(runs),
        ]
    )
    print(text)
    if not args.no_write and not args.only:
        _write_doc(text, args.markers)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
