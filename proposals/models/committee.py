"""The committee (政协委员会) and its rules: one installation serves many committees — a province's
committee, its cities' and their counties' — and each numbers, classes, requires and publishes in
its own way. Every rule that differs between committees is a field here (or a row of
``CommitteeReplyClass``), read through the one function of the module that applies it:

- numbering — ``proposals.services.numbering`` and ``proposals.numbers.display_number``;
- reply classes and the fields a letter needs to issue — ``replies.rules``;
- deadlines in months or working days — ``proposals.deadlines``;
- the signed record before issue — ``replies.rules.record_required_before_issue``;
- the public pages — ``oversight.public``.

Meetings, members, agencies, categories, decline reasons and committee users belong to one
committee; a proposal's committee is its meeting's (copied onto the proposal for the lists' indexes).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CommitteeLevel, CosignRule, DeadlineUnit, NumberStyle, RatingMode


class Committee(models.Model):
    name = models.CharField(
        _("全称"), max_length=100, unique=True, help_text=_("例如 中国人民政治协商会议晋城市委员会")
    )
    display_name = models.CharField(
        _("名称"), max_length=50, help_text=_("面商记录表表头、公开页面和汇编使用，例如 晋城市政协")
    )
    short_name = models.CharField(_("简称"), max_length=30, help_text=_("答复标题使用，例如 市政协"))
    level = models.CharField(_("级别"), max_length=10, choices=CommitteeLevel.choices, default=CommitteeLevel.CITY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级委员会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # --- Numbering ---------------------------------------------------------------------------
    number_width = models.PositiveSmallIntegerField(
        _("序号位数"),
        null=True,
        blank=True,
        default=4,
        help_text=_("序号补零到的位数，例如 4 位为 TA0207；留空则不补零，例如 48"),
    )
    number_style = models.CharField(
        _("编号显示方式"), max_length=20, choices=NumberStyle.choices, default=NumberStyle.SPACED
    )
    # --- Replies -----------------------------------------------------------------------------
    reply_class_required = models.BooleanField(
        _("签发须选答复类别"), default=True, help_text=_("有些委员会的答复函不标注类别")
    )
    leader_required = models.BooleanField(_("签发须填负责人"), default=True)
    handler_required = models.BooleanField(_("签发须填承办人"), default=True)
    phone_required = models.BooleanField(_("签发须填联系电话"), default=True)
    doc_number_required = models.BooleanField(_("签发须填发文字号"), default=False)
    # None: the installation's setting REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE (read in one place,
    # ``replies.rules.record_required_before_issue``).
    record_required_before_issue = models.BooleanField(
        _("签发前须有委员签字的面商记录"), null=True, blank=True, help_text=_("留空则按系统设置")
    )
    # --- Deadlines ---------------------------------------------------------------------------
    deadline_unit = models.CharField(
        _("办理时限单位"),
        max_length=20,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.MONTHS,
        help_text=_("会议的办理时限、会办时限和重新办理时限按此单位计算"),
    )
    # --- Joint proposals and ratings ---------------------------------------------------------
    cosign_rule = models.CharField(
        _("联名确认规则"),
        max_length=10,
        choices=CosignRule.choices,
        default=CosignRule.NONE,
        help_text=_("联名提案须经联名人确认后方可作为联名提案立案；确认期限见会议设置"),
    )
    rating_mode = models.CharField(
        _("满意度测评方式"), max_length=20, choices=RatingMode.choices, default=RatingMode.SINGLE
    )
    # --- Public pages ------------------------------------------------------------------------
    public_pages = models.BooleanField(_("公开答复"), default=True, help_text=_("关闭后本委员会的答复不在公开页面出现"))

    class Meta:
        verbose_name = _("政协委员会")
        verbose_name_plural = _("政协委员会")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("上级委员会不能是本委员会或其下级。")})
            ancestor = ancestor.parent


class CommitteeReplyClass(models.Model):
    """One reply class (答复类别) a committee uses: A/B/C, A–D, or finer ones such as B1/B2.

    A committee with none uses the classes of ``replies.rules.DEFAULT_CLASSES``."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("政协委员会"), on_delete=models.CASCADE, related_name="reply_classes"
    )
    code = models.CharField(_("代码"), max_length=8, help_text=_("例如 A、B1"))
    label = models.CharField(_("名称"), max_length=20, help_text=_("例如 A 类"))
    definition = models.CharField(_("含义"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    follow_up = models.BooleanField(
        _("跟踪办理"), default=False, help_text=_("答复为此类别的，承办单位须在跟踪办理时限内再次报告办理结果")
    )

    class Meta:
        verbose_name = _("答复类别")
        verbose_name_plural = _("答复类别")
        ordering = ["committee", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="committee_reply_class_unique"),
        ]

    def __str__(self) -> str:
        return self.label


def default_committee_values() -> dict:
    """The first committee of an installation, made from the settings (the ones it had before
    committees were data)."""
    return {
        "name": getattr(settings, "COMMITTEE_FULL_NAME", "中国人民政治协商会议晋城市委员会"),
        "display_name": getattr(settings, "COMMITTEE_NAME", "晋城市政协"),
        "short_name": getattr(settings, "COMMITTEE_SHORT_NAME", "市政协"),
    }


def default_committee_id() -> int:
    """The committee a record made without one belongs to: the installation's first (made from the
    settings when there is none yet). The default of every ``committee`` field."""
    first = Committee.objects.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        return first
    values = default_committee_values()
    return Committee.objects.create(**values).pk
