"""Rebuild the similar-proposals index (after bulk writes: imports, backfills, bench_data)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from proposals.models import Committee
from proposals.services.similarity import similarity_rebuild


class Command(BaseCommand):
    help = "重建相似提案索引（批量导入、补录或 bench_data 之后运行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--committee", type=int, action="append", help="只重建这个政协委员会（ID，可多次给出）。")

    def handle(self, *args, committee: list[int] | None = None, **options) -> None:
        ids = committee or list(Committee.objects.order_by("pk").values_list("pk", flat=True))
        total, started = 0, time.monotonic()
        for committee_id in ids:
            total += similarity_rebuild(committee_id=committee_id)
        self.stdout.write(
            f"相似提案索引已重建：{len(ids)} 个政协委员会，{total} 件提案，用时 {time.monotonic() - started:.0f} 秒。"
        )
