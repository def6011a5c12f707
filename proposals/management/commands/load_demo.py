from __future__ import annotations

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from proposals.demo import DEMO_USERS, DemoContext


class Command(BaseCommand):
    help = "载入 TA0207 演示案例和每个角色的演示用户（可重复运行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", help="所有演示用户的密码；不给则为新用户生成随机密码并只显示一次。")
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时仍然载入。")

    def handle(self, *args, password: str | None = None, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭（可能是生产环境），拒绝载入演示数据；确需载入请加 --force。")
        ctx = DemoContext(password=password)
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(ctx)
        self.stdout.write(
            self.style.SUCCESS("演示数据已载入：市政协八届三次会议第 TA0207 号提案；示范县政协第12号提案。")
        )
        self.stdout.write("演示用户：")
        for username, role, display, _agency, _member in DEMO_USERS:
            shown = ctx.created_passwords.get(username)
            secret = f"密码 {shown}" if shown else "（已存在，密码未改）"
            self.stdout.write(f"  {username:<14} {role.label}（{display}） {secret}")
