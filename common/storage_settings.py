"""The default storage an environment asks for: read by config/settings.py, and by the tests that
point the media at a local S3-protocol server.

``S3_BUCKET`` set: media goes to that bucket of an S3-compatible object store (django-storages'
S3Storage) at ``S3_ENDPOINT_URL`` with ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` in
``S3_REGION`` (default us-east-1). Unset: the file system under MEDIA_ROOT. Nothing here imports
Django, so the settings module can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_SYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"

# An object read through storage.open() is fetched into a spooled temporary file: in memory up to
# this size, on disk beyond it (S3Storage's default, 0, keeps a whole compiled volume in memory).
S3_MAX_MEMORY_SIZE = 2_621_440


def s3_client_config() -> Any:
    """boto3's client settings for S3-compatible servers, not only Amazon's.

    * Path-style addressing (``endpoint/bucket/key``): MinIO, Ceph RGW and a server on 127.0.0.1
      have no DNS name per bucket.
    * Checksums only where the protocol requires them: since boto3 1.36 every upload carries a
      CRC32 trailer that several S3-compatible servers (older MinIO and Ceph, some cloud stores)
      refuse; the Content-MD5 they all know is still sent where S3 asks for one.
    * Bounded waits: a store that does not answer fails a request in seconds, not minutes.
    """
    from botocore.config import Config

    return Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )


def s3_storage(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``STORAGES["default"]`` entry for the object store the environment names, or None."""
    bucket = environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return None
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("S3_ENDPOINT_URL", "").strip() or None,
            "access_key": environ.get("S3_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": environ.get("S3_SECRET_ACCESS_KEY", "").strip() or None,
            "region_name": environ.get("S3_REGION", "").strip() or "us-east-1",
            "client_config": s3_client_config(),
            # The bucket's own policy decides who reads it (private): no ACL is sent with an object.
            "default_acl": None,
            # No signed or public URL of a file is ever handed out: every download is streamed by a
            # view after its access check. storage.url() gives a plain URL the private bucket refuses.
            "querystring_auth": False,
            # As on the file system: a name already taken gets a suffix, a stored file is never replaced.
            "file_overwrite": False,
            "max_memory_size": S3_MAX_MEMORY_SIZE,
        },
    }


def default_storage_entry(environ: Mapping[str, str]) -> dict[str, Any]:
    return s3_storage(environ) or {"BACKEND": FILE_SYSTEM_BACKEND}
