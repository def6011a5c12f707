"""Render an official-document template to PDF with WeasyPrint.

Templates live in ``templates/documents/``; they get ``font_css`` (the @font-face rules and
font-family variables from ``settings.DOCUMENT_FONTS``) and the caller's context. Text from users
reaches the template through Django's auto-escaping, so markup in a body is printed, never run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


def font_css() -> str:
    """CSS custom properties naming each document font, with @font-face for configured files."""
    rules = []
    variables = []
    for key, spec in settings.DOCUMENT_FONTS.items():
        family = spec["family"]
        path = spec.get("file")
        if path and Path(path).is_file():
            family = f"PD {key}"
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{Path(path).resolve().as_uri()}"); }}')
        # Noto Serif CJK SC stays as the fallback for characters a licensed font lacks (rare names).
        variables.append(f'--font-{key}: "{family}", "Noto Serif CJK SC", serif;')
    return "\n".join([*rules, ":root {", *variables, "}"])


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported late: loading Pango costs time at start-up

    html = render_to_string(template_name, {**context, "font_css": mark_safe(font_css())})  # noqa: S308 - built from settings only
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
