"""A workbook that cannot be imported as a whole is refused with a clear message and changes
nothing (issue 17): not a real xlsx, too large, too many rows, a missing or renamed column, merged
cells or a formula in the data area."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from oversight.workbook import columns as c
from oversight.workbook.importer import (
    FORMULA,
    MAX_BYTES,
    MAX_ROWS,
    MERGED_CELLS,
    MISSING_COLUMNS,
    NOT_XLSX,
    TOO_LARGE,
    TOO_MANY_ROWS,
    UNKNOWN_COLUMNS,
    UNKNOWN_SHEET,
    WorkbookRefused,
    workbook_import,
)
from proposals.models import Member, Proposal, TimelineEvent
from tests.oversight.workbook_files import header_column, workbook_bytes


def _members(world, edit=None) -> bytes:
    committee = world.meeting.committee.name
    rows = [
        {"committee": committee, "name": "新委员甲", "work_unit": "丁单位", "phone": "13800000009"},
        {"committee": committee, "name": "新委员乙", "work_unit": "戊单位"},
    ]
    return workbook_bytes({c.MEMBERS: rows}, edit=edit)


def _sheet(wb):
    return wb[str(c.MEMBERS.title)]


def _rename(wb):
    _sheet(wb).cell(row=1, column=header_column(c.MEMBERS, "phone"), value="电话")


def _drop(wb):
    _sheet(wb).delete_cols(header_column(c.MEMBERS, "sector"))


def _extra(wb):
    ws = _sheet(wb)
    ws.cell(row=1, column=len(c.MEMBERS.columns) + 1, value="备注")


def _merge(wb):
    _sheet(wb).merge_cells("B3:C4")


def _formula(wb):
    _sheet(wb)["C4"] = '=HYPERLINK("http://evil.example","x")'


def _stray_sheet(wb):
    wb.create_sheet("草稿").append(["随便写的"])


def _not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def _too_many_rows(world) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(c.MEMBERS.title))
    ws.append([str(col.header) for col in c.MEMBERS.columns])
    committee = world.meeting.committee.name
    for i in range(MAX_ROWS + 1):
        ws.append([committee, f"委员{i}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CASES = {
    "plain bytes": (lambda w: b"PK\x03\x04 this is not really a zip", str(NOT_XLSX)),
    "text file": (lambda w: "姓名,电话\n张三,138".encode(), str(NOT_XLSX)),
    "zip without a workbook": (lambda w: _not_a_workbook_zip(), str(NOT_XLSX)),
    "over 20 MB": (lambda w: b"0" * (MAX_BYTES + 1), str(TOO_LARGE) % {"mb": 20}),
    "renamed column": (
        lambda w: _members(w, _rename),
        str(MISSING_COLUMNS) % {"sheet": "委员", "columns": "联系电话"},
    ),
    "missing column": (lambda w: _members(w, _drop), str(MISSING_COLUMNS) % {"sheet": "委员", "columns": "界别"}),
    "unknown column": (lambda w: _members(w, _extra), str(UNKNOWN_COLUMNS) % {"sheet": "委员", "columns": "备注"}),
    "merged cells": (lambda w: _members(w, _merge), str(MERGED_CELLS) % {"sheet": "委员", "cells": "B3:C4"}),
    "formula": (lambda w: _members(w, _formula), str(FORMULA) % {"sheet": "委员", "cell": "C4"}),
    "unknown sheet": (
        lambda w: _members(w, _stray_sheet),
        str(UNKNOWN_SHEET) % {"sheet": "草稿", "sheets": "、".join(str(s.title) for s in c.SHEETS)},
    ),
    "more than 50,000 rows": (_too_many_rows, str(TOO_MANY_ROWS) % {"n": f"{MAX_ROWS + 1}+", "max": MAX_ROWS}),
}


def _counts():
    return Member.objects.count(), Proposal.objects.count(), TimelineEvent.objects.count()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_refused_with_its_message_and_nothing_changes(world, case):
    make, message = CASES[case]
    data = make(world)
    before = _counts()
    with pytest.raises(WorkbookRefused) as refused:
        workbook_import(source=data, actor=world.staff)
    assert refused.value.message == message
    assert _counts() == before
    assert not Member.objects.filter(name__startswith="新委员").exists()


def test_the_same_good_file_is_imported(world):
    """The files above are spoilt copies of this one, which imports."""
    result = workbook_import(source=_members(world), actor=world.staff)
    assert result.committed
    assert set(Member.objects.filter(name__startswith="新委员").values_list("name", "work_unit", "phone")) == {
        ("新委员甲", "丁单位", "13800000009"),
        ("新委员乙", "戊单位", ""),
    }


def test_merged_header_cells_are_allowed(world):
    def merge_help(wb):
        _sheet(wb).merge_cells("A2:B2")

    assert workbook_import(source=_members(world, merge_help), actor=world.staff).committed


def test_command_refuses_a_bad_file_with_the_message(world, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_members(world, _formula))
    with pytest.raises(CommandError, match="是公式"):
        call_command("import_xlsx", str(path))
    assert not Member.objects.filter(name__startswith="新委员").exists()
