"""Excel export of the (filtered, visible) proposal list.

The columns are ``EXPORT_COLUMNS``, in that order (issue 20, item 5). 联名人 has its own column
after 提案人: 提案人 is the first proposer (or the body, for a body's proposal), 联名人 the co-signers
in their order, so a joint proposal's people can be counted and sorted in the sheet. No phone, no
work unit: the export is read and passed around far beyond the staff who may see them.

The reply columns (答复日期, 答复类别) and 满意度 live in apps above this one (replies,
consultations), which this app must not import. They offer a *filler* in ``EXPORT_FILLERS`` from
their ``AppConfig.ready``: one function that reads its columns for a batch of rows in one query.

A meeting is thousands of rows: the rows are read ``BATCH_SIZE`` at a time with their assignments
and co-signers prefetched (a fixed number of queries per batch, whatever is in it), written to a
write-only workbook (rows are not kept in memory), and the file is handed to the response from a
temporary file, not built in memory a second time.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from common.spreadsheets import safe_row

from . import deadlines
from .choices import ANSWERING_ROLES, AssignmentRole, ProposalStatus, ProposerKind
from .models import Assignment, Meeting, Member, ProposalCosigner, choice_label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .models import User

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH_SIZE = 2000
SEPARATOR = "；"


@dataclass(frozen=True)
class Column:
    code: str
    header: StrOrPromise
    width: int


# The export's columns, in order. Tests compare the header row with these headers.
EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("meeting", gettext_lazy("会议"), 14),
    Column("number", gettext_lazy("编号"), 10),
    Column("title", gettext_lazy("标题"), 50),
    Column("proposer", gettext_lazy("提案人"), 16),
    Column("cosigners", gettext_lazy("联名人"), 24),
    Column("sector", gettext_lazy("界别"), 14),
    Column("category", gettext_lazy("类别"), 12),
    Column("agencies", gettext_lazy("承办单位"), 48),
    Column("assigned", gettext_lazy("交办日期"), 12),
    Column("due", gettext_lazy("办理时限"), 12),
    Column("replied", gettext_lazy("答复日期"), 12),
    Column("reply_class", gettext_lazy("答复类别"), 10),
    Column("satisfaction", gettext_lazy("满意度"), 10),
    Column("status", gettext_lazy("状态"), 10),
    Column("merged_into", gettext_lazy("并入提案"), 10),
    Column("is_key", gettext_lazy("是否重点"), 8),
    Column("overdue", gettext_lazy("是否超期"), 8),
)

# ``filler(user, rows)`` -> {proposal id: {column code: text}} for the columns it knows, read in a
# fixed number of queries for the whole batch of ``ExportRow``. Registered by the apps above this one.
Filler = Callable[["User", list["ExportRow"]], dict[int, dict[str, str]]]
EXPORT_FILLERS: list[Filler] = []


def register_export_filler(filler: Filler) -> None:
    if filler not in EXPORT_FILLERS:
        EXPORT_FILLERS.append(filler)


def export_columns() -> list[str]:
    """The header row, in the active language."""
    return [str(c.header) for c in EXPORT_COLUMNS]


@dataclass(frozen=True)
class ExportAssignment:
    """A live assignment of an exported row: what the columns and the fillers read of it."""

    pk: int
    agency_name: str
    role: str
    scope: str
    status: str
    assigned_at: dt.datetime
    due_date: dt.date


@dataclass
class ExportRow:
    """One proposal of the export: its ``selectors.proposal_export_rows`` values, its live
    assignments (lead, split, then co-handlers) and its co-signers' (name, 界别), in their order."""

    values: Any  # the named row of selectors.EXPORT_FIELDS
    assignments: list[ExportAssignment] = field(default_factory=list)
    cosigners: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.values.pk


ROLE_ORDER: dict[str, int] = {AssignmentRole.LEAD: 0, AssignmentRole.SPLIT: 1, AssignmentRole.CO: 2}


def _read_batch(values: list[Any]) -> list[ExportRow]:
    """The batch's rows with their assignments and co-signers: three queries, whatever the size."""
    rows = {v.pk: ExportRow(v) for v in values}
    ids = list(rows)
    assignments = (
        Assignment.objects.live()
        .filter(proposal_id__in=ids)
        .order_by("id")
        .values_list("proposal_id", "pk", "agency__name", "role", "scope", "status", "assigned_at", "due_date")
    )
    for proposal_id, *fields in assignments:
        rows[proposal_id].assignments.append(ExportAssignment(*fields))
    for row in rows.values():
        row.assignments.sort(key=lambda a: ROLE_ORDER.get(a.role, len(ROLE_ORDER)))
    # The members in a query of their own: joined to the co-signers, SQLite probed the co-signer
    # index once per member for every proposal of the batch (0.5 s for 2,000 proposals).
    cosigners = list(
        ProposalCosigner.objects.filter(proposal_id__in=ids)
        .order_by("order", "id")
        .values_list("proposal_id", "member_id")
    )
    members = dict(
        (pk, (name, sector))
        for pk, name, sector in Member.objects.filter(pk__in={m for _p, m in cosigners}).values_list(
            "pk", "name", "sector"
        )
    )
    for proposal_id, member_id in cosigners:
        rows[proposal_id].cosigners.append(members[member_id])
    return list(rows.values())


def answering_assignments(row: ExportRow) -> list[ExportAssignment]:
    """The live lead and split assignments of a row (they answer the member), in the row's order."""
    return [a for a in row.assignments if a.role in ANSWERING_ROLES]


def per_assignment(values: list[tuple[ExportAssignment, str]]) -> str:
    """One text for a row from one value ("" for none) per answering assignment: the value alone
    when the proposal has one answering agency, else ``机构：值`` for each agency that has a value
    (split answers)."""
    if len(values) == 1:
        return values[0][1]
    return SEPARATOR.join(f"{a.agency_name}：{text}" for a, text in values if text)


def iso(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


class _Labels:
    """The labels of one export, translated once rather than once per row."""

    def __init__(self) -> None:
        self.yes, self.no = _("是"), _("否")
        self.unnumbered = _("未编号")
        self.status = {value: str(choice_label(ProposalStatus, value)) for value in ProposalStatus.values}
        self.role = {value: str(choice_label(AssignmentRole, value)) for value in AssignmentRole.values}
        self.meetings: dict[tuple[int, int], str] = {}

    def meeting(self, term: int, session: int) -> str:
        if (term, session) not in self.meetings:
            self.meetings[term, session] = Meeting(term=term, session=session).display_name
        return self.meetings[term, session]


def _own_columns(row: ExportRow, labels: _Labels, tz: Any, today: dt.date) -> dict[str, Any]:
    v = row.values
    live = row.assignments
    body = v.proposer_kind == ProposerKind.BODY
    people = [(v.first_proposer__name, v.first_proposer__sector)] if not body and v.first_proposer__name else []
    people += row.cosigners
    assigned = min((timezone.localtime(a.assigned_at, tz).date() for a in live), default=None)
    return {
        "meeting": labels.meeting(v.meeting__term, v.meeting__session),
        "number": v.number,
        "title": v.title,
        "proposer": v.body_name if body else (v.first_proposer__name or ""),
        "cosigners": "、".join(name for name, _sector in row.cosigners),
        "sector": "、".join(dict.fromkeys(sector for _name, sector in people if sector)),
        "category": v.category__name or "",
        "agencies": SEPARATOR.join(
            f"{a.agency_name}（{labels.role.get(a.role, a.role)}{'：' + a.scope if a.scope else ''}）" for a in live
        ),
        "assigned": iso(assigned),
        "due": SEPARATOR.join(sorted({iso(a.due_date) for a in live})),
        "status": labels.status.get(v.status, v.status),
        # 并案: the lead's number (its agencies, dates and reply are the group's, on the lead's row).
        "merged_into": (v.merged_into__number or labels.unnumbered) if v.merged_into__number is not None else "",
        "is_key": labels.yes if v.is_key else labels.no,
        # deadlines.is_overdue reads the assignment's status and due date only.
        "overdue": labels.yes if any(deadlines.is_overdue(a, today) for a in live) else labels.no,  # type: ignore[arg-type]
    }


def _batches(values: Iterable[Any]) -> Iterator[list[ExportRow]]:
    batch: list[Any] = []
    for v in values:
        batch.append(v)
        if len(batch) >= BATCH_SIZE:
            yield _read_batch(batch)
            batch = []
    if batch:
        yield _read_batch(batch)


def write_proposals_xlsx(user: User, proposals: Iterable[Any], out: IO[bytes]) -> int:
    """Write the export of ``proposals`` (the named rows of ``selectors.proposal_export_rows``) into
    ``out``; returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("提案"))
    for index, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append(safe_row(export_columns()))
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    labels = _Labels()
    codes = [c.code for c in EXPORT_COLUMNS]
    written = 0
    for batch in _batches(proposals):
        filled: dict[int, dict[str, str]] = {}
        for filler in EXPORT_FILLERS:
            for pk, values in filler(user, batch).items():
                filled.setdefault(pk, {}).update(values)
        for proposal in batch:
            values = {**filled.get(proposal.pk, {}), **_own_columns(proposal, labels, tz, today)}
            # Every text through safe_row: titles, names and scopes are typed by users.
            # An empty cell as None: openpyxl then writes nothing for it.
            sheet.append(safe_row(values.get(code) or None for code in codes))
        written += len(batch)
    workbook.save(out)
    return written


def proposals_xlsx_file(user: User, proposals: Iterable[Any]) -> tuple[IO[bytes], int]:
    """The export as an open temporary file positioned at its start (the response streams and
    closes it), and its row count."""
    out = tempfile.TemporaryFile()  # closed by the response that sends it
    try:
        rows = write_proposals_xlsx(user, proposals, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, rows
