"""Signed consultation records and issued replies, checked against the audit chain and their files.

A record's keyed content hash and a reply's PDF digest are also written into the audit row of the
signing or the issuing (``signing.signing_detail``, ``replies.services.reply_issue``), and that row
is chained and anchored outside the database (``verify_audit`` checks the chain itself). So this
command starts from the chain too: a record whose signing row exists but that is gone, no longer
signed or hashed differently is reported, and so is a reply whose issuing row no longer matches;
a record or reply cannot slip out of the check by having its status changed.

Rows written before the digests were recorded carry the action alone: for them the status is
still checked, and they are counted once in the output rather than passed off as verified.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Model, Q, QuerySet

from audit.details import read_digest
from audit.models import AuditEvent
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus
from consultations.services import content_hash
from consultations.services.hashing import CHAIN_HASH_FIELD
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus

BATCH = 500
SIGN_ACTIONS = (str(ConsultationAction.SIGN_ONLINE), str(ConsultationAction.SIGN_PAPER))
ISSUE_ACTIONS = (str(ReplyAction.ISSUE),)
REPLY_DIGEST_FIELD = "pdf_sha256"  # as replies.services.reply_issue writes it
NO_ROW_NOTE = "演示或导入的数据，或已随审计保留期清理"


def _in_batches(qs: QuerySet) -> Iterator:
    """Every row of ``qs``, read by id in batches: memory stays bounded on any database, without
    server-side cursors (which PostgreSQL sessions here do not use, see config/settings.py)."""
    qs = qs.order_by("id")
    last = 0
    while batch := list(qs.filter(id__gt=last)[:BATCH]):
        yield from batch
        last = batch[-1].id


def _chain_digests(
    label: str, actions: tuple[str, ...], name: str, *, resets: tuple[str, ...] = ()
) -> dict[int, list[str | None]]:
    """Object id → the digest in each of its successful action rows (None where a row has none).

    A row of a ``resets`` action (a signed record sent back for a new signature) ends what came
    before it: the earlier signature is superseded, not a mismatch."""
    rows = AuditEvent.objects.filter(event="transition", object_label=label, outcome="ok")
    found: dict[int, list[str | None]] = defaultdict(list)
    named = Q()
    for action in (*actions, *resets):  # "reply_issue", or "reply_issue pdf_sha256=…"; not "…: wrong_password"
        named |= Q(detail=action) | Q(detail__startswith=f"{action} ")
    for row in _in_batches(rows.filter(named)):
        if not row.object_pk.isdigit():
            continue
        if row.detail.split(" ", 1)[0] in resets:
            found.pop(int(row.object_pk), None)
        else:
            found[int(row.object_pk)].append(read_digest(row.detail, name))
    return found


def _file_sha256(file_field) -> str | None:
    """The SHA-256 of the stored file, None when it cannot be read."""
    try:
        with file_field.storage.open(file_field.name, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _file_problem(file_field, digest: str, what: str) -> str | None:
    if not file_field:
        return f"没有保存的{what}" if digest else None
    actual = _file_sha256(file_field)
    if actual is None:
        return f"{what}文件 {file_field.name} 无法读取"
    if actual != digest:
        return f"{what}文件的 SHA-256 为 {actual}，保存的为 {digest or '（空）'}"
    return None


@dataclass
class Check:
    """What one kind of object came to: how many were checked, the bad ones, the counted notes."""

    checked: int = 0
    bad: dict[int, list[str]] = field(default_factory=dict)
    before_digest: int = 0
    without_row: int = 0

    def report(self, pk: int, problem: str) -> None:
        self.bad.setdefault(pk, []).append(problem)


def _chain_problems(digests: list[str | None], stored: str, check: Check) -> list[str]:
    if not digests:
        check.without_row += 1
        return []
    known = [d for d in digests if d is not None]
    if not known:
        check.before_digest += 1
    return [f"与审计链中的摘要 {d} 不一致（保存的为 {stored or '（空）'}）" for d in known if d != stored]


def _gone_from_state(model: type[Model], ids: Iterable[int], state: str, label: str, check: Check) -> None:
    """Objects with a row in the chain that are missing or no longer in ``state``."""
    ids = sorted(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        present = dict(model._default_manager.filter(pk__in=chunk).values_list("pk", "status"))
        for pk in chunk:
            if pk not in present:
                check.report(pk, f"审计链中有其{label}记录，但该对象已不存在")
            elif present[pk] != state:
                check.report(pk, f"审计链中有其{label}记录，但已不是已{label}状态（现为 {present[pk]}）")


def check_records() -> tuple[Check, dict[int, str]]:
    check = Check()
    chain = _chain_digests(
        Consultation._meta.label, SIGN_ACTIONS, CHAIN_HASH_FIELD, resets=(str(ConsultationAction.RESIGN),)
    )
    where: dict[int, str] = {}
    for record in _in_batches(Consultation.objects.filter(status=ConsultationStatus.SIGNED)):
        check.checked += 1
        where[record.pk] = f"{record.proposal_number} {record.agency_name} 第 {record.round} 轮"
        actual = content_hash(record)
        if not record.content_sha256 or actual != record.content_sha256:
            check.report(record.pk, f"保存的 {record.content_sha256 or '（空）'}，现在计算为 {actual}")
        for mismatch in _chain_problems(chain.pop(record.pk, []), record.content_sha256, check):
            check.report(record.pk, mismatch)
        for file_field, digest, what in (
            (record.pdf, record.pdf_sha256, "面商记录 PDF"),
            (record.signature, record.signature_sha256, "签名图片"),
            (record.paper_scan, record.paper_scan_sha256, "纸质签字扫描件"),
        ):
            if problem := _file_problem(file_field, digest, what):
                check.report(record.pk, problem)
        # A joint record's other proposers: their digests are in the content hash, their files here.
        for row in record.signers.all():
            for file_field, digest, what in (
                (row.signature, row.signature_sha256, f"第 {row.order + 1} 位提案人的签名图片"),
                (row.paper_scan, row.paper_scan_sha256, f"第 {row.order + 1} 位提案人的纸质签字扫描件"),
            ):
                if problem := _file_problem(file_field, digest, what):
                    check.report(record.pk, problem)
    _gone_from_state(Consultation, chain, ConsultationStatus.SIGNED, "签字", check)
    return check, where


def check_replies() -> Check:
    check = Check()
    chain = _chain_digests(Reply._meta.label, ISSUE_ACTIONS, REPLY_DIGEST_FIELD)
    for reply in _in_batches(Reply.objects.filter(status=ReplyStatus.ISSUED)):
        check.checked += 1
        for mismatch in _chain_problems(chain.pop(reply.pk, []), reply.pdf_sha256, check):
            check.report(reply.pk, mismatch)
        if not (reply.pdf and reply.pdf_sha256):
            check.report(reply.pk, "没有保存的答复 PDF 或其 SHA-256")
        elif problem := _file_problem(reply.pdf, reply.pdf_sha256, "答复 PDF"):
            check.report(reply.pk, problem)
    _gone_from_state(Reply, chain, ReplyStatus.ISSUED, "签发", check)
    return check


class Command(BaseCommand):
    help = "核对已签字面商记录与已签发答复：内容哈希、PDF 摘要、保存的文件，以及审计链中签字与签发时记下的摘要。"

    def handle(self, *args, **options) -> None:
        records, where = check_records()
        replies = check_replies()
        for pk, problems in records.bad.items():
            label = f"面商记录 #{pk}" + (f"（{where[pk]}）" if pk in where else "")
            for problem in problems:
                self.stdout.write(f"不一致：{label} {problem}")
        for pk, problems in replies.bad.items():
            for problem in problems:
                self.stdout.write(f"不一致：答复 #{pk} {problem}")
        if records.before_digest:
            self.stdout.write(
                f"{records.before_digest} 份面商记录签字于记录哈希写入审计链之前：其审计行只能核对记录仍为已签字状态。"
            )
        if records.without_row:
            self.stdout.write(f"{records.without_row} 份已签字面商记录在审计链中没有签字记录（{NO_ROW_NOTE}）。")
        if replies.before_digest:
            self.stdout.write(
                f"{replies.before_digest} 份答复签发于 PDF 摘要写入审计链之前：只能核对 PDF 与保存的摘要。"
            )
        if replies.without_row:
            self.stdout.write(f"{replies.without_row} 份已签发答复在审计链中没有签发记录（{NO_ROW_NOTE}）。")
        failures = []
        if records.bad:
            failures.append(f"共检查 {records.checked} 份已签字面商记录，{len(records.bad)} 份内容与签字时不一致")
        if replies.bad:
            failures.append(f"共检查 {replies.checked} 份已签发答复，{len(replies.bad)} 份与签发时不一致")
        if failures:
            raise CommandError("；".join(failures) + "。")
        self.stdout.write(self.style.SUCCESS(f"共检查 {records.checked} 份已签字面商记录，全部与签字时一致。"))
        self.stdout.write(self.style.SUCCESS(f"共检查 {replies.checked} 份已签发答复，PDF 全部与签发时一致。"))
