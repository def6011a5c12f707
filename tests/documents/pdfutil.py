"""Reading rendered PDFs back with poppler-utils (pdffonts, pdftotext), as a person checking them would."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

PT_TO_MM = 25.4 / 72


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def _run(args: list[str], data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        out = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True)  # noqa: S603
        return out.stdout.decode("utf-8")


def pdf_text(data: bytes, *, first: int | None = None, last: int | None = None) -> str:
    args = [need("pdftotext"), "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _run(args, data)


def squeeze(text: str) -> str:
    """Text without any whitespace: line breaks and the spaces around Latin runs do not count."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes) -> list[dict[str, str]]:
    need("pdffonts")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        pdf.write_bytes(data)
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607
    lines = out.splitlines()[2:]
    fonts = []
    for line in lines:
        # name type... encoding emb sub uni object-id gen: the last five columns are fixed.
        parts = line.split()
        if len(parts) >= 6:
            fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


@dataclass(frozen=True)
class Line:
    page: int
    x_min: float  # mm from the left edge of the page
    y_min: float  # mm from the top edge of the page
    x_max: float
    y_max: float
    text: str


def pdf_lines(data: bytes) -> list[Line]:
    """Every text line with its bounding box in millimetres, from ``pdftotext -bbox-layout``."""
    html = _run([need("pdftotext"), "-enc", "UTF-8", "-bbox-layout"], data)
    result = []
    for page_no, page in enumerate(html.split("<page ")[1:], start=1):
        for m in re.finditer(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S
        ):
            words = re.findall(r">([^<]*)</word>", m.group(5))
            result.append(
                Line(
                    page=page_no,
                    x_min=float(m.group(1)) * PT_TO_MM,
                    y_min=float(m.group(2)) * PT_TO_MM,
                    x_max=float(m.group(3)) * PT_TO_MM,
                    y_max=float(m.group(4)) * PT_TO_MM,
                    text=" ".join(unescape(w) for w in words),
                )
            )
    return result
