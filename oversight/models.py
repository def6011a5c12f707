"""Oversight: the ledger of notifications sent and the compiled volumes (汇编) built in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Meeting
from replies.models import Reply


class NotificationKind(models.TextChoices):
    DUE_7 = "due_7", _("七日内到期提醒")
    DUE_1 = "due_1", _("明日到期提醒")
    OVERDUE = "overdue", _("超期提醒")
    STAFF_DIGEST = "staff_digest", _("工作人员每日摘要")
    RECORD_TO_SIGN = "record_to_sign", _("面商记录待签字")
    REPLY_ISSUED = "reply_issued", _("答复已签发")
    URGE = "urge", _("催办通知")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    RETRYING = "retrying", _("重试中")
    FAILED = "failed", _("发送失败")


class SentNotification(models.Model):
    """One message per (kind, object, recipient, event): the unique constraint is what makes a
    reminder run idempotent — a second run finds the row and sends nothing.

    ``event_key`` names the event: the deadline a reminder is about (so an extended deadline is a
    new event), the day of a digest, or a fixed word for one-off events such as an issued reply.
    """

    # Whose work the message is about: a committee's staff see only their committee's failures.
    committee = models.ForeignKey(
        "proposals.Committee", verbose_name=_("政协委员会"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=40)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    object_type = models.CharField(_("对象类型"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    recipient = models.CharField(_("收件人"), max_length=254)
    event_key = models.CharField(_("事件"), max_length=40)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知记录")
        verbose_name_plural = _("通知记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "recipient", "event_key"],
                name="notification_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} → {self.recipient}"

    @property
    def kind_label(self) -> str:
        """A reminder's kind, or (for a text message of an in-app notification) the event's label."""
        if self.kind in NotificationKind.values:
            return str(NotificationKind(self.kind).label)
        from proposals.models import action_label, is_known_action

        return str(action_label(self.kind)) if is_known_action(self.kind) else self.kind


class VolumeFormat(models.TextChoices):
    PDF = "pdf", _("合订本 PDF（含目录）")
    ZIP = "zip", _("PDF 压缩包")


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    RETRYING = "retrying", _("失败，等待重试")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class VolumeBuild(models.Model):
    """One request for a compiled volume of a meeting's issued replies, built by the task worker."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("格式"), max_length=5, choices=VolumeFormat.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    total = models.PositiveIntegerField(_("答复总数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    # Reached only through the storage API and the staff download view.
    file = models.FileField(_("文件"), upload_to="volumes/%Y/", blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)

    class Meta:
        verbose_name = _("答复汇编")
        verbose_name_plural = _("答复汇编")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting} {self.get_format_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.RETRYING)

    @property
    def percent(self) -> int:
        if self.status == BuildStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class PublicReplyText(models.Model):
    """What the public search looks in: an issued reply's title and body as its public copy shows
    them (``oversight.public.public_search_text``), stored when the reply is saved issued (an issued
    reply never changes). Searching the letter as issued would tell, digit by digit, whether a
    number that the public page masks is in it."""

    reply = models.OneToOneField(
        Reply, on_delete=models.CASCADE, primary_key=True, related_name="public_text", verbose_name=_("答复")
    )
    title = models.TextField(_("标题"))
    body = models.TextField(_("正文"), blank=True)

    class Meta:
        verbose_name = _("公开答复文本")
        verbose_name_plural = _("公开答复文本")

    def __str__(self) -> str:
        return self.title


class PublicReplyPdf(models.Model):
    """The redacted public copy of a reply as a PDF (``oversight.public.render_public_reply_pdf``),
    rendered once when the reply becomes public (the task ``store_public_pdf``, queued after the
    issuing commit) or by ``manage.py refresh_public_pdfs``, and stored with its SHA-256. The public
    view only hands this file out: an anonymous request never renders. Unpublishing removes it."""

    reply = models.OneToOneField(
        Reply, on_delete=models.CASCADE, primary_key=True, related_name="public_pdf", verbose_name=_("答复")
    )
    # Reached only through the storage API and the public view of a published reply.
    file = models.FileField(_("文件"), upload_to="public/%Y/")
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 校验值"))
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    rendered_at = models.DateTimeField(default=timezone.now, verbose_name=_("生成时间"))

    class Meta:
        verbose_name = _("公开答复 PDF")
        verbose_name_plural = _("公开答复 PDF")

    def __str__(self) -> str:
        return self.file.name or ""


class Notification(models.Model):
    """A message in the app (the bell, 通知): one user, one event, with the page where to act.

    Made from the timeline as each event is written (``oversight.inbox``), in the same transaction,
    and by the daily reminders (due in 7 days, overdue). The link is a page that applies its own
    visibility rule: a notification never shows more than its title."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("用户")
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("内容"), max_length=300)
    url = models.CharField(max_length=300, verbose_name=_("链接"))
    # What the message is about, and which occurrence (a timeline event's id, a due date): each once.
    object_key = models.CharField(max_length=60, verbose_name=_("对象标识"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_key"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
