"""The security audit trail: an append-only, hash-chained table of events.

Each row carries the HMAC-SHA256 (under a key kept outside the database, audit/keys.py) of its own
fields together with the previous row's hash, so an altered, inserted or removed row breaks the
chain at that point (``manage.py verify_audit``), and the head is anchored outside the database
(audit/anchor.py) so that cutting off the newest rows is seen too.
The application refuses to update or delete rows (``save``/``delete``/queryset guards), the admin
is read-only, and the database refuses too (triggers, see migration 0002). The only way rows go is
``purge_audit``, which leaves an :class:`AuditAnchor` so the rest of the chain still verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .keys import CHAIN, keyed_hash

GENESIS_HASH = "0" * 64

# Events the code base records; ``event`` is not limited to these (other apps may add their own),
# they give the filter its labels.
EVENT_LABELS = {
    "login": _("登录成功"),
    "login_failed": _("登录失败"),
    "lockout": _("账户锁定"),
    "logout": _("退出登录"),
    "permission_denied": _("拒绝访问"),
    "account_created": _("新建账户"),
    "role_change": _("角色变更"),
    "account_change": _("账户变更"),
    "password_change": _("修改密码"),
    "transition": _("状态变更"),
    "download": _("下载"),
    "export": _("导出"),
    "import": _("导入"),
    "audit_purge": _("清理审计日志"),
    "audit_rekey": _("审计日志启用密钥"),
    "out_of_scope": _("访问范围外对象"),
}


class Outcome(models.TextChoices):
    OK = "ok", _("成功")
    FAILED = "failed", _("失败")
    DENIED = "denied", _("拒绝")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit rows cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit rows cannot be deleted; use manage.py purge_audit")

    # bulk paths would skip the hash chain
    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("audit rows are written one by one through audit.log.record_event")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit rows cannot be updated")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No database constraint and DO_NOTHING: the row must outlive any change to the user table,
    # and the username is kept beside it as it was at the time.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    event = models.CharField(_("事件"), max_length=40, db_index=True)
    object_label = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_pk = models.CharField(_("对象编号"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    detail = models.TextField(_("详情"), blank=True)
    prev_hash = models.CharField(_("前一行哈希"), max_length=64)
    hash = models.CharField(_("本行哈希"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "at"], name="audit_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.username}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit rows cannot be deleted; use manage.py purge_audit")

    @property
    def event_label(self) -> str:
        return str(EVENT_LABELS.get(self.event, self.event))

    @property
    def object_display(self) -> str:
        return f"{self.object_label}#{self.object_pk}" if self.object_label else ""

    def chain_payload(self) -> bytes:
        """The bytes the hash covers: every field but ``id`` and ``hash``, in a fixed form."""
        at = self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data = {
            "at": at,
            "user_id": self.user_id,
            "username": self.username,
            "role": self.role,
            "ip": self.ip or "",
            "event": self.event,
            "object_label": self.object_label,
            "object_pk": self.object_pk,
            "outcome": self.outcome,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        """HMAC-SHA256 under the audit key (audit/keys.py): not recomputable from the database alone."""
        return keyed_hash(CHAIN, self.chain_payload())

    def legacy_hash(self) -> str:
        """The unkeyed SHA-256 of rows written before the key existed (up to the cut-over, see
        audit.services.REKEY_EVENT); never used for new rows."""
        return hashlib.sha256(self.chain_payload()).hexdigest()


class AuditAnchor(models.Model):
    """Left by ``purge_audit``: the hash of the last removed row, where verification restarts."""

    at = models.DateTimeField(_("清理时间"), default=timezone.now)
    purged_through_id = models.BigIntegerField(_("已清理至编号"))
    anchor_hash = models.CharField(_("锚点哈希"), max_length=64)
    purged_count = models.PositiveIntegerField(_("清理行数"))
    cutoff = models.DateTimeField(_("清理截止时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")
        ordering = ["-purged_through_id"]

    def __str__(self) -> str:
        return f"≤{self.purged_through_id} {self.anchor_hash[:12]}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit anchors cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit anchors cannot be deleted")


class UserSession(models.Model):
    """Which sessions belong to which user, so logout and password change can end the others."""

    session_key = models.CharField(max_length=40, unique=True, verbose_name=_("会话标识"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("用户会话")
        verbose_name_plural = _("用户会话")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}…"
