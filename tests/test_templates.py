"""Templates link through ``{% url %}`` and share one pager."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# A path written into an attribute instead of reversed from its URL name.
HARD_CODED_PATH = re.compile(r"""\b(?:href|action|formaction|src)\s*=\s*["']/""")
PAGER_INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']*pager[^"']*)["']""")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_reverse_every_link():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HARD_CODED_PATH.search(line)
    ]
    assert found == []


def test_the_checker_finds_a_written_path():
    assert HARD_CODED_PATH.search('<a class="btn" href="/replies/assignment/1/">')
    assert HARD_CODED_PATH.search("<form action='/proposals/1/submit/'>")
    assert not HARD_CODED_PATH.search("<a href=\"{% url 'home' %}\">")
    assert not HARD_CODED_PATH.search('<a href="?page=2">')


def test_one_pager_template_for_every_list():
    pagers = [p.relative_to(TEMPLATES).as_posix() for p in _templates() if "pager" in p.name]
    assert pagers == ["_pager.html"]
    included = {name for path in _templates() for name in PAGER_INCLUDE.findall(path.read_text(encoding="utf-8"))}
    assert included == {"_pager.html"}
