"""The committee's reference data: meetings (届, 次), categories, decline reasons, members, agencies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.formats import chinese_numeral

from ..validators import validate_phone


class Meeting(models.Model):
    """One plenary meeting (届, 次), which opens a proposal intake and owns a number sequence."""

    term = models.PositiveSmallIntegerField(_("届"))
    session = models.PositiveSmallIntegerField(_("次"))
    number_prefix = models.CharField(_("编号前缀"), max_length=8, help_text=_("例如 TA，编号为 TA0207"))
    opened_on = models.DateField(_("开幕日期"), null=True, blank=True)
    is_current = models.BooleanField(_("当前会议"), default=False)
    due_months = models.PositiveSmallIntegerField(_("办理时限（月）"), default=3)
    cohandler_due_months = models.PositiveSmallIntegerField(_("会办意见时限（月）"), default=1)
    rehandle_due_months = models.PositiveSmallIntegerField(_("重新办理时限（月）"), default=1)
    return_window_days = models.PositiveSmallIntegerField(_("退回期限（工作日）"), default=7)
    # The last sequence number handed out; registration increments it under a row lock.
    last_sequence = models.PositiveIntegerField(_("已用最大序号"), default=0)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-term", "-session"]
        constraints = [
            models.UniqueConstraint(fields=["term", "session"], name="meeting_term_session_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        super().save(*args, **kwargs)
        if update_fields is None or {"term", "session"} & set(update_fields):
            # A corrected 届/次 re-sorts the meeting's proposals (rare: an administrator's correction).
            self.proposals.exclude(meeting_order=self.sort_key).update(meeting_order=self.sort_key)

    @property
    def sort_key(self) -> int:
        """Later meetings sort higher: copied onto their proposals as ``Proposal.meeting_order``."""
        return self.term * 10000 + self.session

    @property
    def display_name(self) -> str:
        return f"{chinese_numeral(self.term)}届{chinese_numeral(self.session)}次会议"

    @property
    def code(self) -> str:
        return f"{self.term}-{self.session}"


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("提案类别")
        verbose_name_plural = _("提案类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class DeclineReason(models.Model):
    text = models.CharField(_("不予立案理由"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("不予立案理由")
        verbose_name_plural = _("不予立案理由")
        ordering = ["order", "text"]

    def __str__(self) -> str:
        return self.text


class Member(models.Model):
    """A CPPCC member. Phone and work unit are personal data: never on a public page or in a log."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    work_unit = models.CharField(_("工作单位"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    sector = models.CharField(_("界别"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A responding agency (承办单位)."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    # Only reached through the storage API and a view that checks the user; never a public URL.
    seal = models.ImageField(_("印章图片"), upload_to="seals/", blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
