#!/usr/bin/env python
"""Load test: gunicorn on 127.0.0.1 and a bounded mixed workload of the roles' pages.

    python bench/loadtest.py --sqlite-path /tmp/bench/bench.sqlite3 --duration 30
    python bench/loadtest.py --database-url postgres://postgres@127.0.0.1:5432/proposal_desk_bench

Starts gunicorn (``--workers`` processes) bound to 127.0.0.1 only, logs in as bench users (staff,
handlers of the busiest agencies, members; password from bench_data), then ``--clients`` threads
request a weighted mix of pages with http.client for ``--duration`` seconds. Prints requests per
second, median/p95/p99 latency and failures (any status other than 200, or a connection error), per
page and in total, and stops gunicorn. Nothing listens beyond 127.0.0.1; the run is bounded in time.

Capacity (``--capacity``): for each of ``--workers-list`` (default 1,2,4) a gunicorn is started and
the client count is stepped up (1, 2, 3, 4, 6, 8, 12, 16, …, at most ``--max-clients``), each step
``--step-duration`` seconds of closed-loop clients (no think time), until the p95 of a step exceeds
``--target-p95`` (200 ms). The capacity is the highest request rate of a step whose p95 was within
the target; with ``--think-time`` seconds between a user's requests (10 s by default) that rate serves
rate × (think time + median response time) concurrent users (Little's law). ``--workload bare`` asks
``/healthz`` only (no session, no database): the ratio of the two rates is the app's cost. At most
``--budget`` seconds of load per search, whatever is asked.

    python bench/loadtest.py --database-url postgres://… --capacity --workload both --workers-list 1,2,4
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Password-2024"  # noqa: S105 - the documented password of bench_data's users
HOST = "127.0.0.1"
# The documented default place of the throwaway bench data, away from var/ and the test databases.
DEFAULT_SQLITE = "/tmp/bench/bench.sqlite3"  # noqa: S108
DEFAULT_MEDIA = "/tmp/bench/media"  # noqa: S108


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, page: str, ms: float, ok: bool, note: str = "") -> None:
        with self.lock:
            self.times.setdefault(page, []).append(ms)
            if not ok:
                self.failures[page] = self.failures.get(page, 0) + 1
                if len(self.examples) < 10:
                    self.examples.append(f"{page}: {note}")


class Session:
    """One logged-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": f"{HOST}:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}/accounts/login/"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                # gunicorn's sync workers close kept-alive connections: reconnect once and retry.
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise SystemExit(f"login page: HTTP {status}")
        body = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": PASSWORD})
        status, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise SystemExit(f"login as {username} failed: HTTP {status}")


def _cast(env: dict) -> dict:
    """Usernames and URLs to request, read from the bench database by a small Django child."""
    code = r"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db.models import Count
from proposals.models import Assignment, Meeting, Proposal, Role, User
# Everyone works in bench_staff's committee (bench_data's first, one of several).
committee = User.objects.get(username="bench_staff").committee_id
open_states = ["pending", "accepted"]
busiest = list(Assignment.objects.filter(status__in=open_states, agency__committee_id=committee).values("agency")
               .annotate(n=Count("id")).order_by("-n", "agency").values_list("agency", flat=True)[:4])
handlers = [User.objects.filter(role=Role.HANDLER, agency_id=a).order_by("id").first() for a in busiest]
members = list(User.objects.filter(role=Role.MEMBER, committee_id=committee).order_by("id")[:4])
ids = list(Proposal.objects.filter(committee_id=committee).order_by("id").values_list("id", flat=True))
print(json.dumps({
    "staff": "bench_staff",
    "handlers": [[h.username, list(Proposal.objects.filter(assignments__agency_id=h.agency_id)
                  .order_by("id").values_list("id", flat=True)[:200])] for h in handlers],
    "members": [[m.username, list(Proposal.objects.filter(first_proposer_id=m.member_id)
                 .order_by("id").values_list("id", flat=True)[:50])] for m in members],
    "meeting": Meeting.objects.get(committee_id=committee, is_current=True).pk,
    "agencies": busiest,
    "proposal_ids": ids[::max(1, len(ids) // 200)],
    "pages": max(2, -(-len(ids) // 50)),
}))
"""
    out = subprocess.run(  # noqa: S603 - fixed code, our own interpreter
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _workload(cast: dict, rng: random.Random):
    """(role, page name, path) choices with weights, per role."""
    staff_pages = [
        (30, "list", lambda: "/proposals/"),
        (10, "list_page_n", lambda: f"/proposals/?page={rng.randint(2, min(200, cast['pages']))}"),
        (10, "list_agency", lambda: f"/proposals/?agency={rng.choice(cast['agencies'])}"),
        (10, "list_status_meeting", lambda: f"/proposals/?status=assigned&meeting={cast['meeting']}"),
        (
            10,
            "search",
            lambda: "/proposals/?q=" + quote(rng.choice(["援疆", "老旧小区加装电梯", "营商环境", "职业教育"])),
        ),
        (30, "detail", lambda: f"/proposals/{rng.choice(cast['proposal_ids'])}/"),
    ]
    return {"staff": staff_pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-path")
    parser.add_argument("--database-url")
    parser.add_argument("--media-root", default=os.environ.get("MEDIA_ROOT", DEFAULT_MEDIA))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON as well")
    parser.add_argument("--capacity", action="store_true", help="find the request rate at which p95 crosses the target")
    parser.add_argument("--workers-list", default="1,2,4", help="capacity: gunicorn worker counts to measure")
    parser.add_argument("--workload", choices=["mix", "bare", "both"], default="both", help="capacity: which workload")
    parser.add_argument("--target-p95", type=float, default=200.0, help="capacity: p95 target in ms")
    parser.add_argument("--step-duration", type=float, default=8.0, help="capacity: seconds per client count")
    parser.add_argument("--max-clients", type=int, default=48)
    parser.add_argument(
        "--budget", type=float, default=120.0, help="capacity: at most this many seconds of load per search"
    )
    parser.add_argument("--think-time", type=float, default=10.0, help="capacity: seconds between one user's requests")
    args = parser.parse_args()
    args.duration = min(args.duration, 300.0)  # bounded, whatever is asked
    args.budget = min(args.budget, 300.0)

    env = {**os.environ, "MEDIA_ROOT": args.media_root, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["DATABASE_URL"] = ""
        env["SQLITE_PATH"] = args.sqlite_path or DEFAULT_SQLITE
    env["ALLOWED_HOSTS"] = HOST
    cast = _cast(env)
    rng = random.Random(args.seed)  # noqa: S311 - workload choice, not secrets
    if args.capacity:
        _capacity(args, env, cast, rng)
        return

    server = _start_server(args, env, args.workers)
    try:
        _wait_ready(args.port)
        stats = Stats()
        users = _logins(args, cast)
        stop_at = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=_client, args=(user, pages, stop_at, stats, random.Random(args.seed + i)))  # noqa: S311
            for i, (user, pages) in enumerate(_assign(users, cast, rng, args.clients))
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        _stop_server(server)
    _report(stats, elapsed, args)


def _start_server(args, env: dict, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(gunicorn),
            "config.wsgi",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )


def _stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- Capacity -----------------------------------------------------------------------------------

CLIENT_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


def _run_step(plan, seconds: float, seed: int) -> tuple[Stats, float]:
    """``len(plan)`` closed-loop clients for ``seconds``: the stats and the time they took."""
    stats = Stats()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(session, pages, stop_at, stats, random.Random(seed + i)))  # noqa: S311
        for i, (session, pages) in enumerate(plan)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, time.monotonic() - started


def _search(args, plan_for, label: str, seed: int) -> dict:
    """Step the client count up until a step's p95 exceeds the target (or the budget is spent)."""
    steps = []
    spent = 0.0
    # Warm-up, not counted: each worker's first requests load templates and open connections.
    _run_step(plan_for(2), min(3.0, args.step_duration), seed)
    for clients in [c for c in CLIENT_STEPS if c <= args.max_clients]:
        if spent + args.step_duration > args.budget:
            break
        stats, elapsed = _run_step(plan_for(clients), args.step_duration, seed)
        spent += elapsed
        times = [t for ts in stats.times.values() for t in ts]
        if not times:
            break
        step = {
            "clients": clients,
            "requests": len(times),
            "rps": len(times) / elapsed,
            "median": statistics.median(times),
            "p95": _pct(times, 0.95),
            "failures": sum(stats.failures.values()),
        }
        steps.append(step)
        print(
            f"  {label}: {clients:2d} clients  {step['rps']:7.1f} req/s  median {step['median']:6.1f} ms  "
            f"p95 {step['p95']:6.1f} ms  failures {step['failures']}",
            flush=True,
        )
        if step["p95"] > args.target_p95 or step["failures"]:
            break
    within = [s for s in steps if s["p95"] <= args.target_p95 and not s["failures"]]
    best = max(within, key=lambda s: s["rps"]) if within else None
    crossed = next((s for s in steps if s["p95"] > args.target_p95), None)
    return {"label": label, "steps": steps, "best": best, "crossed": crossed, "seconds": spent}


def _capacity(args, env: dict, cast: dict, rng: random.Random) -> None:
    workers_list = [int(w) for w in args.workers_list.split(",") if w.strip()]
    workloads = ["mix", "bare"] if args.workload == "both" else [args.workload]
    load = os.getloadavg()[0]
    print(
        f"capacity: p95 target {args.target_p95:.0f} ms, {args.step_duration:.0f} s per step, "
        f"load average {load:.2f} at start",
        flush=True,
    )
    results = []
    for workers in workers_list:
        server = _start_server(args, env, workers)
        try:
            _wait_ready(args.port)
            users = _logins(args, cast) if "mix" in workloads else None
            for workload in workloads:
                if workload == "mix":
                    plan_for = partial(_assign, users, cast, rng)
                else:
                    plan_for = partial(_bare_plan, Session(args.port))
                found = _search(args, plan_for, f"{workers} workers, {workload}", args.seed)
                results.append({"workers": workers, "workload": workload, **found})
        finally:
            _stop_server(server)
    _capacity_report(results, args, load)


def _bare_plan(session: Session, clients: int) -> list:
    """``clients`` clients asking the bare view only: no session, no database."""
    return [(session, [(1, "healthz", lambda: "/healthz")])] * clients


def _capacity_report(results: list[dict], args, load: float) -> None:
    print(
        f"\n| gunicorn workers | workload | capacity req/s at p95 ≤ {args.target_p95:.0f} ms | clients | median ms | "
        f"p95 ms | users at {args.think_time:.0f} s think time | p95 crossed at |"
    )
    print("|---|---|---|---|---|---|---|---|")
    by_key = {(r["workers"], r["workload"]): r for r in results}
    for r in results:
        best, crossed = r["best"], r["crossed"]
        if crossed:
            crossing = f"{crossed['clients']} clients, {crossed['rps']:.1f} req/s, p95 {crossed['p95']:.0f} ms"
        else:
            crossing = f"not within {r['steps'][-1]['clients'] if r['steps'] else 0} clients"
        if best is None:
            print(f"| {r['workers']} | {r['workload']} | none | | | | | {crossing} |")
            continue
        users = best["rps"] * (args.think_time + best["median"] / 1000)
        print(
            f"| {r['workers']} | {r['workload']} | {best['rps']:.1f} | {best['clients']} | {best['median']:.0f} | "
            f"{best['p95']:.0f} | {users:.0f} | {crossing} |"
        )
    for workers in sorted({r["workers"] for r in results}):
        mix, bare = by_key.get((workers, "mix")), by_key.get((workers, "bare"))
        if mix and bare and mix["best"] and bare["best"]:
            print(
                f"{workers} workers: the bare view serves "
                f"{bare['best']['rps'] / mix['best']['rps']:.1f}× the mix's rate"
            )
    print(f"load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f}")
    if args.json:
        print(json.dumps(results))


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _logins(args, cast: dict) -> dict[str, list[tuple[Session, list[int]]]]:
    out: dict[str, list[tuple[Session, list[int]]]] = {"staff": [], "handler": [], "member": []}
    for _ in range(2):
        s = Session(args.port)
        s.login(cast["staff"])
        out["staff"].append((s, cast["proposal_ids"]))
    for username, ids in cast["handlers"]:
        s = Session(args.port)
        s.login(username)
        out["handler"].append((s, ids))
    for username, ids in cast["members"]:
        s = Session(args.port)
        s.login(username)
        out["member"].append((s, ids))
    return out


def _assign(users, cast, rng, clients: int):
    """Spread ``clients`` threads over the roles: half staff, a third handlers, the rest members."""
    plan = []
    for i in range(clients):
        role = "staff" if i % 6 in (0, 2, 4) else "handler" if i % 6 in (1, 5) else "member"
        session, ids = users[role][i % len(users[role])]
        if role == "staff":
            pages = _workload(cast, rng)["staff"]
        elif role == "handler":
            pages = [
                (50, "inbox", lambda: "/proposals/inbox/"),
                (35, "detail_handler", (lambda ids=ids: f"/proposals/{rng.choice(ids)}/") if ids else None),
                (15, "list_handler", lambda: "/proposals/"),
            ]
        else:
            pages = [
                (50, "mine", lambda: "/proposals/mine/"),
                (50, "detail_member", (lambda ids=ids: f"/proposals/{rng.choice(ids)}/") if ids else None),
            ]
        plan.append((session, [p for p in pages if p[2] is not None]))
    return plan


def _client(session: Session, pages, stop_at: float, stats: Stats, rng: random.Random) -> None:
    weights = [w for w, _n, _f in pages]
    # Each thread owns its own connection: a Session is never shared between threads.
    own = Session(session.port)
    own.cookies = dict(session.cookies)
    while time.monotonic() < stop_at:
        _w, name, make = rng.choices(pages, weights=weights)[0]
        path = make()
        started = time.perf_counter()
        try:
            status, _body = own.request("GET", path)
            ok, note = status == 200, f"HTTP {status} {path}"
        except (http.client.HTTPException, OSError) as exc:
            ok, note = False, f"{type(exc).__name__} {path}"
        stats.add(name, (time.perf_counter() - started) * 1000, ok, note)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _report(stats: Stats, elapsed: float, args) -> None:
    all_times = [t for ts in stats.times.values() for t in ts]
    total = len(all_times)
    failures = sum(stats.failures.values())
    print(f"gunicorn {args.workers} sync workers, {args.clients} client threads, {elapsed:.1f} s on {HOST}")
    print("| page | requests | failures | median ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for name in sorted(stats.times):
        ts = stats.times[name]
        print(
            f"| {name} | {len(ts)} | {stats.failures.get(name, 0)} | {statistics.median(ts):.0f} | "
            f"{_pct(ts, 0.95):.0f} | {_pct(ts, 0.99):.0f} |"
        )
    if total:
        print(
            f"| **all** | {total} | {failures} | {statistics.median(all_times):.0f} | {_pct(all_times, 0.95):.0f} | "
            f"{_pct(all_times, 0.99):.0f} |"
        )
    print(f"\nthroughput: {total / elapsed:.1f} requests/s; failures: {failures}")
    for line in stats.examples:
        print("  failure:", line)
    if args.json:
        print(
            json.dumps(
                {
                    "rps": total / elapsed,
                    "requests": total,
                    "failures": failures,
                    "p95": _pct(all_times, 0.95) if total else None,
                }
            )
        )


if __name__ == "__main__":
    main()
