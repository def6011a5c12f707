"""``manage.py import_xlsx FILE [--dry-run]``: check a committee's workbook and, when no row has a
problem, import it in one transaction (a second run of the same file changes nothing)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from oversight.workbook.importer import WorkbookRefused, store_issued_pdfs, workbook_import
from proposals.models import User


class Command(BaseCommand):
    help = "导入政协委员会的 Excel 工作簿：先检查每一行，没有问题才在一个事务内全部写入。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将新建和更新的行，不写入")
        parser.add_argument("--user", help="以此用户的名义导入（办理记录的录入人）；不给则不记录录入人")
        parser.add_argument(
            "--render-pdfs",
            action="store_true",
            help="导入后立即生成已签发答复的 PDF（否则交给后台任务）",
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, render_pdfs: bool, **options) -> None:
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("没有用户名为“%(name)s”的用户。") % {"name": user})
        started = time.monotonic()
        try:
            with open(file, "rb") as fh:
                result = workbook_import(source=fh, actor=actor, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except WorkbookRefused as exc:
            raise CommandError(exc.message) from exc
        plan = result.plan
        for notice in plan.notices:
            self.stdout.write(notice)
        for count in plan.counts:
            self.stdout.write(
                _("%(sheet)s：%(rows)s 行，新建 %(create)s，更新 %(update)s")
                % {"sheet": count.title, "rows": count.rows, "create": count.create, "update": count.update}
            )
        if plan.problems:
            for p in plan.problems:
                self.stderr.write(
                    _("%(sheet)s 第 %(row)s 行 “%(column)s”：%(message)s")
                    % {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                )
            raise CommandError(_("有 %(n)s 处问题，没有写入任何数据。") % {"n": len(plan.problems)})
        seconds = time.monotonic() - started
        if dry_run:
            self.stdout.write(_("检查通过（%(s).1f 秒），没有写入。") % {"s": seconds})
            return
        self.stdout.write(
            _("已导入（%(s).1f 秒），补录办理记录 %(events)s 条。") % {"s": seconds, "events": result.events}
        )
        if result.issued_replies:
            if render_pdfs:
                n = store_issued_pdfs(result.issued_replies)
                self.stdout.write(_("已生成 %(n)s 份答复 PDF。") % {"n": n})
            else:
                from oversight.workbook.tasks import store_imported_pdfs

                store_imported_pdfs.enqueue(reply_ids=result.issued_replies)
                self.stdout.write(_("%(n)s 份已签发答复的 PDF 交给后台任务生成。") % {"n": len(result.issued_replies)})
