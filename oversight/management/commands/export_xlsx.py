"""``manage.py export_xlsx -o FILE [--committee …] [--meeting …]``: a committee's data as one
workbook (every committee's when none is named); ``--template`` writes the empty workbook."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from oversight.workbook.export import export_workbook, template_workbook
from proposals.models import Committee, Meeting


class Command(BaseCommand):
    help = "把政协委员会的数据导出为一个 Excel 工作簿（不指定委员会则导出全部委员会）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", required=True, help="写入的 .xlsx 文件")
        parser.add_argument("--committee", action="append", help="委员会的全称、名称或简称（可重复）")
        parser.add_argument("--meeting", help="只导出这次会议的提案，写作届-次，例如 8-3")
        parser.add_argument("--template", action="store_true", help="只写空白模板（带列说明）")

    def handle(self, *args, output: str, committee: list[str] | None, meeting: str | None, template: bool, **options):
        with open(output, "wb") as out:
            if template:
                template_workbook(out)
                self.stdout.write(_("已写入空白模板：%(file)s") % {"file": output})
                return
            committees = list(Committee.objects.order_by("pk"))
            if committee:
                committees = []
                for name in committee:
                    found = Committee.objects.filter(Q(name=name) | Q(display_name=name) | Q(short_name=name)).first()
                    if found is None:
                        raise CommandError(_("没有名为“%(name)s”的政协委员会。") % {"name": name})
                    committees.append(found)
            chosen = None
            if meeting:
                term, _sep, session = meeting.partition("-")
                if not (term.isdigit() and session.isdigit()):
                    raise CommandError(_("会议请写作届-次，例如 8-3。"))
                chosen = Meeting.objects.filter(committee__in=committees, term=int(term), session=int(session)).first()
                if chosen is None:
                    raise CommandError(_("没有会议 %(meeting)s。") % {"meeting": meeting})
                committees = [m for m in committees if m.pk == chosen.committee_id]
            counts = export_workbook(out, committees=committees, meeting=chosen)
        self.stdout.write(
            _("已导出到 %(file)s：%(counts)s")
            % {"file": output, "counts": "，".join(f"{code} {n}" for code, n in counts.items())}
        )
