"""Excel export of the (filtered, visible) proposal list."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from common.spreadsheets import safe_row

from .models import Proposal

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_columns() -> list[str]:
    return [_("编号"), _("标题"), _("提案人"), _("承办单位"), _("交办日期"), _("办理时限"), _("状态")]


def _agencies(proposal: Proposal, tz) -> tuple[str, str, str]:
    """承办单位 (with the role), the first assignment date and the due dates, of live assignments."""
    live = list(proposal.live_assignments)  # type: ignore[attr-defined]  # Prefetch to_attr (prefetch_live_assignments)
    agencies = "；".join(f"{a.agency.name}（{a.role_label}{'：' + a.scope if a.scope else ''}）" for a in live)
    assigned = min((timezone.localtime(a.assigned_at, tz).date() for a in live), default=None)
    dues = "；".join(sorted({f"{a.due_date:%Y-%m-%d}" for a in live}))
    return agencies, f"{assigned:%Y-%m-%d}" if assigned else "", dues


def proposals_xlsx(proposals: Iterable[Proposal]) -> bytes:
    """The rows need ``live_assignments`` prefetched (``selectors.proposal_export_rows``)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("提案"))
    for index, width in enumerate([10, 50, 16, 40, 12, 12, 10], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(safe_row(export_columns()))
    tz = timezone.get_current_timezone()
    for proposal in proposals:
        agencies, assigned, dues = _agencies(proposal, tz)
        # Every text through safe_row: titles, names and scopes are typed by users.
        sheet.append(
            safe_row(
                [
                    proposal.number,
                    proposal.title,
                    proposal.proposer_display,
                    agencies,
                    assigned,
                    dues,
                    proposal.status_label,
                ]
            )
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
