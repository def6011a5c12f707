"""The statistics of a meeting as an Excel workbook: one sheet per figure, and the scorecard.

Each figure's sheet gives the parts of the ratio as numbers and the ratio as an Excel formula over
them, with the definition beside it, so the workbook can be recounted and re-used. Every other
cell is written through ``safe_row``: agency names are typed by users and must stay text.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.spreadsheets import safe_row
from consultations.models import ContactMethod, Satisfaction

from .stats import FORMULAS, MeetingStats, Ratio

BOLD = Font(bold=True)


def _ratio_rows(ws, title: str, formula: str, rows: list[tuple[str, Ratio]], num_label: str, den_label: str) -> None:
    ws.append(safe_row([title]))
    ws["A1"].font = BOLD
    ws.append(safe_row([formula]))
    ws.append([])
    ws.append(safe_row([_("项目"), num_label, den_label, _("比率")]))
    for cell in ws[4]:
        cell.font = BOLD
    for label, ratio in rows:
        ws.append(safe_row([label, ratio.numerator, ratio.denominator]))
        r = ws.max_row
        # The one formula of the workbooks, written by us: not through safe_row (common.spreadsheets).
        ws.cell(row=r, column=4, value=f"=IF(C{r}=0,0,B{r}/C{r})").number_format = "0.0%"
    _widths(ws)


def _widths(ws) -> None:
    for i, width in enumerate([28, 14, 14, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def scorecard_sheet(ws, stats: MeetingStats, classes: list[str]) -> None:
    ws.append(safe_row([_("%(meeting)s 承办单位办理情况") % {"meeting": stats.meeting.display_name}]))
    ws["A1"].font = BOLD
    ws.append(safe_row([str(FORMULAS["scorecard"])]))
    ws.append([])
    header = [
        _("承办单位"),
        _("交办数"),
        _("退回"),
        _("应答复"),
        _("已答复"),
        _("按时答复"),
        _("超期"),
        _("答复前面商"),
        _("催办"),
        *[_("%(c)s 类") % {"c": c} for c in classes],
        _("满意"),
        _("基本满意"),
        _("不满意"),
        _("已测评"),
        _("按时办复率"),
        _("满意率"),
    ]
    # A committee rating on two scores: their counts after the columns every committee has.
    two_scores = stats.two_scores
    if two_scores:
        header += [
            *[_("办理态度：%(s)s") % {"s": label} for label in Satisfaction.labels],
            *[_("办理结果：%(s)s") % {"s": label} for label in Satisfaction.labels],
            *[str(label) for label in ContactMethod.labels],
            _("办理态度满意率"),
            _("办理结果满意率"),
        ]
    ws.append(safe_row(header))
    for cell in ws[4]:
        cell.font = BOLD
    rows = [(row.agency.name, row.tally) for row in stats.agencies] + [(_("合计"), stats.totals)]
    for name, t in rows:
        extra = (
            [
                *[t.attitudes[v] for v in Satisfaction.values],
                *[t.results[v] for v in Satisfaction.values],
                *[t.contacts[v] for v in ContactMethod.values],
                t.attitude_rate.value,
                t.result_rate.value,
            ]
            if two_scores
            else []
        )
        ws.append(
            safe_row(
                [
                    name,
                    t.assigned,
                    t.returned,
                    t.answering,
                    t.replied,
                    t.on_time,
                    t.overdue,
                    t.consulted_before_reply,
                    t.urged,
                    *[t.classes[c] for c in classes],
                    t.ratings["satisfied"],
                    t.ratings["basic"],
                    t.ratings["unsatisfied"],
                    t.rated,
                    t.on_time_rate.value,
                    t.satisfaction_rate.value,
                    *extra,
                ]
            )
        )
        percent_columns = [len(header) - len(extra) - 1, len(header) - len(extra)]
        if two_scores:
            percent_columns += [len(header) - 1, len(header)]
        for col in percent_columns:
            ws.cell(row=ws.max_row, column=col).number_format = "0.0%"
    _widths(ws)


def workbook(stats: MeetingStats, classes: list[str], *, scorecard_only: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one (and active) sheet; wb.active is typed Optional
    if scorecard_only:
        ws.title = _("承办单位")
        scorecard_sheet(ws, stats, classes)
    else:
        t = stats.totals
        ws.title = _("立案率")
        _ratio_rows(
            ws,
            _("立案率"),
            str(FORMULAS["registration_rate"]),
            [(_("立案率"), stats.registration_rate)],
            _("立案数"),
            _("提交审查数"),
        )
        sheets = [
            (_("办复率"), "reply_rate", [(_("办复率"), stats.reply_rate)], _("已办复"), _("立案数")),
            (
                _("按时办复率"),
                "on_time_rate",
                [(_("按时办复率"), t.on_time_rate)],
                _("按时答复"),
                _("已答复+超期未答复"),
            ),
            (
                _("答复类别"),
                "class_shares",
                [(_("%(c)s 类") % {"c": c}, ratio) for c, ratio in t.class_shares()],
                _("该类答复"),
                _("已答复"),
            ),
            (
                _("满意率"),
                "satisfaction_rate",
                [(_("满意 + 基本满意"), t.satisfaction_rate), (_("满意"), t.satisfied_rate)],
                _("人次"),
                _("已测评"),
            ),
        ]
        if stats.two_scores:
            sheets.append(
                (
                    _("两项测评"),
                    "two_scores",
                    [
                        (_("办理态度：满意 + 基本满意"), t.attitude_rate),
                        (_("办理结果：满意 + 基本满意"), t.result_rate),
                        *[(_("沟通方式：%(m)s") % {"m": label}, ratio) for _code, label, ratio in t.contact_rows()],
                    ],
                    _("人次"),
                    _("已测评"),
                )
            )
        for title, key, rows, num, den in sheets:
            _ratio_rows(wb.create_sheet(title), title, str(FORMULAS[key]), rows, num, den)
        status_ws = wb.create_sheet(_("状态"))
        status_ws.append(safe_row([_("状态"), _("提案数")]))
        for _value, label, n in stats.status_rows:
            status_ws.append(safe_row([str(label), n]))
        _widths(status_ws)
        scorecard_sheet(wb.create_sheet(_("承办单位")), stats, classes)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
