"""The English translation: the catalog is complete, compiled, up to date with the source, and used.

The UI's source strings are Simplified Chinese; locale/en/LC_MESSAGES/django.po holds the English.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from proposals.choices import ProposalAction

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|%%")


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry with msgid, msgid_plural, msgstr[i], flags, obsolete."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def flush():
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            if "msgid" in entry and key != "comment":
                flush()
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if m:
            if m.group(1) in ("msgid", "msgctxt") and "msgstr" in "".join(entry):
                flush()
            key = m.group(1)
            entry[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    flush()
    return [e for e in entries if not e.get("obsolete")]


def catalog_entries() -> list[dict]:
    return [e for e in parse_po(PO) if e["msgid"]]


def msgstrs(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def test_catalog_exists_and_is_big_enough():
    assert PO.is_file() and MO.is_file()
    assert len(catalog_entries()) > 500


def test_catalog_has_no_empty_or_fuzzy_entries():
    entries = parse_po(PO)
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", ())]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    empty = [e["msgid"] for e in catalog_entries() if not msgstrs(e) or not all(msgstrs(e))]
    assert not empty, f"untranslated: {empty[:10]}"
    plural = [e for e in catalog_entries() if "msgid_plural" in e]
    assert all("msgstr[0]" in e and "msgstr[1]" in e for e in plural)


def test_translations_keep_the_placeholders():
    wrong = []
    for e in catalog_entries():
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, text in enumerate(msgstrs(e)):
            source = sources[min(i, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert not wrong, wrong[:5]


def test_translations_are_english():
    """No CJK ideographs left in the English, except on purpose.

    The language's own name stays 简体中文 (so a reader can switch back), the example document number and
    the Chinese heading markers that the letter layout recognises are quoted as they are.
    """
    allowed = {
        "简体中文",
        "可选，例如：晋发改函〔2024〕12号",
        "一段一行。小标题以“一、”“（一）”“1.”“（1）”开头，会按公文格式排版。",
    }
    cjk = re.compile(r"[\u4e00-\u9fff]")
    left = [
        e["msgid"] for e in catalog_entries() if e["msgid"] not in allowed and any(cjk.search(s) for s in msgstrs(e))
    ]
    assert not left, left[:10]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_catalog():
    result = subprocess.run(  # noqa: S603 - msgfmt from PATH with fixed arguments
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\d+ translated messages\.$", result.stderr.strip().splitlines()[-1]), result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


def test_mo_is_compiled_from_the_current_po():
    """The committed .mo holds exactly the .po's translations (so machines without gettext have English)."""
    with MO.open("rb") as f:
        mo = gnu_gettext.GNUTranslations(f)._catalog
    expected: dict = {}
    for e in catalog_entries():
        key = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            for k, v in e.items():
                if k.startswith("msgstr["):
                    expected[(key, int(k[7:-1]))] = v
        else:
            expected[key] = e["msgstr"]
    actual = {k: v for k, v in mo.items() if k != ""}
    missing = {k for k in expected if k not in actual}
    assert not missing, f"in the .po but not the .mo (run compilemessages): {list(missing)[:5]}"
    stale = {k for k in expected if actual[k] != expected[k]}
    assert not stale, f".mo differs from the .po (run compilemessages): {list(stale)[:5]}"
    assert set(actual) == set(expected)


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None, reason="GNU gettext is not installed"
)
def test_catalog_covers_every_string_in_the_source(tmp_path):
    """makemessages on a copy of the tree finds no msgid that the committed catalog lacks.

    When this fails, someone added or changed a UI string: run makemessages, translate the new
    entries, run compilemessages (README, "Translations").
    """
    copy = tmp_path / "src"
    skip = {
        ".venv",
        ".git",
        "tests",
        "bench",
        "test-artifacts",
        "var",
        "docs",
        "node_modules",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "static",
    }
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda d, names: [
            n for n in names if (Path(d) == ROOT and n in skip) or n == "__pycache__" or n.endswith(".egg-info")
        ],
    )
    before = PO.read_bytes()
    script = (
        "import django, os, sys\n"
        "from pathlib import Path\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "assert Path(settings.BASE_DIR).resolve() == Path.cwd().resolve(), settings.BASE_DIR\n"
        "from django.core.management import call_command\n"
        "call_command('makemessages', locale=['en'], verbosity=0,\n"
        "             ignore_patterns=['.venv', 'tests', 'bench', 'test-artifacts'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert PO.read_bytes() == before, "the check must not touch the real catalog"
    fresh = {e["msgid"] for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    committed = {e["msgid"] for e in catalog_entries()}
    new = sorted(fresh - committed)
    assert not new, f"strings in the source missing from the English catalog: {new[:10]}"
    gone = sorted(committed - fresh)
    assert not gone, f"catalog entries no longer in the source (re-run makemessages): {gone[:10]}"


def test_gettext_translates_known_strings():
    with translation.override("en"):
        assert translation.gettext("提案列表") == "Proposal list"
        assert translation.gettext("登录提案办理系统") == "Sign in to the Proposal Handling System"
        assert translation.gettext("已立案，编号 %(number)s。") % {"number": "TA0207"} == "Registered as number TA0207."
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 1) % {"n": 1} == "1 proposal"
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 3) % {"n": 3} == "3 proposals"
    with translation.override("zh-hans"):
        assert translation.gettext("提案列表") == "提案列表"


@pytest.mark.django_db
def test_login_page_in_english(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    assert "Sign in to the Proposal Handling System" in html
    assert "登录提案办理系统" not in html
    assert "为保护账户安全" not in html


@pytest.mark.django_db
def test_proposal_list_in_english(world, login):
    client = login(world.staff)
    html = client.get(reverse("proposals:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for english in (
        "Proposal list",
        "New proposal",
        "Handling agency",
        "Due date",
        "Being handled",
        "1 proposal",
        "Sign out",
    ):
        assert english in html, english
    for chinese in ("提案列表", "新建提案", "办理时限", "办理中", "退出"):
        assert chinese not in html, chinese


@pytest.mark.django_db
def test_language_switch_sets_english_for_the_session(world, login):
    client = login(world.staff)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("proposals:list")})
    assert response.status_code == 302
    html = client.get(reverse("proposals:list")).content.decode()
    assert "Proposal list" in html and "提案列表" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("proposals:list")})
    assert "提案列表" in client.get(reverse("proposals:list")).content.decode()


@pytest.mark.django_db
def test_chinese_is_the_default(world, login, client):
    html = client.get(reverse("login")).content.decode()
    assert "登录提案办理系统" in html and "Sign in to the Proposal Handling System" not in html
    html = login(world.staff).get(reverse("proposals:list")).content.decode()
    assert 'lang="zh-CN"' in html
    assert "提案列表" in html and "Proposal list" not in html


@pytest.mark.django_db
def test_dates_follow_the_page_language(world, client):
    import datetime as dt

    from django.utils import timezone

    from proposals.timeline import timeline_record

    event = timeline_record(proposal=world.proposal, actor=world.staff, action=ProposalAction.REGISTER)
    event.at = timezone.make_aware(dt.datetime(2024, 7, 9, 10, 30))
    event.save(update_fields=["at"])
    client.force_login(world.staff)
    url = f"/proposals/{world.proposal.pk}/"
    assert "2024年7月9日 10:30" in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2024-07-09 10:30" in english and "2024年7月9日" not in english
