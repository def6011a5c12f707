"""Reply letters (答复函) and co-handlers' views (会办意见), with every saved version kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment


class ReplyClass(models.TextChoices):
    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")
    D = "D", _("D 类")


CLASS_DEFINITIONS = {
    "A": _("所提问题已经解决或基本解决"),
    "B": _("所提问题正在解决或已列入计划逐步解决"),
    "C": _("所提问题因条件限制或其他原因暂时不能解决，留作参考"),
    "D": _("所提问题不具备解决条件，作出解释说明"),
}


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待签发")
    ISSUED = "issued", _("已签发")


class Reply(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    # One of the proposal's committee's classes (``replies.rules.enabled_reply_classes``): A, B1…
    reply_class = models.CharField(_("答复类别"), max_length=8, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    addressee = models.CharField(_("主送"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    closing = models.TextField(_("结束语"), blank=True)
    leader_name = models.CharField(_("负责人"), max_length=50, blank=True)
    handler_name = models.CharField(_("承办人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    reply_date = models.DateField(_("成文日期"), null=True, blank=True)
    doc_number = models.CharField(_("发文字号"), max_length=100, blank=True)
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True)
    is_public = models.BooleanField(_("主动公开"), default=True)
    not_public_reason = models.TextField(_("不公开理由"), blank=True)
    # Optimistic lock: each save must name the version it started from.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who last sent it for sign-off: the real handler, whatever name the letter gives as 承办人;
    # under replies.rules.separate_submit_and_issue() they may not issue it themselves.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    leader_comment = models.TextField(_("退回意见"), blank=True)
    pdf = models.FileField(upload_to="replies/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # Staff may take an issued public reply off the public page, with a reason.
    unpublished_at = models.DateTimeField(null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unpublish_reason = models.TextField(_("撤销公开理由"), blank=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["assignment_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="reply_one_per_round"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def class_label(self) -> str:
        """The class as its committee names it (``replies.rules.class_label``)."""
        from .rules import class_label

        return class_label(self)

    @property
    def is_frozen(self) -> bool:
        return self.status == ReplyStatus.ISSUED


class ReplyVersion(models.Model):
    """A snapshot of the draft at each save; never changed afterwards."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    class Meta:
        verbose_name = _("答复版本")
        verbose_name_plural = _("答复版本")
        ordering = ["reply_id", "version"]
        constraints = [models.UniqueConstraint(fields=["reply", "version"], name="reply_version_unique")]

    def __str__(self) -> str:
        return f"{self.reply} v{self.version}"


# The versions of this app's records (django-simple-history), made now that the models exist.
from . import history  # noqa: E402, F401
