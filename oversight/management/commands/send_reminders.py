from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from oversight.models import NotificationKind
from oversight.reminders import send_reminders


class Command(BaseCommand):
    help = "发送到期提醒、超期提醒、工作人员每日摘要和委员通知（每天由 cron 运行；重复运行不会重复发送）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天；用于补发或测试。")

    def handle(self, *args, date: str | None = None, **options) -> None:
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(_("日期格式应为 YYYY-MM-DD：%(date)s") % {"date": date}) from exc
        report = send_reminders(today=today)
        if not report.total:
            self.stdout.write(_("没有新的提醒需要发送。"))
            return
        for kind, n in sorted(report.queued.items()):
            self.stdout.write(_("%(kind)s：%(n)s 封") % {"kind": NotificationKind(kind).label, "n": n})
        self.stdout.write(self.style.SUCCESS(_("共 %(n)s 封已排入发送队列。") % {"n": report.total}))
