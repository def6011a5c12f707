"""The one place that builds a response handing over a file (a PDF, a workbook, an upload, a scan).

A download of personal data — names, phones, work units, a signature — is marked
``Cache-Control: private, no-store``: no shared cache (a proxy on an agency's network) may keep
it, nor the browser's disk cache of a shared office machine once the user has logged out.
``tests/test_download_headers.py`` checks each download URL and that no view builds a file
response by hand.
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

__all__ = ["file_download", "mark_private"]


def mark_private(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_store=True)
    return response


def file_download(
    content: bytes | IO[bytes],
    *,
    content_type: str,
    filename: str = "",
    inline: bool = False,
    personal: bool = True,
) -> HttpResponseBase:
    """``content`` (bytes, or an open file that the response closes once sent) as a file named
    ``filename``: saved by the browser, or shown in it when ``inline``. ``personal=False`` only for
    what anyone may read anyway (the redacted public copy of a reply)."""
    response: HttpResponseBase
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        disposition = content_disposition_header(not inline, filename) if filename else None
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        # FileResponse names an inline file after the stored file when no filename is given.
        response = FileResponse(content, content_type=content_type, as_attachment=not inline, filename=filename)
    if personal:
        mark_private(response)
    return response
