"""The short run of scripts/cluster_test.py: two app nodes, a worker, redis, moto's S3 and nginx.

It runs when the suite runs on PostgreSQL (``DATABASE_URL=postgres://…``, the second pass of .ci/run)
or when ``CLUSTER_PG_URL`` names a server, and is skipped, with the reason, on SQLite-only runs or
when nginx, redis-server, moto, gunicorn or PostgreSQL is missing. The full run (30 s of load) is
``.venv/bin/python scripts/cluster_test.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "cluster_test.py"


def _script():
    spec = importlib.util.spec_from_file_location("cluster_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _server_url() -> str | None:
    """The PostgreSQL server to make the cluster's database on (its maintenance database)."""
    if os.environ.get("CLUSTER_PG_URL"):
        return os.environ["CLUSTER_PG_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlsplit(url)._replace(path="/postgres").geturl()


def test_two_nodes_a_worker_and_object_storage_behind_nginx_lose_no_request():
    pg_url = _server_url()
    if pg_url is None:
        pytest.skip(
            "the cluster test needs PostgreSQL: it runs when DATABASE_URL names a PostgreSQL server "
            "(make test on PostgreSQL) or CLUSTER_PG_URL is set; this run is on SQLite"
        )
    reason = _script().missing(pg_url)
    if reason:
        pytest.skip(f"the cluster test cannot run here: {reason}")
    env = {k: v for k, v in os.environ.items() if k != "CLUSTER_PG_URL"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), "--short", "--json", "--pg-url", pg_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    output = result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"], output[-6000:]
    assert result.returncode == 0, output[-6000:]
    passed = {name for name, ok, _detail in report["checks"] if ok}
    assert {
        "session A → B",
        "shared cache",
        "attachment A → B",
        "reply issued on A, verified on B",
        "volume built by the worker, fetched through nginx",
        "nothing written to the local media folder",
        "load run with node A stopped",
    } <= passed, report["checks"]
    load = report["load"]
    assert load["requests"] > 0 and load["answered_by_A"] > 0 and load["answered_by_B"] > 0
    assert load["failures"] <= load["in_flight_at_stop"], load
    assert load["node_A_exit_code"] == 0
    assert load["answered_by_A_after_it_exited"] == 0
    assert report["objects"]["bucket_at_end"] >= report["objects"]["bucket_after_data"] + 3  # attachment, PDF, volume
    assert "result: all checks passed" in result.stdout
