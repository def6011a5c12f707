"""Backup and restore of the database and the media files.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
  the site keeps running, WAL included; restore runs the same API the other way.
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) and ``pg_restore --clean
  --if-exists --single-transaction``; connection arguments come from ``DATABASES``, the password
  through ``PGPASSWORD``.
* Media: copied through the storage's filesystem path when ``default`` is a FileSystemStorage.
  With an object store (S3-compatible) this command refuses media unless ``--no-media``: the
  store's own versioning or replication (bucket versioning, ``rclone sync`` to a second bucket)
  is the backup there. The database is copied first, then the media: files are only ever added,
  so every file a backed-up row names is in the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.utils import timezone

from .anchor import write_restore_marker

DB_SQLITE = "db.sqlite3"
DB_PG = "db.dump"
MEDIA = "media"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path | None:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, args from settings
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()[:2000]}")


def backup(target: Path, *, media: bool = True, using: str = "default") -> dict:
    target.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    settings_dict = connection.settings_dict
    manifest: dict = {"created_at": timezone.now().isoformat(), "vendor": connection.vendor}
    if connection.vendor == "sqlite":
        out = target / DB_SQLITE
        out.unlink(missing_ok=True)
        source = sqlite3.connect(str(settings_dict["NAME"]))
        dest = sqlite3.connect(str(out))
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        manifest["database"] = {"file": DB_SQLITE, "sha256": _sha256(out)}
    elif connection.vendor == "postgresql":
        out = target / DB_PG
        args, env = _pg_args(settings_dict)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), *args, settings_dict["NAME"]], env)
        manifest["database"] = {"file": DB_PG, "sha256": _sha256(out)}
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    if media:
        root = _media_root()
        if root is None:
            raise BackupError(
                "media is not on a FileSystemStorage: back it up with the object store's tools, use --no-media"
            )
        dest_media = target / MEDIA
        if dest_media.exists():
            shutil.rmtree(dest_media)
        if root.exists():
            shutil.copytree(root, dest_media)
        else:
            dest_media.mkdir()
        manifest["media"] = {"dir": MEDIA, "files": sum(1 for p in dest_media.rglob("*") if p.is_file())}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def restore(source: Path, *, media: bool = True, using: str = "default") -> dict:
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{manifest_path} not found: not a backup folder")
    manifest = json.loads(manifest_path.read_text())
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"backup is of {manifest['vendor']}, the database is {connection.vendor}")
    db_file = source / manifest["database"]["file"]
    if _sha256(db_file) != manifest["database"]["sha256"]:
        raise BackupError(f"{db_file} does not match the checksum in the manifest")
    settings_dict = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        backup_db = sqlite3.connect(str(db_file))
        live = sqlite3.connect(str(settings_dict["NAME"]), timeout=30)
        try:
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    else:
        args, env = _pg_args(settings_dict)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                *args,
                str(db_file),
            ],
            env,
        )
    if media and "media" in manifest:
        root = _media_root()
        if root is None:
            raise BackupError("media is not on a FileSystemStorage: restore it with the object store's tools")
        # mirror: the media folder becomes exactly the backed-up one
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(source / manifest["media"]["dir"], root)
    # The heads anchored since the backup name rows the restore took away: verification restarts
    # from the restored database (audit/anchor.py).
    write_restore_marker(using=using)
    return manifest
