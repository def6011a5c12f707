"""WeasyPrint's output remembered for the test session, keyed by the document's whole input.

A reply letter or a consultation record takes about 0.3 s to render on this machine, and the
suite renders the same documents over and over: the demo's TA0207 letter and record in every test
that loads the demo, the world's reply in every test that issues one, the same draft preview for
each persona of the permission matrix. Of 436 renders in tests/consultations, replies, oversight
and documents, 79 had distinct HTML (77.7 s of rendering, 62.7 s of it repeats).

WeasyPrint's PDF is a function of the HTML and the base URL: in that same run every repeated input
gave byte-identical output. So ``HTML(string=…, base_url=…).write_pdf()`` with an input already
rendered in this session returns the bytes its first render produced (the project's one URL
fetcher, ``documents.render.document_url_fetcher()``, is part of the key). Every PDF a test sees is
still WeasyPrint's real output for exactly that document; nothing is stubbed. Anything else
(``render()`` for the volumes, ``write_pdf`` with options or a target) goes to WeasyPrint as is.

Tests under tests/documents (the renderer's own tests) always render afresh, and
``PDF_RENDER_CACHE=0`` turns the cache off for a whole run (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

_rendered: dict[tuple[str, str | None, str], bytes] = {}


def remembering(real_html: type) -> type:
    """A stand-in for ``weasyprint.HTML`` that remembers ``write_pdf()`` of string documents."""

    class RememberedHTML:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._args, self._kwargs = args, kwargs
            self._document: Any = None

        def _real(self) -> Any:
            if self._document is None:
                self._document = real_html(*self._args, **self._kwargs)
            return self._document

        def _key(self) -> tuple[str, str | None, str] | None:
            if self._args or set(self._kwargs) - {"string", "base_url", "url_fetcher"} or "string" not in self._kwargs:
                return None
            html = self._kwargs["string"]
            # The documents' fetcher (documents.render) serves the same files to every render of a
            # session; another fetcher is keyed apart by its class.
            fetcher = self._kwargs.get("url_fetcher")
            fetcher_key = "" if fetcher is None else f"{type(fetcher).__module__}.{type(fetcher).__qualname__}"
            return hashlib.sha256(html.encode()).hexdigest(), self._kwargs.get("base_url"), fetcher_key

        def write_pdf(self, target: Any = None, **options: Any) -> Any:
            key = self._key()
            if key is None or target is not None or options:
                return self._real().write_pdf(target, **options)
            if key not in _rendered:
                _rendered[key] = self._real().write_pdf()
            return _rendered[key]

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real(), name)

    return RememberedHTML
