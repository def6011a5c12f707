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


class NotPublicKind(models.TextChoices):
    """What the publication mark says of a letter that is not published on the public page."""

    ON_REQUEST = "on_request", _("依申请公开")
    NOT_PUBLIC = "not_public", _("不予公开")


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待签发")
    ISSUED = "issued", _("已签发")


class Reply(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name=_("交办"))
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
    # Printed only where the letter profile (``replies.profiles``) has the line.
    signer_name = models.CharField(_("签发人"), max_length=50, blank=True)
    report_to = models.CharField(_("报"), max_length=300, blank=True)
    printed_by = models.CharField(_("印发机关"), max_length=100, blank=True)
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)
    is_public = models.BooleanField(_("主动公开"), default=True)
    not_public_kind = models.CharField(
        _("不公开的属性"), max_length=20, choices=NotPublicKind.choices, default=NotPublicKind.NOT_PUBLIC
    )
    not_public_reason = models.TextField(_("不公开理由"), blank=True)
    # Optimistic lock: each save must name the version it started from.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("更新时间"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("提交签发时间"))
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    leader_comment = models.TextField(_("退回意见"), blank=True)
    pdf = models.FileField(upload_to="replies/%Y/", blank=True, verbose_name=_("PDF 文件"))
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True, verbose_name=_("PDF 的 SHA-256 校验值"))
    # Staff may take an issued public reply off the public page, with a reason.
    unpublished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("撤销公开时间"))
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撤销公开人"),
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

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions", verbose_name=_("答复"))
    version = models.PositiveIntegerField(verbose_name=_("版本"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("保存人")
    )
    saved_at = models.DateTimeField(default=timezone.now, verbose_name=_("保存时间"))
    data = models.JSONField(verbose_name=_("内容"))

    class Meta:
        verbose_name = _("答复版本")
        verbose_name_plural = _("答复版本")
        ordering = ["reply_id", "version"]
        constraints = [models.UniqueConstraint(fields=["reply", "version"], name="reply_version_unique")]

    def __str__(self) -> str:
        return f"{self.reply} v{self.version}"


# The versions of this app's records (django-simple-history), made now that the models exist.
from . import history  # noqa: E402, F401


class TitleStyle(models.TextChoices):
    """How a letter's default title reads; {where} is "市政协八届三次会议", {number} "第 TA0207 号"."""

    ABOUT_REPLY = "关于{where}{number}提案的答复", _("关于……提案的答复")
    TO_REPLY = "对{where}{number}提案的答复", _("对……提案的答复")
    ABOUT_LETTER = "关于{where}{number}提案的复函", _("关于……提案的复函")
    TO_LETTER = "对{where}{number}提案的复函", _("对……提案的复函")
    ABOUT_REPLY_LETTER = "关于{where}{number}提案的答复函", _("关于……提案的答复函")


class ClassMarkStyle(models.TextChoices):
    TOP_RIGHT = "top_right", _("右上角“A 类”")
    LINE = "line", _("单独一行“类别：B”")
    WITH_DOC_NUMBER = "with_doc_number", _("发文字号后“B”")
    NONE = "none", _("不标注")


class AddresseeStyle(models.TextChoices):
    FIRST_ETC = "first_etc", _("第一提案人加“等”：张三等委员：")
    ALL_NAMES = "all_names", _("全体提案人：张三、李四、王五委员：")


class MergedReplyStyle(models.TextChoices):
    """How a merged group (并案) is answered."""

    ONE_LETTER = "one_letter", _("一份答复，主送全部提案人")
    COPY_EACH = "copy_each", _("每件提案的提案人各收一份")


class ContactPlace(models.TextChoices):
    BEFORE_SIGNATURE = "before_signature", _("落款之前")
    AFTER_DATE = "after_date", _("成文日期之后（附注位置）")


class LetterProfile(models.Model):
    """How a committee's letters (or one agency's, overriding its committee's) are laid out: the
    title, the class mark, the header lines, the addressee, the contact block, the closings, the
    end block and the publication mark. Without a profile a letter is laid out as TA0207 is
    (``replies.profiles.DEFAULT_PROFILE``: this model's defaults)."""

    committee = models.ForeignKey(
        "proposals.Committee", verbose_name=_("政协委员会"), on_delete=models.CASCADE, related_name="letter_profiles"
    )
    agency = models.ForeignKey(
        "proposals.Agency",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="letter_profiles",
        help_text=_("留空则为本委员会各承办单位的默认格式"),
    )
    name = models.CharField(_("名称"), max_length=50)
    title_style = models.CharField(_("标题"), max_length=40, choices=TitleStyle.choices, default=TitleStyle.ABOUT_REPLY)
    class_mark = models.CharField(
        _("答复类别标注"), max_length=20, choices=ClassMarkStyle.choices, default=ClassMarkStyle.TOP_RIGHT
    )
    signer_line = models.BooleanField(_("印签发人"), default=False, help_text=_("发文字号同一行右侧印“签发人：姓名”"))
    addressee_style = models.CharField(
        _("主送"), max_length=20, choices=AddresseeStyle.choices, default=AddresseeStyle.FIRST_ETC
    )
    contact_place = models.CharField(
        _("联系方式位置"), max_length=20, choices=ContactPlace.choices, default=ContactPlace.BEFORE_SIGNATURE
    )
    show_leader = models.BooleanField(_("印负责人行"), default=True)
    leader_label = models.CharField(
        _("负责人行的称谓"), max_length=20, default="负责人", help_text=_("如 承办负责人、主管领导、分管领导")
    )
    handler_label = models.CharField(
        _("承办人行的称谓"), max_length=20, default="承办人", help_text=_("如 经办人、联系人")
    )
    phone_label = models.CharField(_("电话行的称谓"), max_length=20, default="联系电话")
    combine_handler_phone = models.BooleanField(
        _("承办人与电话合为一行"), default=False, help_text=_("印为“经办人及联系电话：姓名 电话”")
    )
    closings = models.TextField(
        _("结束语"),
        blank=True,
        help_text=_(
            "每行一条，第一条为新答复的默认结束语；留空则用“感谢您对我们工作的关心和支持，欢迎今后提出更多宝贵意见。”"
        ),
    )
    show_report_to = models.BooleanField(_("印“报”"), default=False)
    show_copy_to = models.BooleanField(_("印“抄送”"), default=True)
    show_printed = models.BooleanField(_("印“印发机关和印发日期”"), default=False)
    publication_mark = models.BooleanField(
        _("印公开属性"), default=False, help_text=_("成文日期后印“（此件主动公开）”等")
    )
    merged_reply = models.CharField(
        _("并案答复方式"), max_length=20, choices=MergedReplyStyle.choices, default=MergedReplyStyle.ONE_LETTER
    )

    class Meta:
        verbose_name = _("答复函格式")
        verbose_name_plural = _("答复函格式")
        ordering = ["committee", "agency", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee"], condition=models.Q(agency__isnull=True), name="letter_profile_one_per_committee"
            ),
            models.UniqueConstraint(fields=["committee", "agency"], name="letter_profile_one_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.agency is not None and self.committee_id and self.agency.committee_id != self.committee_id:
            raise ValidationError({"agency": _("承办单位不属于所选的政协委员会。")})
        if self.committee_id and not self.show_leader and self.committee.leader_required:
            raise ValidationError({"show_leader": _("本委员会要求签发须填负责人，格式中不能去掉负责人行。")})

    @property
    def closing_presets(self) -> list[str]:
        return [line.strip() for line in self.closings.splitlines() if line.strip()]


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待报告")
    FILED = "filed", _("已报告")
    # A later round's reply (re-handling) answers the proposal again: its own class decides anew.
    SUPERSEDED = "superseded", _("已由新一轮答复取代")


class FollowUpQuerySet(models.QuerySet):
    """The follow-up states other modules filter on, named once."""

    def open(self) -> FollowUpQuerySet:
        return self.filter(status=FollowUpStatus.OPEN)

    def overdue(self, today=None) -> FollowUpQuerySet:
        """Open and past the report's deadline (``FollowUp.is_overdue`` is the same rule)."""
        return self.open().filter(due_date__lt=today or timezone.localdate())


class FollowUp(models.Model):
    """跟踪办理: an issued reply of a class the committee follows up, reported on again by the agency.

    Opened when the reply is issued (``replies.followup``), with its own deadline; the agency files
    a report and, when the matter has moved on, the class it is in now (the issued letter is never
    changed: ``replies.rules.effective_class`` reads the latest class from here). A report whose
    class is still followed up opens the next round.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("交办")
    )
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("答复"))
    round = models.PositiveSmallIntegerField(_("跟踪轮次"), default=1)
    status = models.CharField(
        _("状态"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True
    )
    due_date = models.DateField(_("报告时限"), db_index=True)
    report = models.TextField(_("办理情况报告"), blank=True)
    class_before = models.CharField(_("原答复类别"), max_length=8)
    class_after = models.CharField(_("现答复类别"), max_length=8, blank=True)
    filed_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟踪办理")
        verbose_name_plural = _("跟踪办理")
        ordering = ["assignment_id", "reply_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "round"], name="follow_up_one_per_round"),
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(status="open"), name="follow_up_one_open_per_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reply} · {self.round}"

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_date < timezone.localdate()
