#!/usr/bin/env python
"""Cluster test: two app nodes, a task worker, a shared cache and object storage behind nginx.

Run on purpose (about two minutes):

    .venv/bin/python scripts/cluster_test.py            # the full run (30 s of load)
    .venv/bin/python scripts/cluster_test.py --short    # under a minute (tests/test_cluster.py)
    .venv/bin/python scripts/cluster_test.py --check    # only say whether everything it needs is here

Everything listens on 127.0.0.1, on free ports, and is this run's own:

* a PostgreSQL database on the running server (``--pg-url``, default postgres@127.0.0.1:5432), migrated
  and filled with a small ``bench_data`` set; dropped at the end;
* a ``redis-server`` (nothing kept on disk) as ``CACHE_URL``;
* ``moto_server``, moto's S3-protocol server, as the object store (``S3_BUCKET``): a stand-in for a
  real S3-compatible store, which no registry package provides here;
* two gunicorn app nodes (A and B) started with deploy/gunicorn.conf.py, in production mode
  (``DJANGO_ENV=production``, collected static files, secret keys of this run);
* one task worker, ``manage.py db_worker``;
* nginx with its own configuration: deploy/nginx/proposal-desk-locations.conf (the lines the
  production site includes) inside a plain-HTTP server block, upstream = the two nodes, its own pid,
  logs and temp folders. deploy/nginx/proposal-desk.conf (the TLS site) is checked with ``nginx -t``.

Checks, each across nodes: log in on A and continue the session on B (sessions in the database);
a counter of the app (the out-of-scope probe counter of audit/probes.py) incremented on A, B, A
reads 2 in the shared redis; an attachment uploaded on A downloads byte for byte on B; a reply
issued on A (its PDF rendered and stored by node A) downloads on B and passes B's verification
page; a compiled volume (oversight/volume.py) requested through nginx is built by the worker and
downloaded through nginx, holding the issued PDF byte for byte; then a load run through nginx
during which node A gets SIGTERM (gunicorn's graceful stop): every request is counted, with the
node that answered it (nginx's $upstream_addr), and the run passes only when no request failed
beyond those in flight when A was stopped. It prints a summary and one JSON line, exits 0 only
when every check passed, and stops every process and drops the database on success, failure,
Ctrl-C or its time limit.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import hashlib
import http.client
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "Bench-Password-2024"  # noqa: S105 - the documented password of bench_data's users
DEPLOY = ROOT / "deploy"
LOCATIONS = DEPLOY / "nginx" / "proposal-desk-locations.conf"
SITE = DEPLOY / "nginx" / "proposal-desk.conf"
STATIC_IN_TEMPLATE = "/srv/proposal-desk/var/staticfiles/"
BUCKET = "proposal-desk-cluster"


class CheckFailed(Exception):
    pass


# --- What is needed ------------------------------------------------------------------------------
def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def missing(pg_url: str) -> str | None:
    """Why the cluster cannot run here (None: it can)."""
    if nginx_binary() is None:
        return "nginx is not installed (sh scripts/ensure-system-packages.sh nginx)"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (Debian package redis-server)"
    for tool in ("gunicorn", "moto_server"):
        if not (BIN / tool).exists():
            return f"{tool} is not installed in {BIN} (pip install gunicorn 'moto[server]')"
    for module, package in (("storages", "django-storages[s3]"), ("boto3", "boto3"), ("redis", "redis")):
        try:
            __import__(module)
        except ImportError:
            return f"the Python package {package} is not installed"
    try:
        import psycopg

        with psycopg.connect(pg_url, connect_timeout=3):
            pass
    except Exception as exc:  # any reason: no server, no trust auth
        return f"PostgreSQL is not reachable at {pg_url} ({type(exc).__name__}); the cluster needs PostgreSQL"
    return None


# --- Processes -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path


class Cluster:
    """Every process, folder and database of the run, stopped and removed by :meth:`cleanup`."""

    def __init__(self, pg_url: str, keep: bool) -> None:
        self.pg_url = pg_url
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix="proposal-desk-cluster-"))
        self.procs: list[Proc] = []
        self.db_name = f"proposal_desk_cluster_{os.getpid()}_{int(time.time())}"
        self.db_created = False
        self.ports: dict[str, int] = {}

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.tmp / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - fixed programs of this run
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        """Signal the process (its own group: gunicorn's workers too) and wait for it."""
        if proc.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, sig)
            try:
                proc.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=10)
        return proc.popen.returncode

    def tail(self, proc: Proc, lines: int = 15) -> str:
        try:
            return "\n".join(proc.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def create_database(self) -> str:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True
        parts = urlsplit(self.pg_url)
        return parts._replace(path=f"/{self.db_name}").geturl()

    def cleanup(self) -> list[str]:
        notes = []
        for proc in reversed(self.procs):
            # nginx stops gracefully on QUIT; everything else on TERM.
            code = self.stop(proc, signal.SIGQUIT if proc.name == "nginx" else signal.SIGTERM, timeout=15)
            if code not in (0, -signal.SIGTERM, -signal.SIGQUIT, None):
                notes.append(f"{proc.name} exited with {code}")
        if self.db_created:
            import psycopg

            try:
                with psycopg.connect(self.pg_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                self.db_created = False
            except Exception as exc:
                notes.append(f"could not drop database {self.db_name}: {exc}")
        if self.keep:
            notes.append(f"kept {self.tmp} (logs, configuration)")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return notes


def wait_http(port: int, path: str, seconds: float, proc: Proc | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise CheckFailed(f"{proc.name} exited with {proc.popen.returncode} while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CheckFailed(f"nothing answered http://{HOST}:{port}{path} within {seconds:.0f} s")


def wait_redis(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.1)
    raise CheckFailed(f"redis-server did not answer on port {port}")


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise CheckFailed(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


# --- A browser -----------------------------------------------------------------------------------
class Browser:
    """Cookies of one user, sent to whichever port (node A, node B, nginx) a request names."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"{HOST}:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, port: int, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request(port, "GET", path)

    def csrf(self, port: int, path: str) -> str:
        status, _h, page = self.get(port, path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise CheckFailed(f"no form at {path} on port {port} (HTTP {status})")
        return match.group(1).decode()

    def post(self, port: int, path: str, fields: dict[str, str], token_from: str) -> tuple[int, dict[str, str], bytes]:
        data = {"csrfmiddlewaretoken": self.csrf(port, token_from), **fields}
        return self.request(port, "POST", path, urlencode(data).encode(), "application/x-www-form-urlencoded")

    def post_file(
        self,
        port: int,
        path: str,
        fields: dict[str, str],
        file_field: str,
        filename: str,
        content: bytes,
        token_from: str,
    ) -> tuple[int, dict[str, str], bytes]:
        boundary = "----cluster" + secrets.token_hex(8)
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.csrf(port, token_from), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(port, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def login(self, port: int, username: str) -> None:
        status, _headers, _ = self.post(
            port, "/accounts/login/", {"username": username, "password": PASSWORD}, "/accounts/login/"
        )
        if status != 302:
            raise CheckFailed(f"login as {username} on port {port}: HTTP {status}")


# --- Configuration -------------------------------------------------------------------------------
def nginx_main_conf(tmp: Path, body: str) -> str:
    """A whole nginx.conf of this run around ``body`` (the http block's content)."""
    user = ""
    if os.geteuid() == 0:
        # As root nginx's workers would switch to "nobody", who cannot read this run's folders.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};\n"
    return f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    log_format cluster '$remote_addr "$request" $status $body_bytes_sent upstream=$upstream_addr '
                       'upstream_status=$upstream_status time=$request_time';
    access_log {tmp}/nginx-access.log cluster;
    keepalive_requests 100000;
{body}
}}
"""


def render_cluster_nginx(tmp: Path, port: int, nodes: list[int], static_root: Path) -> Path:
    """The plain-HTTP site of the test: the production locations file, with this run's static folder."""
    locations = LOCATIONS.read_text()
    if STATIC_IN_TEMPLATE not in locations:
        raise CheckFailed(f"{LOCATIONS} no longer names {STATIC_IN_TEMPLATE}")
    (tmp / "proposal-desk-locations.conf").write_text(locations.replace(STATIC_IN_TEMPLATE, f"{static_root}/"))
    servers = "\n".join(f"        server {HOST}:{p} max_fails=1 fail_timeout=10s;" for p in nodes)
    body = f"""    upstream proposal_desk {{
{servers}
    }}
    server {{
        listen {HOST}:{port};
        server_name {HOST};
        # The test's own header: which node answered (both when nginx passed a request on).
        add_header X-Cluster-Upstream $upstream_addr always;
        include {tmp}/proposal-desk-locations.conf;
    }}"""
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_main_conf(tmp, body))
    for sub in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
        (tmp / sub).mkdir(exist_ok=True)
    return conf


def check_tls_site(tmp: Path) -> str:
    """``nginx -t`` on deploy/nginx/proposal-desk.conf with a self-signed certificate of this run."""
    if shutil.which("openssl") is None:
        return "skipped (no openssl to make a test certificate)"
    tls = tmp / "tls"
    tls.mkdir()
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=desk.example.org",
            ),
            *("-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = SITE.read_text()
    replacements = {
        "/etc/letsencrypt/live/desk.example.org/": f"{tls}/",
        "/etc/nginx/snippets/proposal-desk-locations.conf": str(tmp / "proposal-desk-locations.conf"),
        "/var/log/nginx/": f"{tls}/",
    }
    for old, new in replacements.items():
        if old not in site:
            raise CheckFailed(f"{SITE} no longer names {old}")
        site = site.replace(old, new)
    conf = tls / "nginx-tls.conf"
    conf.write_text(nginx_main_conf(tls, site).replace(f"pid {tls}/nginx.pid", f"pid {tls}/nginx.pid"))
    for sub in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
        (tls / sub).mkdir(exist_ok=True)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [nginx_binary() or "nginx", "-t", "-q", "-p", str(tls), "-c", str(conf), "-e", str(tls / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise CheckFailed(f"nginx -t refused {SITE}:\n{result.stderr}")
    return "nginx -t ok"


SETUP = r"""
import json
from django.db.models import Exists, OuterRef
from proposals import seed
from proposals.models import ANSWERING_ROLES, Assignment, AssignmentStatus, Role, User
from replies import services
from replies.models import Reply

staff = User.objects.get(username="bench_staff")
has_reply = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round"))
candidates = (
    Assignment.objects.filter(
        status=AssignmentStatus.ACCEPTED, role__in=ANSWERING_ROLES, proposal__committee_id=staff.committee_id
    )
    .exclude(Exists(has_reply))
    .select_related("agency", "proposal")
    .order_by("id")
)
for assignment in candidates:
    handler = User.objects.filter(role=Role.HANDLER, agency=assignment.agency, is_active=True).order_by("id").first()
    leader = User.objects.filter(role=Role.LEADER, agency=assignment.agency, is_active=True).order_by("id").first()
    if handler and leader:
        break
else:
    raise SystemExit("no accepted assignment with a handler and a leader in the bench data")
data = {
    "reply_class": "A",
    "body": "\n".join(seed.REPLY_PARAGRAPHS),
    "closing": seed.REPLY_CLOSING,
    "leader_name": "王主任",
    "handler_name": seed.REPLY_HANDLER,
    "phone": seed.REPLY_PHONE,
    "doc_number": "集群测试〔2026〕1号",
    "is_public": True,
}
reply = services.reply_create(assignment=assignment, actor=handler, data=data)
reply = services.reply_submit(reply=reply, actor=handler)
problems = [str(p) for p in services.issue_problems(reply)]
print(json.dumps({
    "reply": reply.pk,
    "assignment": assignment.pk,
    "proposal": assignment.proposal_id,
    "meeting": assignment.proposal.meeting_id,
    "leader": leader.username,
    "problems": problems,
    "proposals": list(
        assignment.proposal.__class__.objects.filter(committee_id=staff.committee_id).order_by("id")
        .values_list("id", flat=True)[:60]
    ),
}))
"""


def tiny_pdf(label: str) -> bytes:
    """A small valid PDF of one page (the upload check sniffs the %PDF header)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n% cluster " + label.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


# --- The load run --------------------------------------------------------------------------------
@dataclass
class Outcome:
    started: float
    ended: float
    status: int  # 0: no response (connection error, timeout)
    upstream: str
    note: str = ""


@dataclass
class Load:
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def load_client(port: int, cookies: dict[str, str], paths: list[str], stop_at: float, load: Load, seed: int) -> None:
    import random

    rng = random.Random(seed)  # noqa: S311 - workload choice, not secrets
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Host": f"{HOST}:{port}", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    while time.monotonic() < stop_at:
        path = rng.choice(paths)
        started = time.monotonic()
        try:
            # No retry here: whatever nginx answers is what a browser would have seen.
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            load.add(Outcome(started, time.monotonic(), response.status, response.getheader("X-Cluster-Upstream", "")))
            if response.will_close:
                conn.close()
        except (http.client.HTTPException, OSError) as exc:
            load.add(Outcome(started, time.monotonic(), 0, "", f"{type(exc).__name__}: {exc}"))
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.close()


# --- The run -------------------------------------------------------------------------------------
@dataclass
class Report:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))
        print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}", flush=True)
        if not ok:
            raise CheckFailed(f"{name}: {detail}")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bucket_objects(s3: Any) -> int:
    return sum(page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET))


def run(args: argparse.Namespace, cluster: Cluster, report: Report) -> None:
    import boto3  # type: ignore[import-untyped]
    import redis

    t0 = time.monotonic()
    tmp = cluster.tmp
    p = cluster.ports
    for name in ("redis", "s3", "a", "b", "nginx"):
        p[name] = free_port()

    # Shared services.
    cluster.start(
        "redis",
        [
            *("redis-server", "--bind", HOST, "--port", str(p["redis"]), "--save", "", "--appendonly", "no"),
            *("--dir", str(tmp), "--daemonize", "no", "--protected-mode", "yes"),
        ],
    )
    s3_proc = cluster.start("moto", [str(BIN / "moto_server"), "-H", HOST, "-p", str(p["s3"])])
    wait_redis(p["redis"], 20)
    wait_http(p["s3"], "/", 30, s3_proc)
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{HOST}:{p['s3']}",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",  # noqa: S106 - moto accepts any key
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=BUCKET)
    database_url = cluster.create_database()
    report.times["services"] = time.monotonic() - t0

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "S3_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(32),
        AUDIT_ANCHOR_PATH=str(tmp / "audit-anchor.log"),
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on 127.0.0.1; the TLS site is checked with nginx -t
        DATABASE_URL=database_url,
        CACHE_URL=f"redis://{HOST}:{p['redis']}/0",
        TRUSTED_PROXIES=HOST,  # nginx's X-Real-IP is the client's address (common/proxy.py)
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=f"http://{HOST}:{p['s3']}",
        S3_ACCESS_KEY_ID="cluster",
        S3_SECRET_ACCESS_KEY="cluster-secret",  # noqa: S106
        S3_REGION="us-east-1",
        MEDIA_ROOT=str(tmp / "media-must-stay-empty"),
        STATIC_ROOT=str(tmp / "static"),
        LOG_LEVEL="WARNING",
        # The bench data has no signed consultation records for the reply issued below.
        REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )

    t = time.monotonic()
    # collectstatic needs no database: it runs beside the migrations.
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        collected = collect.communicate(timeout=120)[0]
    finally:
        if collect.poll() is None:
            collect.kill()
    if collect.returncode != 0:
        raise CheckFailed(f"manage.py collectstatic failed:\n{collected.decode(errors='replace')[-2000:]}")
    report.times["migrate"] = time.monotonic() - t
    t = time.monotonic()
    size = ["200", "2", "2", "8", "40"] if args.short else ["2000", "2", "4", "20", "100"]
    # bench_data and the prepared reply in one process (one Django start-up fewer).
    # bench_data's bulk writes leave the similarity index to the first detail pages (up to 200
    # proposals a request, seconds each): built here, as a deployment does after an import.
    fill = (
        "from django.core.management import call_command\n"
        "call_command('bench_data', proposals={}, committees={}, meetings={}, agencies={}, members={}, seed=1)\n"
        "call_command('similarity_index')\n"
    ).format(*size)
    case = json.loads(manage(env, "shell", "-c", fill + SETUP).strip().splitlines()[-1])
    if case["problems"]:
        raise CheckFailed(f"the prepared reply cannot be issued: {case['problems']}")
    report.times["data"] = time.monotonic() - t
    objects_after_data = bucket_objects(s3)

    # The app nodes, the worker and nginx.
    t = time.monotonic()
    workers = "2"
    nodes = {}
    for name in ("a", "b"):
        node_env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{p[name]}",
            "GUNICORN_WORKERS": workers,
            "GUNICORN_GRACEFUL_TIMEOUT": "20",
            "GUNICORN_PROC_NAME": f"proposal-desk-cluster-{name}",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        nodes[name] = cluster.start(
            f"node-{name}", [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")], node_env
        )
    worker = cluster.start(
        "worker",
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5", "--no-startup-delay"],
        env,
    )
    conf = render_cluster_nginx(tmp, p["nginx"], [p["a"], p["b"]], Path(env["STATIC_ROOT"]))
    nginx = cluster.start(
        "nginx", [nginx_binary() or "nginx", "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")]
    )
    for name in ("a", "b"):
        wait_http(p[name], "/healthz", 60, nodes[name])
    wait_http(p["nginx"], "/healthz", 20, nginx)
    report.times["start"] = time.monotonic() - t
    A, B, N = p["a"], p["b"], p["nginx"]
    print(f"cluster up: node A :{A}, node B :{B}, nginx :{N}, redis :{p['redis']}, S3 (moto) :{p['s3']}", flush=True)

    t = time.monotonic()
    report.check("TLS site", True, check_tls_site(tmp))
    status, headers, css = Browser().get(N, "/static/css/app.css")
    report.check(
        "static files through nginx",
        status == 200 and b"{" in css and not headers.get("x-cluster-upstream"),
        f"HTTP {status}, {len(css)} bytes, served by nginx itself",
    )

    # 1. A session begun on A goes on on B.
    staff = Browser()
    staff.login(A, "bench_staff")
    status_b, _headers_b, _page_b = staff.get(B, "/proposals/")
    anonymous_status, anonymous_headers, _ = Browser().get(B, "/proposals/")
    report.check(
        "session A → B",
        status_b == 200 and anonymous_status == 302 and "/accounts/login/" in anonymous_headers.get("location", ""),
        f"logged in on A; B answers the list with HTTP {status_b} "
        f"(without the cookie: {anonymous_status} to the login)",
    )

    # 2. The shared cache: the out-of-scope counter incremented on A, B and A reads 2 in redis.
    for port in (A, B, A):
        staff.get(port, "/proposals/987654321/")
    cache = redis.Redis(host=HOST, port=p["redis"])
    keys = [k for k in cache.scan_iter(match="*audit:out_of_scope:*")]
    count = int(cache.get(keys[0]) or 0) if keys else 0
    report.check(
        "shared cache",
        len(keys) == 1 and count == 2,
        f"probe counter {keys[0].decode() if keys else '—'} = {count} after probes on A, B, A "
        "(one row written, then two counted)",
    )

    # 3. Upload on A, download on B.
    proposal = case["proposal"]
    content = tiny_pdf(secrets.token_hex(8))
    before = bucket_objects(s3)
    status, headers, _ = staff.post_file(
        A, f"/proposals/{proposal}/attachments/", {}, "file", "集群附件.pdf", content, f"/proposals/{proposal}/"
    )
    if status != 302:
        raise CheckFailed(f"upload on A: HTTP {status}")
    _s, _h, detail = staff.get(B, f"/proposals/{proposal}/")
    ids = [int(x) for x in re.findall(rb"/proposals/attachments/(\d+)/", detail)]
    status, _h, downloaded = staff.get(B, f"/proposals/attachments/{max(ids)}/") if ids else (0, {}, b"")
    after = bucket_objects(s3)
    report.check(
        "attachment A → B",
        status == 200 and downloaded == content and after == before + 1,
        f"{len(content)} bytes uploaded on A, downloaded on B byte for byte (HTTP {status}); "
        f"bucket {before} → {after} objects",
    )

    # 4. A reply issued on A (its PDF rendered and stored by A), downloaded and verified on B.
    leader = Browser()
    leader.login(A, case["leader"])
    reply = case["reply"]
    status, headers, body = leader.post(
        A, f"/replies/{reply}/issue/", {"confirm": "1"}, f"/replies/assignment/{case['assignment']}/"
    )
    if status != 302:
        raise CheckFailed(f"issue on A: HTTP {status}: {body[:300]!r}")
    status, headers, pdf = leader.get(B, f"/replies/{reply}/pdf/")
    if status != 200 or not pdf.startswith(b"%PDF"):
        raise CheckFailed(f"the issued PDF on B: HTTP {status}")
    status, _h, verdict = leader.post_file(
        B, "/replies/verify/", {"sha256": ""}, "file", "reply.pdf", pdf, "/replies/verify/"
    )
    report.check(
        "reply issued on A, verified on B",
        status == 200 and "核验通过".encode() in verdict,
        f"PDF {len(pdf)} bytes, SHA-256 {sha(pdf)[:16]}…; B's verification page: "
        + ("核验通过 (issued original)" if "核验通过".encode() in verdict else f"HTTP {status}, not recognised"),
    )

    # 5. A volume built by the worker, fetched through nginx.
    staff_n = Browser()
    staff_n.login(N, "bench_staff")
    built_at = time.monotonic()
    status, headers, _ = staff_n.post(
        N,
        "/oversight/volumes/new/",
        {"meeting": str(case["meeting"]), "format": "zip"},
        f"/oversight/volumes/?meeting={case['meeting']}",
    )
    match = re.search(r"/oversight/volumes/(\d+)/", headers.get("location", ""))
    if status != 302 or not match:
        raise CheckFailed(f"volume request through nginx: HTTP {status} {headers.get('location')}")
    build = match.group(1)
    state: dict[str, Any] = {}
    while time.monotonic() - built_at < (60 if args.short else 180):
        _s, _h, raw = staff_n.get(N, f"/oversight/volumes/{build}/status/")
        state = json.loads(raw)
        if state.get("status") == "done" or state.get("status") == "failed":
            break
        if worker.popen.poll() is not None:
            raise CheckFailed(f"the worker exited: {cluster.tail(worker)}")
        time.sleep(0.5)
    status, headers, volume = (
        staff_n.get(N, f"/oversight/volumes/{build}/download/") if state.get("status") == "done" else (0, {}, b"")
    )
    names, holds_issued = 0, False
    if status == 200:
        with zipfile.ZipFile(io.BytesIO(volume)) as zf:
            names = len(zf.namelist())
            holds_issued = any(sha(zf.read(n)) == sha(pdf) for n in zf.namelist() if n.endswith(f"-{reply}.pdf"))
    report.check(
        "volume built by the worker, fetched through nginx",
        status == 200 and holds_issued,
        f"{state.get('status')} in {time.monotonic() - built_at:.1f} s: zip of {names} letters, {len(volume)} bytes, "
        f"served by {headers.get('x-cluster-upstream', '?')}; "
        f"holds the reply issued on A byte for byte: {holds_issued}",
    )
    report.figures["objects"] = {
        "bucket_after_data": objects_after_data,
        "bucket_at_end": bucket_objects(s3),
        "written_on_A": ["attachment", "issued reply PDF"],
        "read_on_B": ["attachment", "issued reply PDF"],
        "written_by_worker": ["volume zip"],
        "read_through_nginx": ["volume zip", "static css"],
        "media_root_files": sum(1 for _ in Path(env["MEDIA_ROOT"]).rglob("*") if _.is_file())
        if Path(env["MEDIA_ROOT"]).exists()
        else 0,
    }
    report.check(
        "nothing written to the local media folder",
        report.figures["objects"]["media_root_files"] == 0,
        f"{report.figures['objects']['media_root_files']} files under MEDIA_ROOT; "
        f"the bucket holds {report.figures['objects']['bucket_at_end']} objects",
    )
    report.times["checks"] = time.monotonic() - t

    # 6. Load through nginx; node A is stopped (SIGTERM) half-way.
    duration = 10.0 if args.short else float(args.duration)
    clients = 4 if args.short else args.clients
    ids = case["proposals"]
    paths = ["/proposals/", "/proposals/?page=2", "/healthz", *[f"/proposals/{i}/" for i in ids[:40]]]
    sessions = []
    for _ in range(2):
        user = Browser()
        user.login(N, "bench_staff")
        sessions.append(user.cookies)
    load = Load()
    start = time.monotonic()
    stop_at = start + duration
    threads = [
        threading.Thread(target=load_client, args=(N, sessions[i % 2], paths, stop_at, load, i), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(duration / 2)
    stopped_at = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.kill(nodes["a"].popen.pid, signal.SIGTERM)  # the gunicorn master: a graceful stop
    code_a = None
    try:
        code_a = nodes["a"].popen.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    a_exit = time.monotonic() - stopped_at
    for thread in threads:
        thread.join(timeout=duration + 60)
    elapsed = time.monotonic() - start

    outs = load.outcomes
    a_addr, b_addr = f"{HOST}:{A}", f"{HOST}:{B}"
    failures = [o for o in outs if o.status != 200]
    in_flight = [o for o in outs if o.started <= stopped_at <= o.ended]
    by_a = sum(1 for o in outs if o.upstream.split(", ")[-1] == a_addr)
    by_b = sum(1 for o in outs if o.upstream.split(", ")[-1] == b_addr)
    after_stop = [o for o in outs if o.started > stopped_at]
    retried = [o for o in outs if "," in o.upstream]
    a_after_exit = sum(
        1 for o in after_stop if o.upstream.split(", ")[-1] == a_addr and o.started > stopped_at + a_exit
    )
    times_ms = sorted((o.ended - o.started) * 1000 for o in outs)
    report.figures["load"] = {
        "requests": len(outs),
        "failures": len(failures),
        "failure_examples": sorted({f"{o.status} {o.note}"[:120] for o in failures})[:5],
        "seconds": round(elapsed, 1),
        "requests_per_second": round(len(outs) / elapsed, 1) if elapsed else 0,
        "clients": clients,
        "median_ms": round(statistics.median(times_ms), 1) if times_ms else None,
        "p95_ms": round(times_ms[min(len(times_ms) - 1, round(0.95 * (len(times_ms) - 1)))], 1) if times_ms else None,
        "answered_by_A": by_a,
        "answered_by_B": by_b,
        "node_stopped": f"A ({a_addr}) by SIGTERM at {stopped_at - start:.1f} s",
        "node_A_exit_code": code_a,
        "node_A_exit_seconds": round(a_exit, 2),
        "in_flight_at_stop": len(in_flight),
        "in_flight_on_A_answered": sum(1 for o in in_flight if o.status == 200 and a_addr in o.upstream),
        "passed_on_by_nginx": len(retried),
        "requests_after_stop": len(after_stop),
        "answered_by_A_after_it_exited": a_after_exit,
    }
    lf = report.figures["load"]
    report.check(
        "load run with node A stopped",
        code_a == 0
        and len(failures) <= len(in_flight)
        and by_a > 0
        and len(after_stop) > 0
        and all(o.status == 200 for o in after_stop if o.started > stopped_at + a_exit)
        and a_after_exit == 0,
        f"{lf['requests']} requests in {lf['seconds']} s ({lf['requests_per_second']}/s), {lf['failures']} failed; "
        f"A answered {by_a}, B {by_b}; A stopped at {stopped_at - start:.1f} s and exited {code_a} after "
        f"{a_exit:.1f} s; {len(in_flight)} in flight then; nginx passed {len(retried)} on to B",
    )
    status, _h, _b = staff_n.get(N, "/proposals/")
    report.check("the session goes on through nginx with node A down", status == 200, f"HTTP {status} from B")
    report.times["load"] = elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the suite's variant: less data, 10 s of load")
    parser.add_argument("--check", action="store_true", help="only say whether the cluster can run here")
    parser.add_argument(
        "--pg-url", default=os.environ.get("CLUSTER_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (full run; capped at 120)")
    parser.add_argument("--clients", type=int, default=8, help="load threads (full run)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, rendered configuration)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line at the end")
    args = parser.parse_args()
    args.duration = max(4.0, min(args.duration, 120.0))

    reason = missing(args.pg_url)
    if args.check or reason:
        print(f"cannot run: {reason}" if reason else "ok: nginx, redis-server, moto, gunicorn and PostgreSQL are here")
        return 3 if reason else 0

    limit = 300 if args.short else 900
    cluster = Cluster(args.pg_url, keep=args.keep)
    report = Report()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def on_alarm(_signum, _frame):
        raise TimeoutError(f"the run took longer than {limit} s")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(limit)
    started = time.monotonic()
    error = ""
    notes: list[str] = []
    try:
        run(args, cluster, report)
    except CheckFailed as exc:
        error = str(exc)
    except (KeyboardInterrupt, TimeoutError) as exc:
        error = f"interrupted: {exc or 'Ctrl-C'}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
        if error:
            for proc in cluster.procs:
                print(f"--- {proc.name} (last lines of its log)\n{cluster.tail(proc)}", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            notes = cluster.cleanup()
    total = time.monotonic() - started
    ok = not error and bool(report.checks) and all(passed for _n, passed, _d in report.checks)
    print("\n== cluster test summary ==")
    for name, passed, detail in report.checks:
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail}")
    load = report.figures.get("load")
    if load:
        print(
            f"load: {load['requests']} requests, {load['failures']} failures, node stopped: {load['node_stopped']}, "
            f"in flight then: {load['in_flight_at_stop']}, passed on by nginx: {load['passed_on_by_nginx']}, "
            f"median {load['median_ms']} ms, p95 {load['p95_ms']} ms"
        )
    if "objects" in report.figures:
        o = report.figures["objects"]
        print(
            f"objects: bucket {o['bucket_after_data']} after the data set, {o['bucket_at_end']} at the end; "
            f"written on A and read on B: {', '.join(o['written_on_A'])}; "
            f"by the worker: {', '.join(o['written_by_worker'])}"
        )
    print("times: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.times.items()) + f", total {total:.1f} s")
    for note in notes:
        print(f"note: {note}")
    if error:
        print(f"FAILED: {error}")
    print("result: " + ("all checks passed" if ok else "FAILED"))
    if args.json:
        print(
            json.dumps(
                {
                    "ok": ok,
                    "error": error,
                    "checks": report.checks,
                    **report.figures,
                    "times": report.times,
                    "total_seconds": total,
                },
                ensure_ascii=False,
                default=str,
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
