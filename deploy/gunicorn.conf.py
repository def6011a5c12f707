"""gunicorn settings of a Proposal Desk app node (``gunicorn -c deploy/gunicorn.conf.py``).

Used by deploy/systemd/proposal-desk-web.service and by scripts/cluster_test.py, so it is known to
start. What differs per machine comes from the environment (deploy/proposal-desk.env.example):

    GUNICORN_BIND             address:port to listen on (default 127.0.0.1:8001; behind nginx on
                              another machine: the node's private address, never a public one)
    GUNICORN_WORKERS          worker processes (default 2 per CPU core + 1)
    GUNICORN_TIMEOUT          seconds a request may take before its worker is replaced (default 120:
                              an issue renders a PDF, a volume download streams a large file)
    GUNICORN_GRACEFUL_TIMEOUT seconds a stopping node gives its requests in flight (default 30)
    GUNICORN_FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-* headers are believed (default 127.0.0.1)
    GUNICORN_ACCESS_LOG       "-" for stdout (journald), a path, or unset for none (nginx keeps one)
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

# The project folder (the one with manage.py), wherever the checkout is.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "config.wsgi:application"

bind = [item.strip() for item in os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",") if item.strip()]
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
# Sync workers: nginx buffers slow clients, so a worker is busy only while the app works. Each worker
# holds at most one database connection (CONN_MAX_AGE 60 in config/settings.py): size PostgreSQL's
# max_connections for workers × app nodes + the task workers + a margin.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# SIGTERM (systemctl stop, a rolling upgrade): the listening socket closes at once, so nginx sends new
# requests to the other nodes, and the requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# A worker is replaced after this many requests (with jitter, so they do not all restart at once):
# PDF rendering grows a process's memory and does not always give it back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The heartbeat files on a memory file system: a busy disk must not make gunicorn kill healthy workers.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - gunicorn's documented choice
# The app's own log lines go to stderr through Django's LOGGING; gunicorn's error log beside them.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
proc_name = os.environ.get("GUNICORN_PROC_NAME", "proposal-desk")
# gunicorn 24+ opens a control socket at one fixed path per user ($XDG_RUNTIME_DIR/gunicorn.ctl), which
# two nodes of one user would fight over; nothing here uses it (older versions ignore the setting).
control_socket_disable = True
