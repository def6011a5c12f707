"""Run manage.py in a child process against a database of its own (a file SQLite or a scratch
PostgreSQL database), for tests that need a real file, real processes or real tools."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    env: dict = field(default_factory=dict)

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code: str) -> str:
        """Run ``code`` with Django set up; returns its stdout."""
        return self.manage("shell", "--no-imports", "-c", code).stdout


def base_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING", **extra})
    return env


_migrated: Path | None = None


def _migrated_sqlite() -> Path:
    """The folder of a file database ``migrate`` ran on once in this test session.

    Each site starts from a copy of it, which is the same database as migrating afresh: a child
    ``migrate`` takes about 3 s on a 2-core machine, and three tests make a site.
    """
    global _migrated
    if _migrated is None:
        folder = Path(tempfile.mkdtemp(prefix="pd-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        Site(base_env(SQLITE_PATH=str(folder / "db.sqlite3"), MEDIA_ROOT=str(folder / "media"))).manage(
            "migrate", "--noinput", "-v0"
        )
        _migrated = folder
    return _migrated


def sqlite_site(tmp_path: Path) -> Site:
    for part in _migrated_sqlite().glob("db.sqlite3*"):  # with the WAL file, should one be left
        shutil.copy2(part, tmp_path / part.name)
    return Site(
        base_env(
            SQLITE_PATH=str(tmp_path / "db.sqlite3"),
            MEDIA_ROOT=str(tmp_path / "media"),
            AUDIT_ANCHOR_PATH=str(tmp_path / "audit-anchor.log"),
        )
    )


def postgres_site(tmp_path: Path, settings_dict: dict):
    """A scratch database on the same server as the test database; yields the Site, then drops it."""
    import psycopg

    name = f"pd_scratch_{uuid.uuid4().hex[:10]}"
    conninfo = {
        "host": settings_dict.get("HOST") or "localhost",
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict.get("USER") or "postgres",
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = conninfo["user"] + (f":{conninfo['password']}" if conninfo["password"] else "")
    url = f"postgres://{user}@{conninfo['host']}:{conninfo['port']}/{name}"
    site = Site(
        base_env(
            DATABASE_URL=url, MEDIA_ROOT=str(tmp_path / "media"), AUDIT_ANCHOR_PATH=str(tmp_path / "audit-anchor.log")
        )
    )
    try:
        site.manage("migrate", "--noinput", "-v0")
        yield site
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
