"""Render an official-document template to PDF with WeasyPrint.

Templates live in ``templates/documents/``; they get ``font_css`` (the @font-face rules and
font-family variables from ``settings.DOCUMENT_FONTS``) and the caller's context. Text from users
reaches the template through Django's auto-escaping, so markup in a body is printed, never run.

WeasyPrint loads what a document refers to through ``document_url_fetcher()``: the configured
font files, the documents' static files (``DOCUMENT_STATIC_DIR``) and ``data:`` URIs. Any other
URL — another local file, any host — is refused, so markup that ever got past the escaping could
neither attach a server file to the PDF nor make the server call its own network.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)


class ResourceRefused(ValueError):
    """A document referred to something it may not load."""


def _static_dir() -> Path:
    return Path(getattr(settings, "DOCUMENT_STATIC_DIR", settings.BASE_DIR / "static" / "documents"))


def _allowed_file(path: Path) -> bool:
    """A configured font file, or a file inside the documents' static folder (links resolved first)."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    if not resolved.is_file():
        return False
    fonts = {Path(spec["file"]).resolve() for spec in settings.DOCUMENT_FONTS.values() if spec.get("file")}
    return resolved in fonts or resolved.is_relative_to(_static_dir().resolve())


def fetch_document_resource(url: str) -> tuple[bytes, str, str]:
    """(body, MIME type, URL) of a resource a document may load; ``ResourceRefused`` for any other."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        try:
            response = DataHandler().data_open(Request(url))  # noqa: S310 - the scheme is data: (checked above)
        except ValueError as exc:
            raise ResourceRefused(f"invalid data: URI ({exc})") from None
        return response.read(), response.headers.get_content_type(), url
    if scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(url2pathname(unquote(parts.path)))
        if path.is_absolute() and _allowed_file(path):
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return path.read_bytes(), mime, path.resolve().as_uri()
    logger.warning("document resource refused: %s", url[:200])
    raise ResourceRefused(f"documents may not load {url[:200]}")


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DocumentURLFetcher(URLFetcher):
        """Only ``fetch_document_resource``; never urllib's handlers (file, http, ftp…) of the base class."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            body, mime, final_url = fetch_document_resource(url)
            return URLFetcherResponse(final_url, body, {"Content-Type": mime})

    return DocumentURLFetcher


def document_url_fetcher() -> Any:
    """The ``url_fetcher`` of every WeasyPrint document of the project."""
    return _fetcher_class()()


def html_document(html: str) -> Any:
    """``weasyprint.HTML`` of ``html``, relative URLs from the project folder, with the documents' fetcher."""
    from weasyprint import HTML  # imported late: loading Pango costs time at start-up

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=document_url_fetcher())


FALLBACK_FAMILY = "Noto Serif CJK SC"


def _css_string(name: str) -> str:
    """``name`` as a CSS string; settings come from the environment, so quotes and breaks are dropped."""
    return '"' + re.sub(r'["\\\x00-\x1f]', "", name) + '"'


@cache
def _face_name(path: Path, mtime_ns: int, size: int) -> str:
    """The PostScript name of the font in ``path`` (FandolFang-Regular), "" if it cannot be read."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # no stubs; WeasyPrint depends on it

    try:
        with TTFont(path, lazy=True) as font:
            name = font["name"].getDebugName(6) or ""
    except Exception:  # whatever fontTools makes of a file that is no font (a collection too): no name
        return ""
    return re.sub(r"[^A-Za-z0-9_.+-]", "", name)


def face_name(path: Path) -> str:
    """The family a font file is loaded under: its own PostScript name, so that pdffonts names the
    face (FandolFang-Regular), and an installed family of another face is not mistaken for it (the
    PostScript name of a face is seldom its family's name, and then it is the same face)."""
    stat = path.stat()
    return _face_name(path.resolve(), stat.st_mtime_ns, stat.st_size)


def font_css() -> str:
    """CSS custom properties naming each document font, with @font-face for configured files.

    Each ``--font-<role>`` is a family list: the role's face, then its fallback (Noto CJK), which
    WeasyPrint (Pango) uses character by character for what the face lacks, such as rare
    characters in names.
    """
    rules = []
    variables = []
    for key, spec in settings.DOCUMENT_FONTS.items():
        family = spec["family"]
        path = spec.get("file")
        if path and Path(path).is_file():
            family = face_name(Path(path)) or f"PD {key}"
            rules.append(
                f'@font-face {{ font-family: {_css_string(family)}; src: url("{Path(path).resolve().as_uri()}"); }}'
            )
        fallback = spec.get("fallback") or FALLBACK_FAMILY
        generic = "sans-serif" if "Sans" in fallback.split() else "serif"
        stack = [family] if family == fallback else [family, fallback]
        variables.append(f"--font-{key}: {', '.join(_css_string(f) for f in stack)}, {generic};")
    return "\n".join([*rules, ":root {", *variables, "}"])


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, {**context, "font_css": mark_safe(font_css())})  # noqa: S308 - built from settings only
    return html_document(html).write_pdf()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
