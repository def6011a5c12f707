from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from oversight import services
from oversight.public import refresh_public_texts
from oversight.selectors import public_replies


class Command(BaseCommand):
    help = (
        "为已公开、尚无公开版 PDF 的答复生成并保存脱敏 PDF（如在公开版 PDF 存储之前公开的答复），"
        "并删除已不再公开的答复的公开版 PDF；重复运行不会重复生成。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            dest="every",
            action="store_true",
            help="重新生成每个公开答复的公开文本（供公开检索）和 PDF（例如脱敏规则改变后）。",
        )

    def handle(self, *args, every: bool = False, **options) -> None:
        if every:
            # The redacted copies the public search reads, made again under the current masking rules.
            refresh_public_texts()
        removed = services.public_pdfs_prune()
        replies = public_replies() if every else public_replies().filter(public_pdf__isnull=True)
        stored = 0
        # One reply at a time, each in its own short transaction: rendering takes a while.
        for reply_id in list(replies.order_by("pk").values_list("pk", flat=True)):
            if services.public_pdf_store(reply_id=reply_id, force=every) is not None:
                stored += 1
        self.stdout.write(
            _("已生成 %(stored)s 份公开版 PDF，删除 %(removed)s 份。") % {"stored": stored, "removed": removed}
        )
