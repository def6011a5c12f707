"""Media through Django's storage API, whichever backend holds it (a folder or an object store).

What the storage API itself lacks and the project needs: every stored name (``walk``, for the
backups), writing a file under exactly a given name in place of the one there (``replace``), and the
system checks of the object-store settings (common.E001, and with ``--deploy`` common.E002).
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.files.base import File
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

from .storage_settings import S3_BACKEND

# The environment variable behind each option that common.storage_settings.s3_storage() fills in.
REQUIRED_S3_OPTIONS = {
    "endpoint_url": "S3_ENDPOINT_URL",
    "access_key": "S3_ACCESS_KEY_ID",
    "secret_key": "S3_SECRET_ACCESS_KEY",
}


def is_object_store(storage: Storage) -> bool:
    # No S3Storage exists unless its module was imported: a folder's storage never loads boto3.
    module = sys.modules.get("storages.backends.s3")
    return module is not None and isinstance(storage, module.S3Storage)


def walk(storage: Storage) -> Iterator[str]:
    """Every file's name in ``storage``, as ``storage.open()`` takes it, in no set order."""
    if is_object_store(storage):
        # One flat listing (1,000 keys a request) instead of a request per "folder".
        s3: Any = storage
        prefix = s3.location.strip("/") + "/" if s3.location.strip("/") else ""
        for obj in s3.bucket.objects.filter(Prefix=prefix):
            name = obj.key[len(prefix) :]
            if name and not name.endswith("/"):
                yield name
        return
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:  # the media folder not made yet: nothing stored
            continue
        pending.extend(posixpath.join(folder, name) for name in folders)
        yield from (posixpath.join(folder, name) for name in files)


def replace(storage: Storage, name: str, content: IO[bytes] | File) -> None:
    """Store ``content`` under exactly ``name``, in place of a file already there.

    In an object store one PUT replaces the object: a reader sees the old or the new file, never
    none. Storage.save() would pick another name for a taken one, so on a folder the old file goes
    first (a reader in between finds no file).
    """
    if is_object_store(storage):
        s3: Any = storage
        s3._save(name, content if isinstance(content, File) else File(content))
        return
    for _attempt in range(3):
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, content)
        if stored == name:
            return
        storage.delete(stored)  # another writer got in between the delete and the save: again
    raise FileExistsError(name)


def _default_storage_settings() -> dict[str, Any]:
    return dict(getattr(settings, "STORAGES", {}).get("default", {}))


@register("storage")
def check_object_storage_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A bucket without its endpoint or keys would fail at the first upload, long after start-up."""
    entry = _default_storage_settings()
    if entry.get("BACKEND") != S3_BACKEND:
        return []
    options = entry.get("OPTIONS", {})
    missing = [variable for option, variable in REQUIRED_S3_OPTIONS.items() if not options.get(option)]
    if not options.get("bucket_name"):
        missing.insert(0, "S3_BUCKET")
    if not missing:
        return []
    return [
        Error(
            _("媒体文件设为存放在对象存储（存储桶 %(bucket)s），但没有设置 %(missing)s。")
            % {"bucket": options.get("bucket_name") or "—", "missing": ", ".join(missing)},
            hint=_(
                "请设置 S3_ENDPOINT_URL（对象存储的地址）、S3_ACCESS_KEY_ID 和 S3_SECRET_ACCESS_KEY；"
                "不用对象存储时去掉 S3_BUCKET，媒体文件存放在本机目录 MEDIA_ROOT。"
            ),
            id="common.E001",
        )
    ]


@register("storage", deploy=True)
def check_object_storage_reachable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` asks the store for the bucket: a wrong endpoint, key or bucket shows at once."""
    entry = _default_storage_settings()
    if entry.get("BACKEND") != S3_BACKEND or check_object_storage_settings():
        return []
    from botocore.exceptions import BotoCoreError, ClientError
    from django.core.files.storage import storages

    storage: Any = storages["default"]
    try:
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    except (BotoCoreError, ClientError) as exc:
        return [
            Error(
                _("无法访问对象存储的存储桶 %(bucket)s：%(error)s")
                % {"bucket": storage.bucket_name, "error": str(exc)[:300]},
                hint=_("请检查 S3_ENDPOINT_URL、密钥和存储桶名称，以及本机能否连到对象存储。"),
                id="common.E002",
            )
        ]
    return []
