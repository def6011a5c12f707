"""WeasyPrint fetches only what a document is made of (issue 18, defence in depth).

Every value in a document is escaped today, so no markup from users reaches WeasyPrint. Should some
ever get through, its default fetcher would read any local file (``file://``, embedded as a PDF
attachment with ``rel=attachment``) and call any host (``http://`` — the server's own network).
The documents' fetcher serves the configured font files, the documents' static files and ``data:``
URIs, and nothing else. The documents are rendered through ``documents.render.render_pdf`` with the
template's output replaced by the markup under test.
"""

from __future__ import annotations

import base64
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from documents import render
from tests.documents.pdfutil import need, pdf_text
from tests.factories import png_bytes


def _render(monkeypatch, html: str) -> bytes:
    monkeypatch.setattr(render, "render_to_string", lambda name, context: html)
    return render.render_pdf("documents/any.html", {})


def _attachments(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([need("pdfdetach"), "-list", str(path)], capture_output=True, check=True)  # noqa: S603
        return out.stdout.decode()


def _images(pdf: bytes) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([need("pdfimages"), "-list", str(path)], capture_output=True, check=True)  # noqa: S603
        rows = [line.split() for line in out.stdout.decode().splitlines()[2:]]  # two header lines
        return sum(1 for row in rows if row[2] == "image")  # not its alpha mask ("smask")


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that counts the requests it gets (and would serve a stylesheet)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'body::after { content: "FETCHED-OVER-HTTP"; }'
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_local_file_is_not_attached(monkeypatch):
    pdf = _render(
        monkeypatch,
        '<html><head><link rel="attachment" href="file:///etc/passwd"></head>'
        '<body><a rel="attachment" href="file:///etc/passwd">附件</a>正文</body></html>',
    )
    assert "passwd" not in _attachments(pdf)
    assert "正文" in pdf_text(pdf)


def test_a_local_stylesheet_or_image_outside_the_documents_is_not_read(monkeypatch, tmp_path):
    css = tmp_path / "x.css"
    css.write_text('body::after { content: "FETCHED-FROM-DISK"; }')
    image = tmp_path / "x.png"
    image.write_bytes(png_bytes())
    pdf = _render(
        monkeypatch,
        f'<html><head><link rel="stylesheet" href="{css.as_uri()}"></head>'
        f'<body><p>正文</p><img src="{image.as_uri()}"><img src="../../etc/passwd"></body></html>',
    )
    assert "FETCHED-FROM-DISK" not in pdf_text(pdf)
    assert _images(pdf) == 0


def test_no_request_goes_to_a_host(monkeypatch, local_server):
    base, hits = local_server
    pdf = _render(
        monkeypatch,
        f'<html><head><link rel="stylesheet" href="{base}/a.css"><style>@import url("{base}/b.css");'
        f'@font-face {{ font-family: X; src: url("{base}/f.ttf"); }} p {{ font-family: X; }}</style></head>'
        f'<body><p>正文</p><img src="{base}/c.png"><link rel="attachment" href="{base}/d.txt"></body></html>',
    )
    assert hits == []
    assert "FETCHED-OVER-HTTP" not in pdf_text(pdf)


def test_the_fetcher_refuses_every_other_scheme_and_file():
    fetcher = render.document_url_fetcher()
    for url in (
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///work/../etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/x.css",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1/",
    ):
        with pytest.raises(render.ResourceRefused):
            render.fetch_document_resource(url)
        with pytest.raises(render.ResourceRefused):
            fetcher.fetch(url)


def test_a_data_uri_image_is_drawn(monkeypatch):
    data = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    pdf = _render(monkeypatch, f'<html><body><p>正文</p><img src="{data}"></body></html>')
    assert _images(pdf) == 1


def test_the_documents_static_files_are_served(monkeypatch, settings, tmp_path):
    static = tmp_path / "static-documents"
    static.mkdir()
    (static / "seal.png").write_bytes(png_bytes())
    settings.DOCUMENT_STATIC_DIR = static
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes())
    # a link out of the folder does not make a file inside it
    (static / "link.png").symlink_to(outside)
    pdf = _render(
        monkeypatch,
        f'<html><body><img src="{(static / "seal.png").as_uri()}"><img src="{(static / "link.png").as_uri()}">'
        f'<img src="{(static / ".." / "outside.png").as_uri()}"></body></html>',
    )
    assert _images(pdf) == 1


def test_a_configured_font_file_is_served_and_no_other(settings, tmp_path):
    font = next(Path("/usr/share/fonts").rglob("*.ttf"), None)
    if font is None:
        pytest.skip("no TrueType font installed")
    copy = tmp_path / "fangsong.ttf"
    shutil.copy(font, copy)
    settings.DOCUMENT_FONTS = {"fangsong": {"family": "X", "file": str(copy)}}
    body, _mime, _url = render.fetch_document_resource(copy.as_uri())
    assert body == copy.read_bytes()
    with pytest.raises(render.ResourceRefused):
        render.fetch_document_resource(font.as_uri())  # installed, but not configured
