from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from consultations.models import Consultation, ConsultationStatus
from consultations.services import content_hash

BATCH = 500


def _signed_in_batches():
    """Every signed record, read by id in batches: memory stays bounded on any database, without
    server-side cursors (which PostgreSQL sessions here do not use, see config/settings.py)."""
    signed = Consultation.objects.filter(status=ConsultationStatus.SIGNED).order_by("id")
    last = 0
    while batch := list(signed.filter(id__gt=last)[:BATCH]):
        yield from batch
        last = batch[-1].id


class Command(BaseCommand):
    help = "重新计算已签字面商记录的 SHA-256，报告内容被改动过的记录。"

    def handle(self, *args, **options) -> None:
        checked = 0
        bad = []
        for record in _signed_in_batches():
            checked += 1
            actual = content_hash(record)
            if not record.content_sha256 or actual != record.content_sha256:
                bad.append(record)
                where = f"{record.proposal_number} {record.agency_name} 第 {record.round} 轮"
                stored = record.content_sha256 or "（空）"
                self.stdout.write(f"不一致：面商记录 #{record.pk}（{where}） 保存的 {stored}，现在计算为 {actual}")
        if bad:
            raise CommandError(f"共检查 {checked} 份已签字面商记录，{len(bad)} 份内容与签字时不一致。")
        self.stdout.write(self.style.SUCCESS(f"共检查 {checked} 份已签字面商记录，全部与签字时一致。"))
