"""Proposals, their co-signers and their attachments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AttachmentPurpose, CosignMethod, CosignStatus, ProposalStatus, ProposerKind
from ..numbers import display_number
from ..validators import validate_phone
from .committee import Committee
from .labels import choice_label
from .registry import Agency, Category, DeclineReason, Meeting, Member

# A proposal's long texts: real proposals run to a few thousand characters; the cap keeps a pasted
# book out of the letters, the record form and the PDFs (issue 18, finding 11). Forms, services
# (through full_clean) and the consultation record's copy of the content all read this one value.
TEXT_MAX_CHARS = 20_000
# The proposer's reason for refusing publication: a few sentences, quoted into the reply's 不公开理由.
REFUSAL_REASON_MAX_CHARS = 1_000


class Proposal(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="proposals")
    # The meeting's committee, kept here (like ``meeting_order``) so that a committee's lists are
    # ranges of this table's indexes; set by save() from the meeting.
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("政协委员会"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="proposals",
    )
    between_meetings = models.BooleanField(_("闭会期间提案"), default=False)
    number = models.CharField(_("提案编号"), max_length=20, blank=True, db_index=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    proposer_kind = models.CharField(
        _("提案人类型"), max_length=20, choices=ProposerKind.choices, default=ProposerKind.INDIVIDUAL
    )
    first_proposer = models.ForeignKey(
        Member,
        verbose_name=_("第一提案人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_proposals",
    )
    cosigners = models.ManyToManyField(
        Member,
        verbose_name=_("联名提案人"),
        blank=True,
        through="ProposalCosigner",
        related_name="cosigned_proposals",
    )
    body_name = models.CharField(
        _("提案单位"), max_length=100, blank=True, help_text=_("党派、界别、专门委员会或人民团体")
    )
    body_contact = models.CharField(_("联系人"), max_length=50, blank=True)
    body_contact_phone = models.CharField(_("联系人电话"), max_length=30, blank=True, validators=[validate_phone])
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    main_content = models.TextField(_("主要内容"), validators=[MaxLengthValidator(TEXT_MAX_CHARS)])
    reason = models.TextField(_("案由"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_CHARS)])
    suggestions = models.TextField(_("建议"), blank=True, validators=[MaxLengthValidator(TEXT_MAX_CHARS)])
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    # The proposer's own choices on the proposal form (issue 21, item 6): the agencies they think
    # should answer (staff see them when assigning; the assignment is still staff's), and whether
    # the answer may be published. A refusal keeps every reply to it off the public pages.
    suggested_agencies = models.ManyToManyField(
        Agency, verbose_name=_("建议承办单位"), blank=True, related_name="suggested_in"
    )
    publication_consent = models.BooleanField(_("是否同意公开"), default=True)
    publication_refusal_reason = models.TextField(
        _("不同意公开的理由"), blank=True, validators=[MaxLengthValidator(REFUSAL_REASON_MAX_CHARS)]
    )
    # 并案: a proposal merged into a group points at the group's lead (the lead points at none).
    # Assignment, reply and deadlines follow the lead; each member keeps its number and proposer.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并案主提案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_proposals",
        db_index=False,  # the partial index proposal_merged_into below
    )
    merged_at = models.DateTimeField(_("并案时间"), null=True, blank=True)
    is_key = models.BooleanField(_("重点提案"), default=False, db_index=True)
    key_note = models.TextField(_("督办说明"), blank=True)
    decline_reason = models.ForeignKey(
        DeclineReason, verbose_name=_("不予立案理由"), null=True, blank=True, on_delete=models.PROTECT
    )
    decline_note = models.TextField(_("不予立案说明"), blank=True)
    converted_to_opinion = models.BooleanField(_("转为意见建议"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="created_proposals",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_note = models.TextField(_("办结说明"), blank=True)
    # Bigram index of title + main content for Chinese substring search (see proposals.search).
    search_text = models.TextField(editable=False, blank=True, default="", verbose_name=_("检索文本"))
    # The meeting's ``sort_key``, kept here so that the lists' order (latest meeting first, then by
    # number) is one index of this table: a page is read from the index and stops after its rows,
    # where sorting on the joined meeting made PostgreSQL sort every match of a filter first.
    meeting_order = models.PositiveIntegerField(editable=False, default=0, verbose_name=_("会议内排序"))
    # The earliest due date of the live (not returned) assignments, so the list sorts by 办理时限 on an
    # index of this table instead of a subquery per proposal (100,000 proposals: 0.2–2 s a page).
    # Kept by Assignment.save()/delete(); rows written around them need ``refresh_next_due()``.
    next_due = models.DateField(_("办理时限"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-meeting_order", "sequence", "id"]  # latest meeting first (see meeting_order)
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                condition=~Q(number=""),
                name="proposal_number_unique_in_meeting",
            ),
        ]
        indexes = [
            # Of the few merged proposals only: a plain index of a column that is nearly always NULL
            # has statistics saying a lookup returns every row, and SQLite then scanned the table for
            # a member's groups (60 ms a query at 100,000). ``merged_into_id IN (…)`` implies NOT NULL,
            # so both databases use it.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="proposal_merged_into"),
            models.Index(fields=["meeting", "status"], name="proposal_meeting_status"),
            models.Index(fields=["meeting", "sequence"], name="proposal_meeting_seq"),
            # The lists' order, with the columns of the staff visibility rule: a page is an index-only
            # scan that stops after its rows (PostgreSQL, agency filter: page query 33–63 → 2 ms).
            models.Index(
                fields=["-meeting_order", "sequence", "id", "status", "created_by"], name="proposal_list_order"
            ),
            # Covers the staff visibility rule (NOT draft OR own) with the default order, so the list's
            # count reads only this index: at 100,000 proposals ~10 ms instead of ~200 ms. With the id
            # at the end it also answers the count of a list filtered by agency, joined to
            # ``assignment_agency_live``, without reading the 1.6 kB rows (PostgreSQL: 89 → 37 ms).
            models.Index(fields=["status", "created_by", "meeting", "sequence", "id"], name="proposal_visible_cover"),
            # The same two for a committee's staff, whose every list is one committee's: a range of
            # the committee's entries, read in the list's order (issue 15: 20 committees at 100,000).
            models.Index(
                fields=["committee", "-meeting_order", "sequence", "id", "status", "created_by"],
                name="proposal_committee_order",
            ),
            models.Index(
                fields=["committee", "status", "created_by", "meeting", "sequence", "id"],
                name="proposal_committee_cover",
            ),
            # The visibility columns by id: a count of the proposals ``IN`` a set of ids (the list's
            # count under an assignment filter, ``ProposalFilter.count_qs``) looks each one up here
            # instead of in its 1.6 kB row (SQLite, busiest agency: 61 → 13 ms).
            models.Index(fields=["id", "status", "created_by"], name="proposal_id_visible"),
            # The list's other sort columns (``o=due``, ``number``, ``title``, ``created``), each with the
            # visibility columns, so a sorted page is walked from an index instead of sorting the table
            # (100,000 proposals, by title: SQLite 105 ms, PostgreSQL 130 ms a page). Staff sort within
            # their committee, so the committee leads; an administrator's list of every committee
            # sorted by one of these is the rare case that sorts.
            models.Index(fields=["committee", "next_due", "id", "status", "created_by"], name="proposal_next_due"),
            models.Index(fields=["committee", "sequence", "id", "status", "created_by"], name="proposal_by_sequence"),
            models.Index(fields=["committee", "title", "id", "status", "created_by"], name="proposal_by_title"),
            models.Index(fields=["committee", "created_at", "id", "status", "created_by"], name="proposal_by_created"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.title}" if self.number else self.title

    def save(self, *args, **kwargs) -> None:
        # Derived index columns, not workflow: kept in step with the text and the meeting they index.
        from ..search import proposal_search_text

        self.search_text = proposal_search_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "meeting" in update_fields:
            self.meeting_order = self.meeting.sort_key
            self.committee_id = self.meeting.committee_id
        if update_fields is None and self.pk is not None:
            # A full save writes every column: not a next_due read before an assignment changed.
            self.next_due = self.assignments.live().order_by("due_date").values_list("due_date", flat=True).first()
        if update_fields is not None and {"title", "main_content", "number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        if update_fields is not None and "meeting" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "meeting_order", "committee"}
        super().save(*args, **kwargs)

    @property
    def display_number(self) -> str:
        if not self.number:
            return ""
        # A version from the history has no committee of its own (it is derived): its meeting's.
        committee_id: int | None = self.committee_id
        committee = self.committee if committee_id is not None else self.meeting.committee
        return display_number(self.number, committee.number_style)

    @property
    def status_label(self):
        return choice_label(ProposalStatus, self.status)

    @property
    def proposer_display(self) -> str:
        if self.proposer_kind == ProposerKind.BODY:
            return self.body_name
        first = self.first_proposer
        if first is None:
            return ""
        if self.proposer_kind == ProposerKind.JOINT:
            return _("%(name)s等") % {"name": first.name}
        return first.name


class ProposalCosigner(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, verbose_name=_("提案"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, verbose_name=_("委员"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("排序"))
    # Confirmation (附议确认): rows on proposals filed before a committee asked for it are confirmed.
    status = models.CharField(
        _("确认状态"), max_length=10, choices=CosignStatus.choices, default=CosignStatus.CONFIRMED
    )
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    due_date = models.DateField(_("确认期限"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirm_method = models.CharField(_("确认方式"), max_length=10, choices=CosignMethod.choices, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认录入人"),
    )
    # A paper confirmation's scan (纸质确认书): the only trace of the member's own consent.
    paper_scan = models.ForeignKey(
        "Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("纸质确认书扫描件"),
    )

    class Meta:
        verbose_name = _("联名提案人")
        verbose_name_plural = _("联名提案人")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="cosigner_unique"),
        ]

    def __str__(self) -> str:
        return str(self.member)


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("提案"))
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 校验值"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(default=timezone.now, verbose_name=_("上传时间"))
    purpose = models.CharField(
        _("用途"), max_length=20, choices=AttachmentPurpose.choices, default=AttachmentPurpose.PROPOSAL
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
