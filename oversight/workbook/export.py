"""A committee's data (every committee's when none is named) as one workbook, one sheet a kind of
record in the order of ``columns.SHEETS``; ``template_workbook`` is the same sheets without rows.

Written in openpyxl's write-only mode, row by row, so a large committee does not sit in memory as a
tree of cells. Row 1 holds the headers, row 2 what to write in each column; data starts in row 3.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Q
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from consultations.models import Consultation, Rating
from proposals.models import (
    Agency,
    Assignment,
    Category,
    Committee,
    CommitteeReplyClass,
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    User,
)
from replies.models import Reply

from . import columns as c
from .cells import to_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HELP_FONT = Font(italic=True, color="666666", size=9)
WRAP = Alignment(wrap_text=True, vertical="top")
CHUNK = 2000

Row = dict[str, Any]


def member_label(name: str, work_unit: str) -> str:
    """A member in a list cell (联名提案人): the work unit in brackets tells namesakes apart."""
    return f"{name}（{work_unit}）" if work_unit else name


def _meeting_code(meeting: Meeting) -> str:
    return meeting.code


def _username(user: User | None) -> str:
    return user.username if user is not None else ""


def _committee_rows(committees: list[Committee]) -> Iterator[Row]:
    for committee in committees:
        row: Row = {col.field: getattr(committee, col.field, None) for col in c.COMMITTEES.columns}
        row["parent"] = committee.parent.name if committee.parent is not None else ""
        yield row


def _simple(model, committees: list[Committee], sheet: c.Sheet) -> Iterator[Row]:
    names = {committee.pk: committee.name for committee in committees}
    fields = [col.field for col in sheet.columns if col.field != "committee"]
    for values in (
        model.objects.filter(committee__in=committees).order_by("committee_id", "pk").values("committee_id", *fields)
    ):
        values["committee"] = names[values.pop("committee_id")]
        yield values


def _meeting_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    rows = _simple(Meeting, committees, c.MEETINGS)
    for row in rows:
        if meeting is None or (row["term"], row["session"]) == (meeting.term, meeting.session):
            yield row


def _user_rows(committees: list[Committee]) -> Iterator[Row]:
    # With the administrators of every committee (no committee of their own), who may have acted.
    users = (
        User.objects.filter(Q(committee__in=committees) | Q(committee__isnull=True))
        .select_related("committee", "agency", "member")
        .order_by("pk")
    )
    for user in users:
        yield {
            "committee": user.committee.name if user.committee_id else "",
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "agency": user.agency.name if user.agency_id else "",
            "member": user.member.name if user.member_id else "",
            "member_unit": user.member.work_unit if user.member_id else "",
            "phone": user.phone,
            "email": user.email,
            "oversees_children": user.oversees_children,
            "is_active": user.is_active,
        }


def _proposals(committees: list[Committee], meeting: Meeting | None):
    qs = Proposal.objects.filter(committee__in=committees)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    return qs


def _proposal_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    qs = (
        _proposals(committees, meeting)
        .select_related("committee", "meeting", "first_proposer", "category", "decline_reason", "created_by")
        .order_by("committee_id", "meeting_id", "sequence", "pk")
    )
    for chunk in _chunks(qs):
        cosigners: dict[int, list[str]] = defaultdict(list)
        for pid, name, unit in (
            ProposalCosigner.objects.filter(proposal__in=[p.pk for p in chunk])
            .order_by("proposal_id", "order", "id")
            .values_list("proposal_id", "member__name", "member__work_unit")
        ):
            cosigners[pid].append(member_label(name, unit))
        suggested: dict[int, list[str]] = defaultdict(list)
        for pid, name in (
            Proposal.suggested_agencies.through.objects.filter(proposal__in=[p.pk for p in chunk])
            .order_by("proposal_id", "agency__name")
            .values_list("proposal_id", "agency__name")
        ):
            suggested[pid].append(name)
        for p in chunk:
            yield {
                "committee": p.committee.name,
                "meeting": _meeting_code(p.meeting),
                "number": p.number,
                "between_meetings": p.between_meetings,
                "title": p.title,
                "proposer_kind": p.proposer_kind,
                "first_proposer": p.first_proposer.name if p.first_proposer_id else "",
                "first_proposer_unit": p.first_proposer.work_unit if p.first_proposer_id else "",
                "cosigners": c.LIST_SEPARATOR.join(cosigners.get(p.pk, [])),
                "body_name": p.body_name,
                "body_contact": p.body_contact,
                "body_contact_phone": p.body_contact_phone,
                "category": p.category.name if p.category_id else "",
                "main_content": p.main_content,
                "reason": p.reason,
                "suggestions": p.suggestions,
                "suggested_agencies": c.LIST_SEPARATOR.join(suggested.get(p.pk, [])),
                "publication_consent": p.publication_consent,
                "publication_refusal_reason": p.publication_refusal_reason,
                "status": p.status,
                "is_key": p.is_key,
                "key_note": p.key_note,
                "decline_reason": p.decline_reason.text if p.decline_reason_id else "",
                "decline_note": p.decline_note,
                "converted_to_opinion": p.converted_to_opinion,
                "created_by": _username(p.created_by),
                "created_at": p.created_at,
                "submitted_at": p.submitted_at,
                "registered_at": p.registered_at,
                "closed_at": p.closed_at,
                "close_note": p.close_note,
            }


def _chunks(qs) -> Iterator[list]:
    """A large queryset a few thousand rows at a time (by primary key), each chunk one list."""
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        by_pk = {obj.pk: obj for obj in qs.model.objects.filter(pk__in=part).select_related(*_related(qs))}
        yield [by_pk[pk] for pk in part]


def _related(qs) -> list[str]:
    related = qs.query.select_related
    out: list[str] = []

    def walk(tree: Any, prefix: str) -> None:
        if isinstance(tree, dict):
            for key, sub in tree.items():
                out.append(prefix + key)
                walk(sub, prefix + key + "__")

    walk(related, "")
    return out


def _where(assignment: Assignment) -> Row:
    proposal = assignment.proposal
    return {
        "committee": proposal.committee.name,
        "meeting": _meeting_code(proposal.meeting),
        "number": proposal.number,
        "agency": assignment.agency.name,
    }


_ASSIGNMENT_RELATED = ("proposal__committee", "proposal__meeting", "agency")


def _assignment_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    qs = (
        Assignment.objects.filter(proposal__in=_proposals(committees, meeting))
        .select_related(*_ASSIGNMENT_RELATED, "assigned_by")
        .order_by("proposal_id", "assigned_at", "pk")
    )
    for chunk in _chunks(qs):
        for a in chunk:
            yield {
                **_where(a),
                "role": a.role,
                "scope": a.scope,
                "status": a.status,
                "round": a.round,
                "assigned_at": a.assigned_at,
                "assigned_by": _username(a.assigned_by),
                "due_date": a.due_date,
                "original_due_date": a.original_due_date,
                "accepted_at": a.accepted_at,
                "returned_at": a.returned_at,
                "return_reason": a.return_reason,
                "replied_at": a.replied_at,
            }


_REPLY_FIELDS = [
    col.field
    for col in c.REPLIES.columns
    if col.field not in ("committee", "meeting", "number", "agency", "created_by", "signed_by")
]


def _reply_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    qs = (
        Reply.objects.filter(assignment__proposal__in=_proposals(committees, meeting))
        .select_related(*(f"assignment__{r}" for r in _ASSIGNMENT_RELATED), "created_by", "signed_by")
        .order_by("assignment_id", "round", "pk")
    )
    for chunk in _chunks(qs):
        for r in chunk:
            row = _where(r.assignment)
            row.update({name: getattr(r, name) for name in _REPLY_FIELDS})
            row["created_by"] = _username(r.created_by)
            row["signed_by"] = _username(r.signed_by)
            yield row


def _consultation_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    qs = (
        Consultation.objects.filter(assignment__proposal__in=_proposals(committees, meeting))
        .select_related(*(f"assignment__{r}" for r in _ASSIGNMENT_RELATED), "member", "created_by")
        .order_by("assignment_id", "round", "pk")
    )
    skip = {"committee", "meeting", "number", "agency", "member", "member_unit", "created_by"}
    fields = [col.field for col in c.CONSULTATIONS.columns if col.field not in skip]
    for chunk in _chunks(qs):
        for r in chunk:
            row = _where(r.assignment)
            row.update({name: getattr(r, name) for name in fields})
            row.update(member=r.member.name, member_unit=r.member.work_unit, created_by=_username(r.created_by))
            yield row


def _rating_rows(committees: list[Committee], meeting: Meeting | None) -> Iterator[Row]:
    qs = (
        Rating.objects.filter(assignment__proposal__in=_proposals(committees, meeting))
        .select_related(*(f"assignment__{r}" for r in _ASSIGNMENT_RELATED), "member", "entered_by")
        .order_by("assignment_id", "round", "pk")
    )
    for chunk in _chunks(qs):
        for r in chunk:
            row = _where(r.assignment)
            row.update(
                round=r.round,
                member=r.member.name,
                member_unit=r.member.work_unit,
                value=r.value,
                attitude=r.attitude,
                result=r.result,
                contact_method=r.contact_method,
                comment=r.comment,
                entered_by=_username(r.entered_by),
                on_behalf=r.on_behalf,
                created_at=r.created_at,
            )
            yield row


def sheet_rows(sheet: c.Sheet, committees: list[Committee], meeting: Meeting | None) -> Iterable[Row]:
    """The rows of one sheet for these committees (and, for the proposals' sheets, this meeting)."""
    if sheet is c.COMMITTEES:
        return _committee_rows(committees)
    if sheet is c.REPLY_CLASSES:
        return _simple(CommitteeReplyClass, committees, sheet)
    if sheet is c.CATEGORIES:
        return _simple(Category, committees, sheet)
    if sheet is c.DECLINE_REASONS:
        return _simple(DeclineReason, committees, sheet)
    if sheet is c.MEETINGS:
        return _meeting_rows(committees, meeting)
    if sheet is c.AGENCIES:
        return _simple(Agency, committees, sheet)
    if sheet is c.MEMBERS:
        return _simple(Member, committees, sheet)
    if sheet is c.USERS:
        return _user_rows(committees)
    if sheet is c.PROPOSALS:
        return _proposal_rows(committees, meeting)
    if sheet is c.ASSIGNMENTS:
        return _assignment_rows(committees, meeting)
    if sheet is c.REPLIES:
        return _reply_rows(committees, meeting)
    if sheet is c.CONSULTATIONS:
        return _consultation_rows(committees, meeting)
    if sheet is c.RATINGS:
        return _rating_rows(committees, meeting)
    raise KeyError(sheet.code)


def _heading(ws, sheet: c.Sheet) -> None:
    headers, helps = [], []
    for i, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if column.max_length is None else 18
        cell = WriteOnlyCell(ws, value=str(column.header))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        headers.append(cell)
        note = WriteOnlyCell(ws, value=column.help_text())
        note.font = HELP_FONT
        note.alignment = WRAP
        helps.append(note)
    ws.freeze_panes = f"A{c.FIRST_DATA_ROW}"
    ws.append(headers)
    ws.append(helps)


def _write(out: IO[bytes], sheets: Iterable[c.Sheet], rows_of) -> dict[str, int]:
    counts: dict[str, int] = {}
    with translation.override("zh-hans"):
        wb = Workbook(write_only=True)
        for sheet in sheets:
            ws = wb.create_sheet(str(sheet.title))
            _heading(ws, sheet)
            n = 0
            for row in rows_of(sheet):
                ws.append([to_cell(column, row.get(column.field)) for column in sheet.columns])
                n += 1
            counts[sheet.code] = n
        wb.save(out)
    return counts


def export_workbook(
    out: IO[bytes], *, committees: list[Committee], meeting: Meeting | None = None, reference: bool = True
) -> dict[str, int]:
    """Write the committees' workbook to ``out``; returns the rows written per sheet. Without
    ``reference`` the administrator's sheets (committee rules, users) are left out."""
    sheets = [sheet for sheet in c.SHEETS if reference or not sheet.admin_only]
    return _write(out, sheets, lambda sheet: sheet_rows(sheet, committees, meeting))


def template_workbook(out: IO[bytes], *, reference: bool = True) -> None:
    """The empty workbook to fill in: every sheet with its headers and explanations."""
    sheets = [sheet for sheet in c.SHEETS if reference or not sheet.admin_only]
    _write(out, sheets, lambda sheet: ())
