"""Reading a committee's workbook (issue 17): refuse a bad file, check every row, plan, commit.

``read_workbook`` refuses what is not a workbook of ours as a whole (``WorkbookRefused``: not a
real xlsx, over 20 MB, more than 50,000 rows, a missing or renamed column, an unknown sheet,
merged cells or formulas in the data area) and reads each cell as its column's kind, noting the
cells it cannot read. ``plan_import`` then checks each row against the database and the rows
before it (unknown member, duplicate number in a meeting, a class the committee does not have, a
co-signer who is the first proposer …) and counts what would be created and updated: the dry run.
``workbook_import`` does the same and, when no row has a problem, writes everything in one
transaction, keyed on natural keys so a second import of the same file changes nothing. Timeline
events of the imported steps carry their real dates and are marked as entered now (补录).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Min, Model
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from audit.log import record_event
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus, Rating
from consultations.search import index_consultations
from consultations.services.hashing import content_hash
from consultations.services.ratings import two_score_problems
from proposals import roles
from proposals.models import (
    Agency,
    Assignment,
    AssignmentStatus,
    Category,
    Committee,
    CommitteeReplyClass,
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalAction,
    ProposalCosigner,
    ProposalStatus,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
)
from proposals.pinyin import name_initials
from proposals.search import index_on_save, proposal_search_text
from proposals.services.filing import COSIGNERS_NOT_ALLOWED, FIRST_PROPOSER_IN_COSIGNERS, REFUSAL_REASON_REQUIRED
from proposals.services.numbering import DUPLICATE_NUMBER, NUMBER_INVALID, is_valid_number, sequence_of
from proposals.validators import phone_problem
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus
from replies.rules import CLASS_NOT_ENABLED, DATE_BEFORE_ASSIGNMENT, class_codes, default_classes
from replies.search import index_replies

from ..apps import MEMBER_DETAILS
from ..public import refresh_member_public_texts, refresh_public_texts
from . import columns as c
from .cells import CellError, from_cell

# --- Messages: the file as a whole ----------------------------------------------------------
NOT_XLSX = _("这不是有效的 Excel 工作簿（.xlsx）文件，无法读取。")
TOO_LARGE = _("文件超过 %(mb)s MB，请分成几个文件导入。")
TOO_MANY_ROWS = _("文件共有 %(n)s 行数据，超过 %(max)s 行的上限，请分成几个文件导入。")
UNKNOWN_SHEET = _("工作表“%(sheet)s”不是可导入的表（可导入：%(sheets)s）。")
NO_SHEETS = _("文件里没有可导入的工作表（%(sheets)s）。")
MISSING_COLUMNS = _("工作表“%(sheet)s”缺少列：%(columns)s（第 1 行须是模板的列名，请勿改名或删除）。")
UNKNOWN_COLUMNS = _("工作表“%(sheet)s”有模板中没有的列：%(columns)s（第 1 行须是模板的列名，请勿改名）。")
DUPLICATE_COLUMN = _("工作表“%(sheet)s”的列“%(column)s”出现了两次。")
MERGED_CELLS = _("工作表“%(sheet)s”的数据区有合并单元格（%(cells)s），请取消合并后再导入。")
FORMULA = _("工作表“%(sheet)s”的单元格 %(cell)s 是公式，请改为数值或文字后再导入。")

# --- Messages: one cell ---------------------------------------------------------------------
REQUIRED = _("请填写“%(column)s”。")
TOO_LONG = _("最多 %(max)s 个字符，这里有 %(n)s 个。")
UNKNOWN_COMMITTEE = _("没有名为“%(name)s”的政协委员会（本文件和系统中都没有）。")
UNKNOWN_MEETING = _("%(committee)s没有会议“%(meeting)s”。")
MEETING_INVALID = _("“%(value)s”不是会议，请写届-次，例如 8-3。")
UNKNOWN_AGENCY = _("%(committee)s没有承办单位“%(name)s”。")
UNKNOWN_MEMBER = _("%(committee)s没有委员“%(name)s”。")
AMBIGUOUS_MEMBER = _("%(committee)s有不止一位委员叫“%(name)s”，请同时填写工作单位。")
UNKNOWN_USER = _("没有用户名为“%(name)s”的用户。")
UNKNOWN_CATEGORY = _("%(committee)s没有提案类别“%(name)s”。")
UNKNOWN_DECLINE_REASON = _("%(committee)s没有不予立案理由“%(name)s”。")
UNKNOWN_PROPOSAL = _("%(meeting)s没有编号为 %(number)s 的提案。")
UNKNOWN_ASSIGNMENT = _("提案 %(number)s 没有交办给“%(agency)s”。")
DUPLICATE_ROW = _("与第 %(row)s 行重复。")
DUPLICATE_NUMBER_ROW = _("%(message)s（与第 %(row)s 行重复）")
OTHER_COMMITTEE = _("只能导入本委员会（%(committee)s）的数据。")
ADMIN_SHEET_SKIPPED = _("工作表“%(sheet)s”只有系统管理员可以导入，已跳过。")
FIRST_PROPOSER_REQUIRED = _("个人和联名提案请填写第一提案人。")
BODY_REQUIRED = _("集体提案请填写提案单位。")
ROLE_NEEDS_AGENCY = _("承办单位经办人和负责人须填写所属承办单位。")
ROLE_NEEDS_MEMBER = _("政协委员须填写对应委员。")
ACTOR_REQUIRED = _("请填写“%(column)s”（命令行导入时没有导入人可代替）。")
PARENT_SELF = _("上级委员会不能是本委员会。")
IMPORT_NOTE = _("由 Excel 工作簿导入")
FROZEN_CHANGED = _("%(sheet)s第 %(row)s 行会修改已签发的答复或已签字的面商记录，这些记录不能再修改；没有写入任何数据。")
STATE_CHANGED = _(
    "%(sheet)s第 %(row)s 行会改变系统中已有记录的状态、编号或办理日期（%(columns)s）；"
    "这些只能在系统中逐项办理，没有写入任何数据。"
)

# What a re-import may not change on a row the system already has: its state, number, handling
# dates and who handles it. Those change only through the services (each checks the actor and the
# state and writes the timeline); the workbook may correct texts, not move a case along.
PROPOSAL_STATE_FIELDS = (
    "status", "number", "sequence", "submitted_at", "registered_at", "closed_at", "is_key", "decline_reason",
    "converted_to_opinion",
)  # fmt: skip
ASSIGNMENT_STATE_FIELDS = (
    "status", "round", "role", "proposal", "agency", "assigned_at", "due_date", "original_due_date",
    "accepted_at", "returned_at", "replied_at",
)  # fmt: skip

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
EXAMPLES = 20
BATCH = 500

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_MEETING_RE = re.compile(r"^(\d+)\s*[-－—–]\s*(\d+)$")


class WorkbookRefused(Exception):
    """The file as a whole cannot be imported; ``message`` says why (nothing was written)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    # Filled by the checks: the row's natural key and the keys of what it refers to.
    key: Any = None
    refs: dict[str, Any] = field(default_factory=dict)
    exists: bool = False


@dataclass
class SheetCount:
    code: str
    title: str
    rows: int = 0
    create: int = 0
    update: int = 0
    # The first rows, for the preview: (row number, what it is, True when it creates a record).
    examples: list[tuple[int, str, bool]] = field(default_factory=list)


@dataclass
class Plan:
    rows: dict[str, list[ParsedRow]]
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    counts: list[SheetCount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_rows(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def summary(self) -> dict[str, Any]:
        """The preview as plain data (kept with a browser import's job)."""
        return {
            "counts": [vars(count) for count in self.counts],
            "problems": [vars(p) for p in self.problems],
            "notices": self.notices,
        }


Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


# --- Reading --------------------------------------------------------------------------------


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _merged_data_cells(archive: zipfile.ZipFile, path: str) -> list[str]:
    """Merged ranges that reach the data area (row 3 on), from the sheet's XML (read-only mode
    does not parse them)."""
    found: set[str] = set()
    with archive.open(path) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for match in _MERGE_RE.finditer(data):
                first_col, first_row, last_col, last_row = (g.decode() if g else "" for g in match.groups())
                if int(last_row or first_row) >= c.FIRST_DATA_ROW:
                    found.add(f"{first_col}{first_row}" + (f":{last_col}{last_row}" if last_col else ""))
            tail = data[-200:]
    return sorted(found)


def read_workbook(
    source: IO[bytes] | bytes, *, size: int | None = None
) -> tuple[dict[str, list[ParsedRow]], list[Problem]]:
    """The rows of each sheet of the workbook, as (row number, raw cells by field); raises
    ``WorkbookRefused`` for a file that cannot be imported as a whole. Cell problems come back as
    ``(rows, problems)``."""
    data = source if isinstance(source, bytes) else source.read()
    if size is None:
        size = len(data)
    if size > MAX_BYTES:
        raise WorkbookRefused(str(TOO_LARGE) % {"mb": MAX_BYTES // (1024 * 1024)})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookRefused(str(NOT_XLSX))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken or foreign zip
        raise WorkbookRefused(str(NOT_XLSX)) from None
    with translation.override("zh-hans"):
        by_title = {str(sheet.title): sheet for sheet in c.SHEETS}
        names = "、".join(by_title)
        rows: dict[str, list[ParsedRow]] = {}
        problems: list[Problem] = []
        try:
            known = [ws for ws in wb.worksheets if ws.title in by_title]
            for ws in wb.worksheets:
                if ws.title not in by_title and (ws.max_row or 0) > 0 and not _is_empty(ws):
                    raise WorkbookRefused(str(UNKNOWN_SHEET) % {"sheet": ws.title, "sheets": names})
            if not known:
                raise WorkbookRefused(str(NO_SHEETS) % {"sheets": names})
            total = 0
            for ws in known:
                sheet = by_title[ws.title]
                # Read-only mode keeps the zip and each sheet's part; merged cells are only in the part's XML.
                merged = _merged_data_cells(wb._archive, ws._worksheet_path)  # type: ignore[attr-defined]
                if merged:
                    raise WorkbookRefused(str(MERGED_CELLS) % {"sheet": ws.title, "cells": "、".join(merged[:5])})
                parsed, cell_problems, total = _read_sheet(ws, sheet, total)
                rows[sheet.code] = parsed
                problems.extend(cell_problems)
        finally:
            wb.close()
    return rows, problems


def _is_empty(ws) -> bool:
    for row in ws.iter_rows(values_only=True):
        if any(v not in (None, "") for v in row):
            return False
    return True


def _read_sheet(ws, sheet: c.Sheet, total: int) -> tuple[list[ParsedRow], list[Problem], int]:
    title = str(sheet.title)
    by_header = {str(column.header): column for column in sheet.columns}
    iterator = ws.iter_rows()
    header_cells = next(iterator, ())
    positions: dict[int, c.Column] = {}
    unknown = []
    for i, cell in enumerate(header_cells):
        value = cell.value
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        column = by_header.get(text)
        if column is None:
            unknown.append(text)
        elif column in positions.values():
            raise WorkbookRefused(str(DUPLICATE_COLUMN) % {"sheet": title, "column": text})
        else:
            positions[i] = column
    missing = [str(col.header) for col in sheet.columns if col not in positions.values() and not col.optional]
    if missing:
        raise WorkbookRefused(str(MISSING_COLUMNS) % {"sheet": title, "columns": "、".join(missing)})
    if unknown:
        raise WorkbookRefused(str(UNKNOWN_COLUMNS) % {"sheet": title, "columns": "、".join(unknown)})
    helps = {i: column.help_text() for i, column in positions.items()}
    parsed: list[ParsedRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(iterator, start=2):
        values_by_pos = {}
        blank = True
        for i, cell in enumerate(cells):
            if i not in positions:
                continue
            if getattr(cell, "data_type", None) == "f":
                raise WorkbookRefused(str(FORMULA) % {"sheet": title, "cell": f"{_column_letter(i + 1)}{number}"})
            if cell.value not in (None, ""):
                blank = False
            values_by_pos[i] = cell.value
        if blank:
            continue
        if number == c.HELP_ROW and all(
            str(values_by_pos.get(i) or "") == helps[i] for i in positions if values_by_pos.get(i) is not None
        ):
            continue  # the explanations under the headers
        total += 1
        if total > MAX_ROWS:
            raise WorkbookRefused(str(TOO_MANY_ROWS) % {"n": f"{total}+", "max": MAX_ROWS})
        values: dict[str, Any] = {}
        for i, column in positions.items():
            try:
                values[column.field] = from_cell(column, values_by_pos.get(i))
            except CellError as exc:
                problems.append(Problem(title, number, str(column.header), exc.message))
                values[column.field] = None
                continue
            problem = _shape_problem(column, values[column.field])
            if problem:
                problems.append(Problem(title, number, str(column.header), problem))
        parsed.append(ParsedRow(number, values))
    return parsed, problems, total


def _shape_problem(column: c.Column, value: Any) -> str | None:
    blank = value is None or value == ""
    if column.required and blank:
        return str(REQUIRED) % {"column": column.header}
    if blank:
        return None
    if column.max_length and isinstance(value, str) and len(value) > column.max_length:
        return str(TOO_LONG) % {"max": column.max_length, "n": len(value)}
    if column.kind is c.Kind.PHONE:
        return phone_problem(value)
    return None


# --- Checking -------------------------------------------------------------------------------


def _label(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _member_key(committee: str, name: str, unit: str | None) -> tuple[str, str, str]:
    return (committee, name, unit or "")


class _Known:
    """What exists: the database's rows of the committees concerned and the workbook's rows so
    far, by natural key (pk, or None for a row still to be created)."""

    def __init__(self, rows: dict[str, list[ParsedRow]]) -> None:
        names = {r.values.get("committee") for sheet_rows in rows.values() for r in sheet_rows}
        names |= {r.values.get("name") for r in rows.get("committees", [])}
        names |= {r.values.get("parent") for r in rows.get("committees", [])}
        names.discard(None)
        names.discard("")
        self.committees: dict[str, int | None] = dict(
            Committee.objects.filter(name__in=names).values_list("name", "pk")
        )
        ids = [pk for pk in self.committees.values() if pk]
        name_of: dict[int, str] = {pk: name for name, pk in self.committees.items() if pk}
        self.meetings: dict[tuple, int | None] = {
            (name_of[cid], t, s): pk
            for cid, t, s, pk in Meeting.objects.filter(committee__in=ids).values_list(
                "committee_id", "term", "session", "pk"
            )
        }
        self.meeting_prefix: dict[tuple, str] = {
            (name_of[cid], t, s): prefix
            for cid, t, s, prefix in Meeting.objects.filter(committee__in=ids).values_list(
                "committee_id", "term", "session", "number_prefix"
            )
        }
        self.agencies = self._pairs(Agency, ids, name_of, "name")
        self.categories = self._pairs(Category, ids, name_of, "name")
        self.decline_reasons = self._pairs(DeclineReason, ids, name_of, "text")
        self.members: dict[tuple, int | None] = {
            (name_of[cid], n, u): pk
            for cid, n, u, pk in Member.objects.filter(committee__in=ids).values_list(
                "committee_id", "name", "work_unit", "pk"
            )
        }
        self.classes: dict[str, set[str]] = defaultdict(set)
        for cid, code in CommitteeReplyClass.objects.filter(committee__in=ids).values_list("committee_id", "code"):
            self.classes[name_of[cid]].add(code)
        usernames = {
            r.values.get(col.field)
            for sheet in c.SHEETS
            for col in sheet.columns
            if col.field in ("username", "created_by", "assigned_by", "signed_by", "entered_by")
            for r in rows.get(sheet.code, [])
        }
        self.users: dict[str, int | None] = dict(
            User.objects.filter(username__in=[u for u in usernames if u]).values_list("username", "pk")
        )
        meeting_ids = [pk for pk in self.meetings.values() if pk]
        key_of_meeting = {pk: key for key, pk in self.meetings.items()}
        self.proposals: dict[tuple, int | None] = {}
        for mid, number, title, created, pk in Proposal.objects.filter(meeting__in=meeting_ids).values_list(
            "meeting_id", "number", "title", "created_at", "pk"
        ):
            self.proposals[_proposal_key(key_of_meeting[mid], number, title, created)] = pk
        key_of_proposal = {pk: key for key, pk in self.proposals.items()}
        self.assignments: dict[tuple, int | None] = {}
        # (proposal, agency) → the assignment the later sheets mean: the live one, else the latest.
        self.assignment_of: dict[tuple, tuple] = {}
        agency_key = {pk: key for key, pk in self.agencies.items()}
        self.assigned_on: dict[tuple, dt.date] = {}
        self.returned: dict[tuple, bool] = {}
        for pid, aid, at, status, pk in (
            Assignment.objects.filter(proposal__in=list(key_of_proposal))
            .order_by("assigned_at", "pk")
            .values_list("proposal_id", "agency_id", "assigned_at", "status", "pk")
        ):
            key = (key_of_proposal[pid], agency_key[aid], _second(at))
            self.assignments[key] = pk
            self._assignment_target(key, status)
        self.children: dict[str, dict[tuple, int]] = {"replies": {}, "consultations": {}, "ratings": {}}
        key_of_assignment = {pk: key for key, pk in self.assignments.items()}
        member_key = {pk: key for key, pk in self.members.items()}
        for aid, rnd, pk in Reply.objects.filter(assignment__in=list(key_of_assignment)).values_list(
            "assignment_id", "round", "pk"
        ):
            self.children["replies"][(key_of_assignment[aid], rnd)] = pk
        for model, code in ((Consultation, "consultations"), (Rating, "ratings")):
            for aid, rnd, mid, pk in model.objects.filter(assignment__in=list(key_of_assignment)).values_list(
                "assignment_id", "round", "member_id", "pk"
            ):
                if mid in member_key:
                    self.children[code][(key_of_assignment[aid], rnd, member_key[mid])] = pk

    @staticmethod
    def _pairs(model: type[Model], ids: list[int], name_of: dict[int, str], attr: str) -> dict[tuple, int | None]:
        return {
            (name_of[cid], value): pk
            for cid, value, pk in model._default_manager.filter(committee__in=ids).values_list(
                "committee_id", attr, "pk"
            )
        }

    def _assignment_target(self, key: tuple, status: str) -> None:
        """Keep (proposal, agency) pointing at its live assignment, else at its latest."""
        pair = (key[0], key[1])
        current = self.assignment_of.get(pair)
        self.returned[key] = status == AssignmentStatus.RETURNED
        if current is None or not self.returned[key] or self.returned.get(current, False):
            self.assignment_of[pair] = key


def _second(value: dt.datetime | None) -> dt.datetime | None:
    """A time as the workbook holds it: to the second (the export drops the microseconds)."""
    return value.replace(microsecond=0) if value is not None else None


def _proposal_key(meeting_key: tuple, number: str, title: str, created: dt.datetime | None) -> tuple:
    """A numbered proposal by its number; one not yet numbered (a draft) by its title and creation."""
    if number:
        return (meeting_key, number)
    created_at = _second(created).astimezone(dt.UTC).isoformat() if created else ""  # type: ignore[union-attr]
    return (meeting_key, "", title, created_at)


class _Checker:
    def __init__(self, rows: dict[str, list[ParsedRow]], actor: User | None) -> None:
        self.rows = rows
        self.actor = actor
        self.known = _Known(rows)
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.counts: list[SheetCount] = []
        self.is_admin = actor is None or roles.is_admin(actor)
        self.own_committee: str | None = None
        scope = roles.committee_scope(actor)
        if actor is not None and not roles.is_admin(actor):
            # Staff without a committee (none in practice) match no committee's rows.
            own = Committee.objects.filter(pk=scope).values_list("name", flat=True).first() if scope else None
            self.own_committee = own or "-"
        self.sheet: c.Sheet = c.COMMITTEES

    # Problems are said against the sheet being checked.
    def problem(self, row: ParsedRow, field_name: str, message: str) -> None:
        self.problems.append(
            Problem(str(self.sheet.title), row.row, str(self.sheet.column(field_name).header), message)
        )

    def run(self) -> None:
        with translation.override("zh-hans"):
            for sheet in c.SHEETS:
                if sheet.code not in self.rows:
                    continue
                self.sheet = sheet
                if sheet.admin_only and not self.is_admin:
                    self.notices.append(str(ADMIN_SHEET_SKIPPED) % {"sheet": sheet.title})
                    self.rows[sheet.code] = []
                    continue
                count = SheetCount(sheet.code, str(sheet.title), rows=len(self.rows[sheet.code]))
                seen: dict[Any, int] = {}
                check = getattr(self, f"check_{sheet.code}")
                for row in self.rows[sheet.code]:
                    before = len(self.problems)
                    check(row)
                    if row.key is None or len(self.problems) > before:
                        continue
                    if row.key in seen:
                        if sheet is c.PROPOSALS:
                            message = str(DUPLICATE_NUMBER_ROW) % {"message": DUPLICATE_NUMBER, "row": seen[row.key]}
                            self.problem(row, "number", message)
                        else:
                            self.problem(row, sheet.key[-1], str(DUPLICATE_ROW) % {"row": seen[row.key]})
                        continue
                    seen[row.key] = row.row
                    if len(count.examples) < EXAMPLES:
                        label = " ".join(_label(row.values.get(name)) for name in sheet.key if name != "committee")
                        count.examples.append((row.row, label.strip(), not row.exists))
                    if row.exists:
                        count.update += 1
                    else:
                        count.create += 1
                self.counts.append(count)

    # --- references ---
    def committee(self, row: ParsedRow, field_name: str = "committee") -> str | None:
        name = row.values.get(field_name)
        if not name:
            return None
        if name not in self.known.committees:
            self.problem(row, field_name, str(UNKNOWN_COMMITTEE) % {"name": name})
            return None
        if self.own_committee is not None and name != self.own_committee:
            self.problem(row, field_name, str(OTHER_COMMITTEE) % {"committee": self.own_committee})
            return None
        return name

    def meeting(self, row: ParsedRow, committee: str) -> tuple | None:
        text = row.values.get("meeting") or ""
        match = _MEETING_RE.match(text)
        if not match:
            self.problem(row, "meeting", str(MEETING_INVALID) % {"value": text})
            return None
        key = (committee, int(match.group(1)), int(match.group(2)))
        if key not in self.known.meetings:
            self.problem(row, "meeting", str(UNKNOWN_MEETING) % {"committee": committee, "meeting": text})
            return None
        return key

    def agency(self, row: ParsedRow, committee: str, field_name: str = "agency") -> tuple | None:
        name = row.values.get(field_name)
        if not name:
            return None
        key = (committee, name)
        if key not in self.known.agencies:
            self.problem(row, field_name, str(UNKNOWN_AGENCY) % {"committee": committee, "name": name})
            return None
        return key

    def member(self, row: ParsedRow, committee: str, name: str, unit: str | None, field_name: str) -> tuple | None:
        key = _member_key(committee, name, unit)
        if key in self.known.members:
            return key
        if not unit:
            namesakes = [k for k in self.known.members if k[0] == committee and k[1] == name]
            if len(namesakes) == 1:
                return namesakes[0]
            if len(namesakes) > 1:
                self.problem(row, field_name, str(AMBIGUOUS_MEMBER) % {"committee": committee, "name": name})
                return None
        label = f"{name}（{unit}）" if unit else name
        self.problem(row, field_name, str(UNKNOWN_MEMBER) % {"committee": committee, "name": label})
        return None

    def user(self, row: ParsedRow, field_name: str, *, required: bool = False) -> str | None:
        name = row.values.get(field_name)
        if not name:
            if required and self.actor is None:
                self.problem(row, field_name, str(ACTOR_REQUIRED) % {"column": self.sheet.column(field_name).header})
            return None
        if name not in self.known.users:
            self.problem(row, field_name, str(UNKNOWN_USER) % {"name": name})
            return None
        return name

    def named(self, row: ParsedRow, committee: str, field_name: str, table: dict, message) -> tuple | None:
        value = row.values.get(field_name)
        if not value:
            return None
        key = (committee, value)
        if key not in table:
            self.problem(row, field_name, str(message) % {"committee": committee, "name": value})
            return None
        return key

    def proposal(self, row: ParsedRow) -> tuple | None:
        committee = self.committee(row)
        if committee is None:
            return None
        meeting = self.meeting(row, committee)
        if meeting is None:
            return None
        key = (meeting, row.values.get("number") or "")
        if key not in self.known.proposals:
            self.problem(row, "number", str(UNKNOWN_PROPOSAL) % {"meeting": row.values["meeting"], "number": key[1]})
            return None
        return key

    def assignment(self, row: ParsedRow) -> tuple | None:
        proposal = self.proposal(row)
        if proposal is None:
            return None
        agency = self.agency(row, proposal[0][0])
        if agency is None:
            return None
        key = self.known.assignment_of.get((proposal, agency))
        if key is None:
            self.problem(
                row, "agency", str(UNKNOWN_ASSIGNMENT) % {"number": proposal[1], "agency": row.values["agency"]}
            )
        return key

    def classes_of(self, committee: str) -> set[str]:
        return self.known.classes.get(committee) or set(class_codes(default_classes()))

    # --- sheets ---
    def check_committees(self, row: ParsedRow) -> None:
        name = row.values["name"]
        if not name:
            return
        parent = row.values.get("parent")
        if parent and parent == name:
            self.problem(row, "parent", str(PARENT_SELF))
        elif parent and parent not in self.known.committees:
            self.problem(row, "parent", str(UNKNOWN_COMMITTEE) % {"name": parent})
        row.key = name
        row.exists = self.known.committees.get(name) is not None
        self.known.committees.setdefault(name, None)

    def check_reply_classes(self, row: ParsedRow) -> None:
        committee = self.committee(row)
        if committee is None or not row.values["code"]:
            return
        row.key = (committee, row.values["code"])
        row.exists = row.values["code"] in self.known.classes.get(committee, set())
        self.known.classes[committee].add(row.values["code"])

    def _simple(self, row: ParsedRow, table: dict, attr: str) -> None:
        committee = self.committee(row)
        if committee is None or not row.values.get(attr):
            return
        row.key = (committee, row.values[attr])
        row.exists = table.get(row.key) is not None
        table.setdefault(row.key, None)

    def check_categories(self, row: ParsedRow) -> None:
        self._simple(row, self.known.categories, "name")

    def check_decline_reasons(self, row: ParsedRow) -> None:
        self._simple(row, self.known.decline_reasons, "text")

    def check_agencies(self, row: ParsedRow) -> None:
        self._simple(row, self.known.agencies, "name")

    def check_meetings(self, row: ParsedRow) -> None:
        committee = self.committee(row)
        if committee is None or row.values["term"] is None or row.values["session"] is None:
            return
        row.key = (committee, row.values["term"], row.values["session"])
        row.exists = self.known.meetings.get(row.key) is not None
        self.known.meetings.setdefault(row.key, None)
        self.known.meeting_prefix[row.key] = row.values.get("number_prefix") or ""

    def check_members(self, row: ParsedRow) -> None:
        committee = self.committee(row)
        if committee is None or not row.values["name"]:
            return
        row.key = _member_key(committee, row.values["name"], row.values.get("work_unit"))
        row.exists = self.known.members.get(row.key) is not None
        self.known.members.setdefault(row.key, None)

    def check_users(self, row: ParsedRow) -> None:
        v = row.values
        committee = self.committee(row) if v.get("committee") else None
        role = v.get("role") or Role.MEMBER
        if v.get("agency") and committee:
            row.refs["agency"] = self.agency(row, committee)
        if v.get("member") and committee:
            row.refs["member"] = self.member(row, committee, v["member"], v.get("member_unit"), "member")
        if role in (Role.HANDLER, Role.LEADER) and not v.get("agency"):
            self.problem(row, "agency", str(ROLE_NEEDS_AGENCY))
        if role == Role.MEMBER and not v.get("member"):
            self.problem(row, "member", str(ROLE_NEEDS_MEMBER))
        if not v["username"]:
            return
        row.refs["committee"] = committee
        row.key = v["username"]
        row.exists = self.known.users.get(row.key) is not None
        self.known.users.setdefault(row.key, None)

    def check_proposals(self, row: ParsedRow) -> None:
        v = row.values
        committee = self.committee(row)
        if committee is None:
            return
        meeting = self.meeting(row, committee)
        number = v.get("number") or ""
        if number and not is_valid_number(number):
            self.problem(row, "number", str(NUMBER_INVALID))
        kind = v.get("proposer_kind") or ProposerKind.INDIVIDUAL
        first = None
        if v.get("first_proposer"):
            first = self.member(row, committee, v["first_proposer"], v.get("first_proposer_unit"), "first_proposer")
        elif kind != ProposerKind.BODY:
            self.problem(row, "first_proposer", str(FIRST_PROPOSER_REQUIRED))
        if kind == ProposerKind.BODY and not v.get("body_name"):
            self.problem(row, "body_name", str(BODY_REQUIRED))
        cosigners = []
        for item in [part.strip() for part in (v.get("cosigners") or "").split(c.LIST_SEPARATOR) if part.strip()]:
            match = re.fullmatch(r"(.+?)[（(](.*)[）)]", item)
            name, unit = (match.group(1).strip(), match.group(2).strip()) if match else (item, "")
            member = self.member(row, committee, name, unit, "cosigners")
            if member is not None:
                if member == first:
                    self.problem(row, "cosigners", str(FIRST_PROPOSER_IN_COSIGNERS))
                elif member not in cosigners:
                    cosigners.append(member)
        if cosigners and kind == ProposerKind.INDIVIDUAL:
            self.problem(row, "cosigners", str(COSIGNERS_NOT_ALLOWED))
        suggested = []
        for name in [part.strip() for part in (v.get("suggested_agencies") or "").split(c.LIST_SEPARATOR)]:
            if not name:
                continue
            if (committee, name) not in self.known.agencies:
                self.problem(row, "suggested_agencies", str(UNKNOWN_AGENCY) % {"committee": committee, "name": name})
            elif (committee, name) not in suggested:
                suggested.append((committee, name))
        if v.get("publication_consent") is False and not (v.get("publication_refusal_reason") or "").strip():
            self.problem(row, "publication_refusal_reason", str(REFUSAL_REASON_REQUIRED))
        row.refs.update(
            first_proposer=first,
            cosigners=cosigners,
            suggested_agencies=suggested,
            category=self.named(row, committee, "category", self.known.categories, UNKNOWN_CATEGORY),
            decline_reason=self.named(
                row, committee, "decline_reason", self.known.decline_reasons, UNKNOWN_DECLINE_REASON
            ),
            created_by=self.user(row, "created_by"),
            meeting=meeting,
        )
        if meeting is None:
            return
        row.key = _proposal_key(meeting, number, v.get("title") or "", v.get("created_at"))
        if number and row.key in self.known.proposals and self.known.proposals[row.key] is None:
            return  # a duplicate within the file: reported by run()
        row.exists = self.known.proposals.get(row.key) is not None
        self.known.proposals.setdefault(row.key, None)

    def check_assignments(self, row: ParsedRow) -> None:
        proposal = self.proposal(row)
        if proposal is None:
            return
        agency = self.agency(row, proposal[0][0])
        assigned_by = self.user(row, "assigned_by", required=True)
        row.refs.update(proposal=proposal, agency=agency, assigned_by=assigned_by)
        if agency is None or row.values.get("assigned_at") is None:
            return
        row.key = (proposal, agency, row.values["assigned_at"])
        row.exists = self.known.assignments.get(row.key) is not None
        self.known.assignments.setdefault(row.key, None)
        self.known._assignment_target(row.key, row.values.get("status") or AssignmentStatus.PENDING)
        self.known.assigned_on[row.key] = timezone.localdate(row.values["assigned_at"])

    def _child(self, row: ParsedRow, code: str, *, with_member: bool) -> tuple | None:
        assignment = self.assignment(row)
        if assignment is None:
            return None
        row.refs["assignment"] = assignment
        key: tuple = (assignment, row.values.get("round") or 1)
        if with_member:
            member = self.member(
                row, assignment[0][0][0], row.values["member"], row.values.get("member_unit"), "member"
            )
            if member is None:
                return None
            row.refs["member"] = member
            key = (*key, member)
        row.key = key
        row.exists = key in self.known.children[code]
        return assignment

    def check_replies(self, row: ParsedRow) -> None:
        assignment = self._child(row, "replies", with_member=False)
        row.refs["created_by"] = self.user(row, "created_by", required=True)
        row.refs["signed_by"] = self.user(row, "signed_by")
        if assignment is None:
            return
        committee = assignment[0][0][0]
        code = row.values.get("reply_class")
        if code and code not in self.classes_of(committee):
            self.problem(row, "reply_class", str(CLASS_NOT_ENABLED) % {"label": code})
        reply_date = row.values.get("reply_date")
        assigned_on = self._assigned_on(assignment)
        if reply_date and assigned_on and reply_date < assigned_on:
            self.problem(row, "reply_date", str(DATE_BEFORE_ASSIGNMENT) % {"date": assigned_on.isoformat()})

    def _assigned_on(self, assignment: tuple) -> dt.date | None:
        on = self.known.assigned_on.get(assignment)
        if on is None and assignment[2] is not None:
            on = timezone.localdate(assignment[2])
        return on

    def check_consultations(self, row: ParsedRow) -> None:
        assignment = self._child(row, "consultations", with_member=True)
        row.refs["created_by"] = self.user(row, "created_by", required=True)
        if assignment is None:
            return
        code = row.values.get("handling_class")
        if code and code not in self.classes_of(assignment[0][0][0]):
            self.problem(row, "handling_class", str(CLASS_NOT_ENABLED) % {"label": code})

    def check_ratings(self, row: ParsedRow) -> None:
        self._child(row, "ratings", with_member=True)
        row.refs["entered_by"] = self.user(row, "entered_by", required=True)
        for field_name, message in two_score_problems(row.values):
            self.problem(row, field_name, str(message))


def plan_import(rows: dict[str, list[ParsedRow]], *, actor: User | None, problems: Iterable[Problem] = ()) -> Plan:
    """The dry run: every problem, and what would be created and updated."""
    checker = _Checker(rows, actor)
    checker.run()
    return Plan(
        rows=rows,
        problems=[*problems, *checker.problems],
        notices=checker.notices,
        counts=checker.counts,
    )


def check_workbook(source: IO[bytes] | bytes, *, actor: User | None) -> Plan:
    rows, problems = read_workbook(source)
    return plan_import(rows, actor=actor, problems=problems)


# --- Writing --------------------------------------------------------------------------------


def _set(obj: Model, values: dict[str, Any], fields: Iterable[str]) -> None:
    """The row's values onto the record; a blank cell of a column that cannot be empty gives a new
    record the model's default and leaves an existing one as it is."""
    for name in fields:
        value = values.get(name)
        model_field = obj._meta.get_field(name)
        if value is None and not model_field.null:
            if not obj._state.adding:
                continue
            value = model_field.get_default()  # type: ignore[union-attr]
        setattr(obj, name, value)


class _Writer:
    def __init__(self, plan: Plan, actor: User | None, progress: Progress) -> None:
        self.plan = plan
        self.actor = actor
        self.progress = progress
        self.done = 0
        self.total = plan.total_rows
        self.now = timezone.now()
        self.pk: dict[str, dict[Any, int]] = defaultdict(dict)
        self.created: dict[str, list[int]] = defaultdict(list)
        self.events: list[TimelineEvent] = []
        self.issued_replies: list[int] = []
        self.note = str(IMPORT_NOTE)

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.done % 500 < n or self.done == self.total:
            self.progress(self.done, self.total)

    def rows(self, code: str) -> list[ParsedRow]:
        return [row for row in self.plan.rows.get(code, []) if row.key is not None]

    def user_pk(self, username: str | None) -> int | None:
        if username:
            return (
                self.pk["users"].get(username)
                or User.objects.filter(username=username).values_list("pk", flat=True).first()
            )
        return self.actor.pk if self.actor is not None else None

    def required_user_pk(self, username: str | None) -> int:
        """A user the record cannot do without: the checks saw to it (a name, or the acting user)."""
        pk = self.user_pk(username)
        if pk is None:
            raise WorkbookRefused(str(ACTOR_REQUIRED) % {"column": username or "-"})
        return pk

    def event(self, proposal_id: int, action: str, at: dt.datetime | None, **extra: Any) -> None:
        if at is None:
            return
        self.events.append(
            TimelineEvent(
                proposal_id=proposal_id,
                actor=self.actor,
                action=str(action),
                at=at,
                entered_at=self.now,
                note=extra.pop("note", self.note),
                **extra,
            )
        )

    def run(self) -> dict[str, Any]:
        with translation.override(settings.LANGUAGE_CODE):
            self.note = str(IMPORT_NOTE)
            self.load_existing()
            self.committees()
            self.by_committee("reply_classes", CommitteeReplyClass, ("code", "label", "definition", "order"), "code")
            self.by_committee("categories", Category, ("name", "order", "is_active"), "name")
            self.by_committee("decline_reasons", DeclineReason, ("text", "order", "is_active"), "text")
            self.meetings()
            self.by_committee("agencies", Agency, ("name", "short_name", "email", "is_active"), "name")
            self.members()
            self.users()
            self.proposals()
            self.assignments()
            self.replies()
            self.consultations()
            self.ratings()
            TimelineEvent.objects.bulk_create(self.events, batch_size=BATCH)
        return {
            "created": {code: len(ids) for code, ids in self.created.items()},
            "events": len(self.events),
            "issued_replies": self.issued_replies,
        }

    def load_existing(self) -> None:
        known = _Known(self.plan.rows)
        self.pk["committees"] = {k: v for k, v in known.committees.items() if v}
        self.pk["meetings"] = {k: v for k, v in known.meetings.items() if v}
        self.pk["agencies"] = {k: v for k, v in known.agencies.items() if v}
        self.pk["categories"] = {k: v for k, v in known.categories.items() if v}
        self.pk["decline_reasons"] = {k: v for k, v in known.decline_reasons.items() if v}
        self.pk["members"] = {k: v for k, v in known.members.items() if v}
        self.pk["users"] = {k: v for k, v in known.users.items() if v}
        self.pk["proposals"] = {k: v for k, v in known.proposals.items() if v}
        self.pk["assignments"] = {k: v for k, v in known.assignments.items() if v}
        for code, table in known.children.items():
            self.pk[code] = dict(table)
        self.assignment_of = known.assignment_of
        self.known = known

    def committees(self) -> None:
        fields = [col.field for col in c.COMMITTEES.columns if col.field not in ("name", "parent")]
        for row in self.rows("committees"):
            pk = self.pk["committees"].get(row.key)
            obj = Committee.objects.get(pk=pk) if pk else Committee(name=row.key)
            _set(obj, row.values, fields)
            obj.save()
            self.pk["committees"][row.key] = obj.pk
            if not pk:
                self.created["committees"].append(obj.pk)
            self.tick()
        for row in self.rows("committees"):
            parent = row.values.get("parent")
            parent_id = self.pk["committees"].get(parent) if parent else None
            Committee.objects.filter(pk=self.pk["committees"][row.key]).update(parent_id=parent_id)

    def by_committee(self, code: str, model: type[Model], fields: tuple[str, ...], attr: str) -> None:
        for row in self.rows(code):
            committee_id = self.pk["committees"][row.key[0]]
            obj = model._default_manager.filter(committee_id=committee_id, **{attr: row.key[1]}).first()
            new = obj is None
            if obj is None:
                obj = model(committee_id=committee_id)
            _set(obj, row.values, fields)
            obj.save()
            self.pk[code][row.key] = obj.pk
            if new:
                self.created[code].append(obj.pk)
            self.tick()

    def meetings(self) -> None:
        fields = [col.field for col in c.MEETINGS.columns if col.field not in ("committee", "term", "session")]
        for row in self.rows("meetings"):
            committee_id = self.pk["committees"][row.key[0]]
            pk = self.pk["meetings"].get(row.key)
            obj = (
                Meeting.objects.get(pk=pk)
                if pk
                else Meeting(committee_id=committee_id, term=row.key[1], session=row.key[2])
            )
            _set(obj, row.values, fields)
            obj.save()
            self.pk["meetings"][row.key] = obj.pk
            if not pk:
                self.created["meetings"].append(obj.pk)
            self.tick()

    def members(self) -> None:
        fields = ("name", "work_unit", "phone", "sector", "email", "is_active")
        existing = Member.objects.in_bulk(
            [self.pk["members"][r.key] for r in self.rows("members") if r.key in self.pk["members"]]
        )
        new: list[tuple[tuple, Member]] = []
        changed: list[tuple[Member, dict, ParsedRow]] = []
        for row in self.rows("members"):
            pk = self.pk["members"].get(row.key)
            obj = existing[pk] if pk else Member(committee_id=self.pk["committees"][row.key[0]])
            before = _snapshot(obj, (*fields, "name_initials")) if pk else {}
            _set(obj, row.values, fields)
            obj.work_unit = obj.work_unit or ""
            obj.name_initials = name_initials(obj.name)  # as Member.save keeps it; .update() below does not call it
            (changed.append((obj, before, row)) if pk else new.append((row.key, obj)))
            self.tick()
        Member.objects.bulk_create([obj for _key, obj in new], batch_size=BATCH)
        _update_changed(changed, (*fields, "name_initials"))
        # A member's phone or work unit changed: the public copies of their replies are masked again
        # (what Member's post_save does in oversight.apps for a member saved one by one).
        for obj, before, _row in changed:
            if any(before.get(name) != getattr(obj, name) for name in MEMBER_DETAILS):
                refresh_member_public_texts(obj.pk)
        for key, obj in new:
            self.pk["members"][key] = obj.pk
            self.created["members"].append(obj.pk)

    def users(self) -> None:
        for row in self.rows("users"):
            v = row.values
            pk = self.pk["users"].get(row.key)
            obj = User.objects.get(pk=pk) if pk else User(username=row.key, password=make_password(None))
            obj.display_name = v.get("display_name") or ""
            obj.role = v.get("role") or Role.MEMBER
            obj.phone = v.get("phone") or ""
            obj.email = v.get("email") or ""
            obj.oversees_children = bool(v.get("oversees_children"))
            obj.is_active = True if v.get("is_active") is None else v["is_active"]
            committee = row.refs.get("committee")
            obj.committee_id = self.pk["committees"].get(committee) if committee else None
            obj.agency_id = self.pk["agencies"].get(row.refs.get("agency")) if row.refs.get("agency") else None
            obj.member_id = self.pk["members"].get(row.refs.get("member")) if row.refs.get("member") else None
            obj.is_superuser = obj.is_superuser and obj.role == Role.ADMIN
            obj.save()
            self.pk["users"][row.key] = obj.pk
            if not pk:
                self.created["users"].append(obj.pk)
            self.tick()

    # --- the proposals and what hangs on them: in bulk ---
    def proposals(self) -> None:
        rows = self.rows("proposals")
        simple = [
            "between_meetings", "title", "proposer_kind", "body_name", "body_contact", "body_contact_phone",
            "main_content", "reason", "suggestions", "status", "is_key", "key_note", "decline_note",
            "converted_to_opinion", "created_at", "submitted_at", "registered_at", "closed_at", "close_note",
            "publication_consent", "publication_refusal_reason",
        ]  # fmt: skip
        existing = Proposal.objects.in_bulk(
            [self.pk["proposals"][r.key] for r in rows if r.key in self.pk["proposals"]]
        )
        meetings = Meeting.objects.select_related("committee").in_bulk(
            {self.pk["meetings"][r.refs["meeting"]] for r in rows}
        )
        new: list[tuple[ParsedRow, Proposal]] = []
        changed: list[tuple[Proposal, dict, ParsedRow]] = []
        fields = [
            *simple, "number", "sequence", "first_proposer", "category", "decline_reason", "created_by", "search_text",
        ]  # fmt: skip
        for row in rows:
            pk = self.pk["proposals"].get(row.key)
            meeting = meetings[self.pk["meetings"][row.refs["meeting"]]]
            obj = existing[pk] if pk else Proposal(meeting=meeting)
            before = _snapshot(obj, fields) if pk else {}
            _set(obj, row.values, simple)
            obj.meeting = meeting
            obj.committee_id = meeting.committee_id
            obj.meeting_order = meeting.sort_key
            obj.number = row.values.get("number") or ""
            obj.sequence = sequence_of(meeting, obj.number) if obj.number else None
            first = row.refs.get("first_proposer")
            obj.first_proposer_id = self.pk["members"][first] if first else None
            cat = row.refs.get("category")
            obj.category_id = self.pk["categories"][cat] if cat else None
            reason = row.refs.get("decline_reason")
            obj.decline_reason_id = self.pk["decline_reasons"][reason] if reason else None
            obj.created_by_id = self.user_pk(row.refs.get("created_by"))
            if obj.created_at is None:
                obj.created_at = self.now
            obj.search_text = proposal_search_text(obj)
            (changed.append((obj, before, row)) if pk else new.append((row, obj)))
            self.tick()
        Proposal.objects.bulk_create([obj for _row, obj in new], batch_size=BATCH)
        _update_changed(changed, fields, state_fields=PROPOSAL_STATE_FIELDS)
        for row, obj in new:
            self.pk["proposals"][row.key] = obj.pk
            self.created["proposals"].append(obj.pk)
            self._proposal_events(obj)
        # bulk_create sends no post_save: the search index's own upkeep, one row at a time.
        for obj in [*(o for _r, o in new), *(o for o, b, _r in changed if b.get("search_text") != o.search_text)]:
            index_on_save(Proposal, obj)
        # Co-signers: the file's list, in its order, replaces what the proposal had.
        ids = [self.pk["proposals"][row.key] for row in rows]
        for start in range(0, len(ids), BATCH):
            ProposalCosigner.objects.filter(proposal_id__in=ids[start : start + BATCH]).delete()
        ProposalCosigner.objects.bulk_create(
            [
                ProposalCosigner(proposal_id=self.pk["proposals"][row.key], member_id=self.pk["members"][m], order=i)
                for row in rows
                for i, m in enumerate(row.refs.get("cosigners") or [])
            ],
            batch_size=BATCH,
        )
        # Suggested agencies (建议承办单位): the file's list replaces what the proposal had; a file
        # written before the column existed leaves them as they are.
        suggested_through = Proposal.suggested_agencies.through
        listed = [row for row in rows if "suggested_agencies" in row.values]
        ids = [self.pk["proposals"][row.key] for row in listed]
        for start in range(0, len(ids), BATCH):
            suggested_through.objects.filter(proposal_id__in=ids[start : start + BATCH]).delete()
        suggested_through.objects.bulk_create(
            [
                suggested_through(proposal_id=self.pk["proposals"][row.key], agency_id=self.pk["agencies"][a])
                for row in listed
                for a in row.refs.get("suggested_agencies") or []
            ],
            batch_size=BATCH,
        )
        # Registration numbers the meeting's counter must step over.
        top: dict[int, int] = defaultdict(int)
        for obj in [*(o for o, _b, _r in changed), *(o for _r, o in new)]:
            if obj.sequence:
                top[obj.meeting_id] = max(top[obj.meeting_id], obj.sequence)
        for meeting_id, sequence in top.items():
            Meeting.objects.filter(pk=meeting_id, last_sequence__lt=sequence).update(last_sequence=sequence)

    def _proposal_events(self, p: Proposal) -> None:
        self.event(p.pk, ProposalAction.FILE, p.created_at, to_state=ProposalStatus.DRAFT)
        self.event(p.pk, ProposalAction.SUBMIT, p.submitted_at, to_state=ProposalStatus.SUBMITTED)
        if p.status == ProposalStatus.NOT_REGISTERED:
            self.event(p.pk, ProposalAction.DECLINE, p.registered_at or p.submitted_at, to_state=p.status)
        else:
            self.event(p.pk, ProposalAction.REGISTER, p.registered_at, to_state=ProposalStatus.REGISTERED)
        self.event(p.pk, ConsultationAction.CLOSE, p.closed_at, to_state=ProposalStatus.CLOSED)

    def assignments(self) -> None:
        rows = self.rows("assignments")
        simple = [
            "role", "scope", "status", "round", "assigned_at", "due_date", "original_due_date",
            "accepted_at", "returned_at", "return_reason", "replied_at",
        ]  # fmt: skip
        existing = Assignment.objects.in_bulk(
            [self.pk["assignments"][r.key] for r in rows if r.key in self.pk["assignments"]]
        )
        new: list[tuple[ParsedRow, Assignment]] = []
        changed: list[tuple[Assignment, dict, ParsedRow]] = []
        fields = [*simple, "proposal", "agency", "assigned_by"]
        for row in rows:
            pk = self.pk["assignments"].get(row.key)
            obj = existing[pk] if pk else Assignment()
            before = _snapshot(obj, fields) if pk else {}
            _set(obj, row.values, simple)
            if obj.original_due_date is None:
                obj.original_due_date = obj.due_date
            obj.proposal_id = self.pk["proposals"][row.refs["proposal"]]
            obj.agency_id = self.pk["agencies"][row.refs["agency"]]
            obj.assigned_by_id = self.required_user_pk(row.refs.get("assigned_by"))
            (changed.append((obj, before, row)) if pk else new.append((row, obj)))
            self.tick()
        Assignment.objects.bulk_create([obj for _row, obj in new], batch_size=BATCH)
        _update_changed(changed, fields, state_fields=ASSIGNMENT_STATE_FIELDS)
        for row, a in new:
            self.pk["assignments"][row.key] = a.pk
            self.created["assignments"].append(a.pk)
            self.event(
                a.proposal_id,
                ProposalAction.ASSIGN,
                a.assigned_at,
                assignment_id=a.pk,
                to_state=AssignmentStatus.PENDING,
            )
            self.event(
                a.proposal_id,
                ProposalAction.ACCEPT,
                a.accepted_at,
                assignment_id=a.pk,
                to_state=AssignmentStatus.ACCEPTED,
            )
            self.event(
                a.proposal_id,
                ProposalAction.RETURN,
                a.returned_at,
                assignment_id=a.pk,
                to_state=AssignmentStatus.RETURNED,
            )
        _refresh_next_due({a.proposal_id for a in [*(o for o, _b, _r in changed), *(o for _r, o in new)]})

    def assignment_pk(self, row: ParsedRow) -> int:
        return self.pk["assignments"][row.refs["assignment"]]

    def replies(self) -> None:
        rows = self.rows("replies")
        skip = {"committee", "meeting", "number", "agency", "round", "created_by", "signed_by"}
        simple = [col.field for col in c.REPLIES.columns if col.field not in skip]
        existing = Reply.objects.in_bulk([self.pk["replies"][r.key] for r in rows if r.key in self.pk["replies"]])
        proposal_of = dict(
            Assignment.objects.filter(pk__in={self.assignment_pk(r) for r in rows}).values_list("pk", "proposal_id")
        )
        new: list[tuple[ParsedRow, Reply]] = []
        changed: list[tuple[Reply, dict, ParsedRow]] = []
        fields = [*simple, "assignment", "round", "created_by", "signed_by"]
        for row in rows:
            pk = self.pk["replies"].get(row.key)
            obj = existing[pk] if pk else Reply(created_at=self.now, updated_at=self.now)
            before = _snapshot(obj, fields) if pk else {}
            _set(obj, row.values, simple)
            obj.assignment_id = self.assignment_pk(row)
            obj.round = row.key[1]
            obj.created_by_id = self.required_user_pk(row.refs.get("created_by"))
            signed = row.refs.get("signed_by")
            obj.signed_by_id = self.user_pk(signed) if signed else None
            if obj.created_at is None:
                obj.created_at = self.now
            (changed.append((obj, before, row)) if pk else new.append((row, obj)))
            self.tick()
        Reply.objects.bulk_create([obj for _row, obj in new], batch_size=BATCH)
        # An issued reply is frozen (its PDF and SHA-256 stand for it): the file may not change it.
        _update_changed(changed, fields, frozen=lambda r, before: before.get("status") == ReplyStatus.ISSUED)
        for row, r in new:
            self.pk["replies"][row.key] = r.pk
            self.created["replies"].append(r.pk)
            if r.status == ReplyStatus.ISSUED:
                self.issued_replies.append(r.pk)
                self.event(
                    proposal_of[r.assignment_id], ReplyAction.ISSUE, r.issued_at or _noon(r.reply_date),
                    assignment_id=r.assignment_id, from_state=ReplyStatus.SUBMITTED, to_state=ReplyStatus.ISSUED,
                )  # fmt: skip
        written = Reply.objects.filter(pk__in=[r.pk for _row, r in new] + [r.pk for r, _b, _row in changed])
        # The staff search's index of reply text (kept by Reply's signals, which bulk writes skip).
        index_replies(written)
        # The public search finds an issued reply through its stored public text (not made by
        # bulk_create); the public PDF follows when the PDF task saves the reply.
        refresh_public_texts(
            written.filter(status=ReplyStatus.ISSUED).select_related("assignment__proposal__committee")
        )
        # An issued reply imported earlier whose PDF was not rendered yet (the task did not run).
        self.issued_replies.extend(
            r.pk for r, _before, _row in changed if r.status == ReplyStatus.ISSUED and not r.pdf_sha256
        )

    def consultations(self) -> None:
        rows = self.rows("consultations")
        skip = {"committee", "meeting", "number", "agency", "round", "member", "member_unit", "created_by"}
        simple = [col.field for col in c.CONSULTATIONS.columns if col.field not in skip]
        existing = Consultation.objects.in_bulk(
            [self.pk["consultations"][r.key] for r in rows if r.key in self.pk["consultations"]]
        )
        assignments = Assignment.objects.select_related("proposal", "agency").in_bulk(
            {self.assignment_pk(r) for r in rows}
        )
        reply_of = {
            (aid, rnd): (pk, version)
            for aid, rnd, pk, version in Reply.objects.filter(assignment__in=list(assignments)).values_list(
                "assignment_id", "round", "pk", "version"
            )
        }
        members = Member.objects.in_bulk({self.pk["members"][r.refs["member"]] for r in rows})
        new: list[tuple[ParsedRow, Consultation]] = []
        changed: list[tuple[Consultation, dict, ParsedRow]] = []
        fields = [
            *simple, "assignment", "round", "member", "agency_name", "proposal_number", "member_name", "work_unit",
            "reply", "reply_version", "created_by", "entered_by", "content_sha256",
        ]  # fmt: skip
        for row in rows:
            pk = self.pk["consultations"].get(row.key)
            obj = existing[pk] if pk else Consultation(created_at=self.now, updated_at=self.now)
            before = _snapshot(obj, fields) if pk else {}
            _set(obj, row.values, simple)
            a = assignments[self.assignment_pk(row)]
            member = members[self.pk["members"][row.refs["member"]]]
            obj.assignment_id, obj.round, obj.member_id = a.pk, row.key[1], member.pk
            obj.agency_name, obj.proposal_number = a.agency.name, a.proposal.number
            obj.member_name, obj.work_unit = member.name, member.work_unit
            obj.reply_id, obj.reply_version = reply_of.get((a.pk, obj.round), (None, None))
            obj.created_by_id = self.required_user_pk(row.refs.get("created_by"))
            if obj.created_at is None:
                obj.created_at = self.now
            if obj.status == ConsultationStatus.SIGNED and before.get("status") != ConsultationStatus.SIGNED:
                obj.entered_by_id = obj.created_by_id
                obj.content_sha256 = content_hash(obj)
            (changed.append((obj, before, row)) if pk else new.append((row, obj)))
            self.tick()
        Consultation.objects.bulk_create([obj for _row, obj in new], batch_size=BATCH)
        # A signed record is locked: what the member signed stays as it is.
        signed = ConsultationStatus.SIGNED
        _update_changed(changed, fields, frozen=lambda r, before: before.get("status") == signed)
        # The staff search's index of record text (kept by Consultation's signals, which bulk writes skip).
        index_consultations(
            Consultation.objects.filter(pk__in=[o.pk for _row, o in new] + [o.pk for o, _b, _row in changed])
        )
        for row, obj in new:
            self.pk["consultations"][row.key] = obj.pk
            self.created["consultations"].append(obj.pk)
            proposal_id = assignments[obj.assignment_id].proposal_id
            is_signed = obj.status == ConsultationStatus.SIGNED
            action = ConsultationAction.SIGN_PAPER if is_signed else ConsultationAction.RECORD
            at = obj.signed_at if is_signed else obj.held_at
            self.event(proposal_id, action, at, assignment_id=obj.assignment_id)

    def ratings(self) -> None:
        rows = self.rows("ratings")
        existing = Rating.objects.in_bulk([self.pk["ratings"][r.key] for r in rows if r.key in self.pk["ratings"]])
        proposal_of = dict(
            Assignment.objects.filter(pk__in={self.assignment_pk(r) for r in rows}).values_list("pk", "proposal_id")
        )
        new: list[tuple[ParsedRow, Rating]] = []
        changed: list[tuple[Rating, dict, ParsedRow]] = []
        fields = ["value", "attitude", "result", "contact_method", "comment", "on_behalf", "created_at", "entered_by"]
        for row in rows:
            pk = self.pk["ratings"].get(row.key)
            obj = existing[pk] if pk else Rating(created_at=self.now, updated_at=self.now)
            before = _snapshot(obj, fields) if pk else {}
            _set(obj, row.values, [name for name in fields if name != "entered_by"])
            obj.assignment_id, obj.round = self.assignment_pk(row), row.key[1]
            obj.member_id = self.pk["members"][row.refs["member"]]
            obj.entered_by_id = self.required_user_pk(row.refs.get("entered_by"))
            if obj.created_at is None:
                obj.created_at = self.now
            (changed.append((obj, before, row)) if pk else new.append((row, obj)))
            self.tick()
        Rating.objects.bulk_create([obj for _row, obj in new], batch_size=BATCH)
        _update_changed(changed, fields)
        for row, obj in new:
            self.pk["ratings"][row.key] = obj.pk
            self.created["ratings"].append(obj.pk)
            self.event(
                proposal_of[obj.assignment_id], ConsultationAction.RATE, obj.created_at, assignment_id=obj.assignment_id
            )


def _snapshot(obj: Model, names: Iterable[str]) -> dict[str, Any]:
    """The values of these fields (by name) as the record holds them now."""
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in names}  # type: ignore[union-attr]


def _update_changed(
    items: list[tuple[Any, dict[str, Any], ParsedRow]],
    names: Iterable[str],
    *,
    frozen: Callable[[Any, dict[str, Any]], bool] | None = None,
    state_fields: Iterable[str] = (),
) -> int:
    """Write only what the file changes, one row at a time: a re-import of the same file writes
    nothing, and Django's ``bulk_update`` (a CASE per field and row) took minutes for 10,000 rows.
    A change to a frozen record (``frozen(obj, before)``), or to one of ``state_fields`` of a row
    the system has, refuses the whole import."""
    names = list(names)
    state = set(state_fields)
    written = 0
    for obj, before, row in items:
        after = _snapshot(obj, names)
        changed = [name for name in names if _comparable(after[name]) != _comparable(before.get(name))]
        if not changed:
            continue
        diff = {obj._meta.get_field(name).attname: after[name] for name in changed}
        if frozen is not None and frozen(obj, before):
            raise WorkbookRefused(str(FROZEN_CHANGED) % {"sheet": _sheet_title(type(obj)), "row": row.row})
        if moved := [name for name in changed if name in state]:
            columns = "、".join(str(obj._meta.get_field(name).verbose_name) for name in moved)
            raise WorkbookRefused(
                str(STATE_CHANGED) % {"sheet": _sheet_title(type(obj)), "row": row.row, "columns": columns}
            )
        type(obj)._base_manager.filter(pk=obj.pk).update(**diff)
        written += 1
    return written


def _comparable(value: Any) -> Any:
    # The workbook holds times to the second: a time that differs only below it is the same time.
    return _second(value) if isinstance(value, dt.datetime) else value


def _sheet_title(model: type) -> str:
    titles: dict[type, c.Sheet] = {Consultation: c.CONSULTATIONS, Proposal: c.PROPOSALS, Assignment: c.ASSIGNMENTS}
    return str(titles.get(model, c.REPLIES).title)


def _refresh_next_due(proposal_ids: Iterable[int]) -> None:
    """``Proposal.next_due`` of the imported proposals: the earliest due date of their live
    assignments (``Assignment.objects.live()``, the rule ``refresh_next_due`` applies one proposal at
    a time), set with one statement per distinct date instead of two queries per proposal."""
    ids = list(proposal_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        due = dict(
            Assignment.objects.live()
            .filter(proposal_id__in=chunk)
            .order_by()
            .values("proposal_id")
            .annotate(first=Min("due_date"))
            .values_list("proposal_id", "first")
        )
        current = dict(Proposal.objects.filter(pk__in=chunk).values_list("pk", "next_due"))
        by_date: dict[dt.date | None, list[int]] = defaultdict(list)
        for pk in chunk:
            if current.get(pk) != due.get(pk):
                by_date[due.get(pk)].append(pk)
        for day, pks in by_date.items():
            Proposal.objects.filter(pk__in=pks).update(next_due=day)


def _noon(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@dataclass
class ImportResult:
    plan: Plan
    committed: bool = False
    created: dict[str, int] = field(default_factory=dict)
    events: int = 0
    issued_replies: list[int] = field(default_factory=list)


def workbook_import(
    *,
    source: IO[bytes] | bytes,
    actor: User | None,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Check the workbook and, unless ``dry_run`` or a row has a problem, write it all in one
    transaction. Raises ``WorkbookRefused`` for a file that cannot be read as a whole."""
    plan = check_workbook(source, actor=actor)
    result = ImportResult(plan=plan)
    if dry_run or not plan.ok:
        return result
    with transaction.atomic():
        outcome = _Writer(plan, actor, progress).run()
        record_event(
            event="import",
            user=actor,
            detail="workbook import "
            + " ".join(f"{count.code}={count.create}+{count.update}" for count in plan.counts)
            + f" events={outcome['events']}",
        )
    result.committed = True
    result.created = outcome["created"]
    result.events = outcome["events"]
    result.issued_replies = outcome["issued_replies"]
    return result


def store_issued_pdfs(reply_ids: Iterable[int]) -> int:
    """Render and store the frozen PDF (with its SHA-256) of imported issued replies that have none:
    the letter as issued, from the imported text, dated with its real 成文日期."""
    from django.core.files.base import ContentFile

    from audit.details import digest_field
    from documents.render import sha256_hex
    from replies.pdf import render_reply_context, reply_context

    stored = 0
    for reply in Reply.objects.filter(pk__in=list(reply_ids), status=ReplyStatus.ISSUED, pdf="").select_related(
        "assignment__agency", "assignment__proposal__meeting", "assignment__proposal__committee"
    ):
        pdf = render_reply_context(reply_context(reply, draft=False))
        with transaction.atomic():
            locked = Reply.objects.select_for_update().get(pk=reply.pk)
            if locked.pdf:
                continue
            proposal = reply.assignment.proposal
            name = f"{proposal.number or proposal.pk}-{reply.assignment.agency_id}-r{reply.round}-{reply.pk}.pdf"
            locked.pdf_sha256 = sha256_hex(pdf)
            locked.pdf.save(name, ContentFile(pdf), save=False)
            locked.save(update_fields=["pdf", "pdf_sha256"])
            record_event(
                event="transition",
                user=None,
                obj=locked,
                detail=f"reply_issue imported {digest_field('pdf_sha256', locked.pdf_sha256)}",
            )
        stored += 1
    return stored
