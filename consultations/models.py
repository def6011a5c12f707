"""Consultation records (面商记录表), member sign-off, and satisfaction ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, Member
from replies.models import Reply


class Method(models.TextChoices):
    IN_PERSON = "in_person", _("当面")
    PHONE = "phone", _("电话")
    MEETING = "meeting", _("座谈")
    SITE = "site", _("现场察看")


class ConsultationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已面商")
    SIGNED = "signed", _("已签字")


class Opinion(models.TextChoices):
    AGREE = "agree", _("同意")
    MOSTLY = "mostly", _("基本同意")
    DISAGREE = "disagree", _("不同意")


class SignMethod(models.TextChoices):
    ONLINE = "online", _("网上签字")
    PAPER = "paper", _("纸质签字")


class Consultation(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("交办")
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    member = models.ForeignKey(Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="consultations")
    status = models.CharField(
        _("状态"), max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.SCHEDULED
    )
    held_at = models.DateTimeField(_("面商时间"))
    place = models.CharField(_("面商地点"), max_length=200)
    method = models.CharField(_("面商方式"), max_length=20, choices=Method.choices, default=Method.IN_PERSON)
    host_name = models.CharField(_("面商人"), max_length=50)
    host_phone = models.CharField(_("面商人联系电话"), max_length=30)
    # Copied at the moment of the record so later edits of the member or proposal do not change it.
    agency_name = models.CharField(_("承办单位"), max_length=100, blank=True)
    proposal_number = models.CharField(_("提案编号"), max_length=20, blank=True)
    member_name = models.CharField(_("委员姓名"), max_length=50, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=200, blank=True)
    member_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    main_content = models.TextField(_("提案主要内容"), blank=True)
    reply_points = models.TextField(_("答复意见要点"), blank=True)
    handling_class = models.CharField(_("办理情况"), max_length=8, blank=True)
    reply = models.ForeignKey(
        Reply,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("所依据的答复"),
    )
    reply_version = models.PositiveIntegerField(_("所据答复版本"), null=True, blank=True)
    opinion = models.CharField(_("委员意见"), max_length=10, choices=Opinion.choices, blank=True)
    opinion_text = models.TextField(_("委员意见和要求"), blank=True)
    signature = models.ImageField(_("签名"), upload_to="signatures/%Y/", blank=True)
    sign_method = models.CharField(_("签字方式"), max_length=10, choices=SignMethod.choices, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签字人"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("签字 IP 地址"))
    signature_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("签名图片的 SHA-256 校验值"))
    paper_scan = models.FileField(_("纸质记录表扫描件"), upload_to="consultation-scans/%Y/", blank=True)
    paper_scan_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("纸质扫描件的 SHA-256 校验值"))
    paper_scan_type = models.CharField(max_length=100, blank=True, verbose_name=_("纸质扫描件类型"))
    # Who typed in a paper sign-off (the member signed the paper form, not the system).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    content_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("内容的 SHA-256 校验值"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("更新时间"))
    pdf = models.FileField(upload_to="consultations/%Y/", blank=True, verbose_name=_("PDF 文件"))
    pdf_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("PDF 的 SHA-256 校验值"))

    # Not stored; set on an instance only by the code named. The schedule and record services
    # (consultation_schedule, consultation_record) return the record with the held-at warnings to
    # show; the assignment page (views._rounds) marks what the user may do with each record.
    warnings: list[str]
    can_edit: bool
    can_sign: bool
    can_sign_paper: bool
    # The views that show a joint record's proposers (views._rounds, sign, paper): every proposer's
    # line (services.signers.SignerLine), empty on a one-member record.
    joint_lines: list

    class Meta:
        verbose_name = _("面商记录")
        verbose_name_plural = _("面商记录")
        ordering = ["assignment_id", "round", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_number} {self.agency_name} {self.member_name}"

    @property
    def is_locked(self) -> bool:
        return self.status == ConsultationStatus.SIGNED


class ConsultationSigner(models.Model):
    """A proposer of a joint proposal (or of a merged group) who signs the record beside its member.

    The record's own ``member`` and signing fields stay the first proposer's, as on every record
    signed before joint signing existed (so their content hash and verification are unchanged);
    each other proposer has one row here, in the order of ``proposals.proposers``. A record without
    rows is a one-member record. The record is 已签字 once its member and every row have signed.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="signers", verbose_name=_("面商记录")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="consultation_signatures", verbose_name=_("委员")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    # Copied when the record is filled in, like the record's own member_name.
    member_name = models.CharField(_("委员姓名"), max_length=50, blank=True)
    opinion = models.CharField(_("委员意见"), max_length=10, choices=Opinion.choices, blank=True)
    opinion_text = models.TextField(_("委员意见和要求"), blank=True)
    sign_method = models.CharField(_("签字方式"), max_length=10, choices=SignMethod.choices, blank=True)
    signature = models.ImageField(_("签名"), upload_to="signatures/%Y/", blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("签名图片的 SHA-256 校验值"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签字人"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("签字 IP 地址"))
    paper_scan = models.FileField(_("纸质记录表扫描件"), upload_to="consultation-scans/%Y/", blank=True)
    paper_scan_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("纸质扫描件的 SHA-256 校验值"))
    paper_scan_type = models.CharField(max_length=100, blank=True, verbose_name=_("纸质扫描件类型"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("面商记录签字人")
        verbose_name_plural = _("面商记录签字人")
        ordering = ["consultation_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "member"], name="consultation_signer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} {self.member_name or self.member}"

    @property
    def is_signed(self) -> bool:
        return bool(self.sign_method)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ContactMethod(models.TextChoices):
    """How the agency consulted the proposer, as the proposer reports it on a two-score rating."""

    FACE_TO_FACE = "face_to_face", _("面商")
    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")
    NONE = "none", _("未沟通")


class Rating(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("交办"))
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    member = models.ForeignKey(Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="ratings")
    # One score (the committee's rating mode "single"), or the overall score beside the two scores
    # and the contact method ("two_scores"); consultations.ratings derives ``value`` from the two.
    value = models.CharField(_("测评结果"), max_length=20, choices=Satisfaction.choices)
    attitude = models.CharField(_("办理态度"), max_length=20, choices=Satisfaction.choices, blank=True)
    result = models.CharField(_("办理结果"), max_length=20, choices=Satisfaction.choices, blank=True)
    contact_method = models.CharField(_("沟通方式"), max_length=20, choices=ContactMethod.choices, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    on_behalf = models.BooleanField(_("代为录入"), default=False)
    paper_form = models.FileField(_("纸质测评表"), upload_to="rating-forms/%Y/", blank=True)
    paper_form_type = models.CharField(max_length=100, blank=True, verbose_name=_("纸质测评表类型"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("更新时间"))

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["assignment_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round", "member"], name="rating_once_per_member_round"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_value_display()}"


# The versions of this app's records (django-simple-history), made now that the models exist.
from . import history  # noqa: E402, F401
