"""Backup and restore of the database and the media files.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
  the site keeps running, WAL included; restore runs the same API the other way.
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) and ``pg_restore --clean
  --if-exists --single-transaction``; connection arguments come from ``DATABASES``, the password
  through ``PGPASSWORD``.
* Media: every file of the default storage, read and written through the storage API, so the
  same command backs up a media folder and an S3-compatible object store, and a restore may put a
  folder's files into a bucket or the other way. The files go to ``media/`` in the backup folder
  under their stored names, with ``media.sha256`` (``sha256sum -c`` reads it there) checked
  before a restore touches anything. The database is copied first, then the media: files are
  only ever added, so every file a backed-up row names is in the copy. A restore makes the
  storage hold exactly the backed-up files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.utils import timezone

from common.storage import replace, walk

from .anchor import write_restore_marker

DB_SQLITE = "db.sqlite3"
DB_PG = "db.dump"
MEDIA = "media"
MEDIA_SUMS = "media.sha256"
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _local_path(folder: Path, name: str) -> Path:
    """Where the stored file ``name`` goes in the backup's media folder; never outside it."""
    parts = PurePosixPath(name).parts
    if not parts or any(part in ("", ".", "..") for part in parts) or PurePosixPath(name).is_absolute():
        raise BackupError(f"refusing the stored name {name!r}")
    return folder.joinpath(*parts)


def _backup_media(storage: Storage, dest: Path) -> dict:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    sums = []
    total = 0
    for name in sorted(walk(storage)):
        path = _local_path(dest, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as src, path.open("wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                total += len(chunk)
        sums.append(f"{digest.hexdigest()}  {name}\n")
    (dest.parent / MEDIA_SUMS).write_text("".join(sums), encoding="utf-8")
    return {"dir": dest.name, "files": len(sums), "bytes": total, "sums": MEDIA_SUMS}


def _backed_up_media(source: Path, media: dict) -> dict[str, Path]:
    """The backup's files by stored name, each checked against ``media.sha256`` when it has one."""
    folder = source / media["dir"]
    files = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
    sums_file = source / media.get("sums", MEDIA_SUMS)
    if not sums_file.exists():  # a backup made before the sums were written
        return files
    expected = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        digest, _sep, name = line.partition("  ")
        expected[name] = digest
    if set(expected) != set(files):
        raise BackupError(f"{folder} does not hold the files {sums_file.name} lists")
    for name, path in files.items():
        if _sha256(path) != expected[name]:
            raise BackupError(f"{path} does not match the checksum in {sums_file.name}")
    return files


def _restore_media(storage: Storage, files: dict[str, Path]) -> None:
    for name in set(walk(storage)) - set(files):
        storage.delete(name)
    for name, path in sorted(files.items()):
        with path.open("rb") as fh:
            replace(storage, name, File(fh, name=name))


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
        manifest["media"] = _backup_media(storages["default"], target / MEDIA)
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
    media_files = _backed_up_media(source, manifest["media"]) if media and "media" in manifest else None
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
    if media_files is not None:
        _restore_media(storages["default"], media_files)
    # The heads anchored since the backup name rows the restore took away: verification restarts
    # from the restored database (audit/anchor.py).
    write_restore_marker(using=using)
    return manifest
