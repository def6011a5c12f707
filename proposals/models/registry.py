"""The committee's reference data: meetings (届, 次), categories, decline reasons, members, agencies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.formats import chinese_numeral

from ..pinyin import INITIALS_MAX_LENGTH, name_initials
from ..validators import validate_phone
from .committee import Committee, default_committee_id


def committee_field() -> models.ForeignKey:
    """The committee a record belongs to (``CommitteeRecord.save`` gives the installation's first
    when none is set: not a field default, which would query for every unsaved instance)."""
    return models.ForeignKey(Committee, verbose_name=_("政协委员会"), on_delete=models.PROTECT, related_name="+")


class CommitteeRecord(models.Model):
    """A committee's own record: saved without a committee, it joins the installation's first."""

    committee_id: int | None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.committee_id is None:
            self.committee_id = default_committee_id()
        super().save(*args, **kwargs)


class Meeting(CommitteeRecord):
    """One plenary meeting (届, 次), which opens a proposal intake and owns a number sequence."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("政协委员会"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    term = models.PositiveSmallIntegerField(_("届"))
    session = models.PositiveSmallIntegerField(_("次"))
    number_prefix = models.CharField(
        _("编号前缀"), max_length=8, blank=True, help_text=_("例如 TA，编号为 TA0207；不用前缀的留空，编号为 48")
    )
    opened_on = models.DateField(_("开幕日期"), null=True, blank=True)
    is_current = models.BooleanField(_("当前会议"), default=False)
    # In the committee's ``deadline_unit``: months, or working days (proposals.deadlines reads them).
    due_months = models.PositiveSmallIntegerField(_("办理时限"), default=3, help_text=_("单位见委员会的办理时限单位"))
    cohandler_due_months = models.PositiveSmallIntegerField(_("会办意见时限"), default=1)
    rehandle_due_months = models.PositiveSmallIntegerField(_("重新办理时限"), default=1)
    return_window_days = models.PositiveSmallIntegerField(_("退回期限（工作日）"), default=7)
    cosign_window_days = models.PositiveSmallIntegerField(
        _("联名确认期限（工作日）"), default=5, help_text=_("联名提案提交后，联名人须在此期限内确认")
    )
    follow_up_due_months = models.PositiveSmallIntegerField(
        _("跟踪办理时限"), default=3, help_text=_("答复后再次报告办理结果的时限，单位见委员会的办理时限单位")
    )
    # The last sequence number handed out; registration increments it under a row lock.
    last_sequence = models.PositiveIntegerField(_("已用最大序号"), default=0)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-term", "-session"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "term", "session"], name="meeting_term_session_unique"),
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


class Category(CommitteeRecord):
    committee = committee_field()
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("提案类别")
        verbose_name_plural = _("提案类别")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="category_name_unique")]

    def __str__(self) -> str:
        return self.name


class DeclineReason(CommitteeRecord):
    committee = committee_field()
    text = models.CharField(_("不予立案理由"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("不予立案理由")
        verbose_name_plural = _("不予立案理由")
        ordering = ["order", "text"]
        constraints = [models.UniqueConstraint(fields=["committee", "text"], name="decline_reason_unique")]

    def __str__(self) -> str:
        return self.text


class MemberQuerySet(models.QuerySet):
    """Rows written in bulk (the benchmark's data, imports) get their pinyin initials as ``save`` gives them."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for member in objs:
            member.name_initials = name_initials(member.name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if "name" in fields:
            for member in objs:
                member.name_initials = name_initials(member.name)
            fields.append("name_initials")
        return super().bulk_update(objs, fields, *args, **kwargs)


class Member(CommitteeRecord):
    """A CPPCC member. Phone and work unit are personal data: never on a public page or in a log."""

    committee = committee_field()
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    work_unit = models.CharField(_("工作单位"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    sector = models.CharField(_("界别"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在任"), default=True)
    # Derived from the name on every save (``proposals.pinyin``), for the pickers' search.
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=INITIALS_MAX_LENGTH, blank=True, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_initials = name_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)


class Agency(CommitteeRecord):
    """A responding agency (承办单位)."""

    committee = committee_field()
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    # Only reached through the storage API and a view that checks the user; never a public URL.
    seal = models.ImageField(_("印章图片"), upload_to="seals/", blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="agency_name_unique")]

    def __str__(self) -> str:
        return self.name
