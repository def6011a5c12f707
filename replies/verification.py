"""Documents the verification page (``views.verify``) finds by a code printed on them.

An issued reply is found by its PDF's SHA-256 (``selectors.issued_reply_by_sha256``). A document
that cannot print its own digest prints a short code instead; the app that owns it adds a
``CodeVerifier`` to ``CODE_VERIFIERS`` from its AppConfig.ready() (consultations: the signed
record's 核验码), since this app knows nothing of the apps that depend on it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class VerifiedDocument:
    """What the page says of the document a code names: only what its paper shows."""

    obj: Model  # for the audit row
    kind: str  # e.g. 面商记录表
    intact: bool  # False: found, but changed since it was signed
    facts: tuple[tuple[str, str], ...]  # (label, value) lines


@dataclass(frozen=True)
class CodeVerifier:
    length: int  # hex digits, once spaces and dashes are removed
    find: Callable[[str], VerifiedDocument | None]  # the normalised code: lower-case hex


CODE_VERIFIERS: list[CodeVerifier] = []

# Spaces (full-width ones too, by NFKC) and the dashes people type between the groups of four.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")
_HEX = re.compile(r"[0-9a-f]+")


def normalise_code(text: str) -> str:
    """``25ab c905-1C6F``, ``２５ＡＢ－Ｃ９０５…`` (typed with a Chinese input method) → ``25abc9051c6f``."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def code_lengths() -> list[int]:
    return sorted({verifier.length for verifier in CODE_VERIFIERS})


def is_code(code: str) -> bool:
    """A normalised code of a length some document prints."""
    return bool(_HEX.fullmatch(code)) and len(code) in code_lengths()


def document_by_code(code: str) -> VerifiedDocument | None:
    """The document a normalised code names; None when none, or more than one, has it."""
    found = [doc for verifier in CODE_VERIFIERS if len(code) == verifier.length if (doc := verifier.find(code))]
    return found[0] if len(found) == 1 else None
