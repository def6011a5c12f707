"""Registry: committee meetings, members, agencies, users and roles, proposals, assignments, timeline.

Status fields are only ever assigned in ``proposals.services`` (and the services of the apps that
build on this one); nothing here has workflow in ``save()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from documents.formats import chinese_numeral

from . import deadlines
from .choices import (
    ANSWERING_ROLES,
    OPEN_ASSIGNMENT_STATES,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    ProposalAction,
    ProposalStatus,
    ProposerKind,
    Role,
)
from .validators import validate_phone

__all__ = [
    "ANSWERING_ROLES",
    "OPEN_ASSIGNMENT_STATES",
    "AssignmentRole",
    "AssignmentStatus",
    "ExtensionStatus",
    "ProposalAction",
    "ProposalStatus",
    "ProposerKind",
    "Role",
]


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


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a system administrator; the default role (member) would need a member record.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    objects = UserManager()

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("所属承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    member = models.OneToOneField(
        Member,
        verbose_name=_("对应委员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["handler", "leader"]) | Q(agency__isnull=False),
                name="user_agency_role_has_agency",
            ),
            models.CheckConstraint(
                condition=~Q(role="member") | Q(member__isnull=False),
                name="user_member_role_has_member",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username



def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` in the active language, as ``get_FOO_display()`` gives it.

    ``get_FOO_display()`` makes the field's choices hashable on every call, which translates every
    label of the field; a list page calls it for each row and each assignment. The label depends
    only on the value and the language, so it is remembered per process.
    """
    return _choice_label(choices, value, get_language())


@lru_cache(maxsize=1024)
def _choice_label(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    try:
        return str(choices(value).label)  # translated in ``language``, the active one
    except ValueError:
        return value


class Proposal(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="proposals")
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
    main_content = models.TextField(_("主要内容"))
    reason = models.TextField(_("案由"), blank=True)
    suggestions = models.TextField(_("建议"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
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
    search_text = models.TextField(editable=False, blank=True, default="")
    # The meeting's ``sort_key``, kept here so that the lists' order (latest meeting first, then by
    # number) is one index of this table: a page is read from the index and stops after its rows,
    # where sorting on the joined meeting made PostgreSQL sort every match of a filter first.
    meeting_order = models.PositiveIntegerField(editable=False, default=0)
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
            # The visibility columns by id: a count of the proposals ``IN`` a set of ids (the list's
            # count under an assignment filter, ``ProposalFilter.count_qs``) looks each one up here
            # instead of in its 1.6 kB row (SQLite, busiest agency: 61 → 13 ms).
            models.Index(fields=["id", "status", "created_by"], name="proposal_id_visible"),
            # The list's other sort columns (``o=due``, ``number``, ``title``, ``created``), each with the
            # visibility columns, so a sorted page is walked from an index instead of sorting the table
            # (100,000 proposals, by title: SQLite 105 ms, PostgreSQL 130 ms a page).
            models.Index(fields=["next_due", "id", "status", "created_by"], name="proposal_next_due"),
            models.Index(fields=["sequence", "id", "status", "created_by"], name="proposal_by_sequence"),
            models.Index(fields=["title", "id", "status", "created_by"], name="proposal_by_title"),
            models.Index(fields=["created_at", "id", "status", "created_by"], name="proposal_by_created"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.title}" if self.number else self.title

    def save(self, *args, **kwargs) -> None:
        # Derived index columns, not workflow: kept in step with the text and the meeting they index.
        from .search import proposal_search_text

        self.search_text = proposal_search_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "meeting" in update_fields:
            self.meeting_order = self.meeting.sort_key
        if update_fields is None and self.pk is not None:
            # A full save writes every column: not a next_due read before an assignment changed.
            self.next_due = _earliest_live_due().filter(proposal=self.pk).first()
        if update_fields is not None and {"title", "main_content", "number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        if update_fields is not None and "meeting" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "meeting_order"}
        super().save(*args, **kwargs)

    @property
    def display_number(self) -> str:
        return f"第 {self.number} 号" if self.number else ""

    @property
    def status_label(self):
        return choice_label(ProposalStatus, self.status)

    @property
    def proposer_display(self) -> str:
        if self.proposer_kind == ProposerKind.BODY:
            return self.body_name
        if self.first_proposer_id is None:
            return ""
        if self.proposer_kind == ProposerKind.JOINT:
            return _("%(name)s等") % {"name": self.first_proposer.name}
        return self.first_proposer.name


class ProposalCosigner(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE)
    member = models.ForeignKey(Member, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

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
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


def live_assignment_q(prefix: str = "") -> Q:
    """``Assignment.objects.live()`` as a condition on a related assignment (``prefix`` like
    ``"assignment__"``), for queries that start from another model."""
    return ~Q(**{f"{prefix}status": AssignmentStatus.RETURNED})


class AssignmentQuerySet(models.QuerySet):
    """The assignment states other apps filter on, named once."""

    def live(self) -> AssignmentQuerySet:
        """Not returned: a returned assignment is no longer the agency's (staff re-assign it)."""
        return self.filter(live_assignment_q())

    def open(self) -> AssignmentQuerySet:
        """Still to be worked on: pending, accepted or re-handling. Deadlines apply to these."""
        return self.filter(status__in=OPEN_ASSIGNMENT_STATES)

    def answering(self) -> AssignmentQuerySet:
        """Live lead and split assignments: the ones that answer the member (co-handlers do not)."""
        return self.live().filter(role__in=ANSWERING_ROLES)

    def overdue(self, today: dt.date | None = None) -> AssignmentQuerySet:
        """Open and past their due date."""
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def returned_waiting(self) -> AssignmentQuerySet:
        """Returned and not yet re-assigned: staff's to-do."""
        return self.filter(status=AssignmentStatus.RETURNED, replaced_by__isnull=True)


def _earliest_live_due():
    return Assignment.objects.live().order_by("due_date").values_list("due_date", flat=True)


def refresh_next_due(proposal_ids: Iterable[int] | None = None) -> int:
    """Recompute ``Proposal.next_due`` of these proposals (all when None); returns the rows changed."""
    if proposal_ids is None:  # after bulk writes (bench_data): one statement for the table
        return Proposal.objects.update(next_due=Subquery(_earliest_live_due().filter(proposal=OuterRef("pk"))[:1]))
    changed = 0
    with transaction.atomic():
        # Lock first, then read: an UPDATE that waited for another transaction's lock on the row
        # would still compute its subquery from the snapshot taken before it waited (PostgreSQL),
        # and miss the assignment that transaction just changed.
        locked = Proposal.objects.select_for_update().filter(pk__in=list(proposal_ids)).values_list("pk", flat=True)
        for pk in list(locked):
            due = _earliest_live_due().filter(proposal=pk).first()
            # Only when it moves: most assignment saves (accept, reply) leave the date as it is.
            changed += Proposal.objects.filter(pk=pk).exclude(next_due=due).update(next_due=due)
    return changed


class Assignment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(Agency, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("办理方式"), max_length=10, choices=AssignmentRole.choices)
    scope = models.CharField(_("分办范围"), max_length=200, blank=True, help_text=_("例如“第二条”"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
        db_index=True,
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("办理时限"), db_index=True)
    original_due_date = models.DateField(_("原办理时限"))
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # Set when staff re-assign a returned assignment: the new assignment that took its place.
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("改交至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["due_date", "id"]
        constraints = [
            # An agency holds at most one live assignment per proposal; a returned one can be re-made.
            models.UniqueConstraint(
                fields=["proposal", "agency"], condition=~Q(status="returned"), name="assignment_agency_once"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="assignment_inbox"),
            # An agency's live assignments as (agency, proposal) pairs: the list's agency filter (and its
            # count) reads them from the index alone.
            models.Index(fields=["agency", "proposal"], condition=~Q(status="returned"), name="assignment_agency_live"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} → {self.agency}（{self.get_role_display()}）"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"due_date", "status", "proposal"} & set(update_fields):
            refresh_next_due([self.proposal_id])  # a derived sort column, not workflow

    def delete(self, *args, **kwargs):
        proposal_id = self.proposal_id
        result = super().delete(*args, **kwargs)
        refresh_next_due([proposal_id])
        return result

    @property
    def role_label(self):
        return choice_label(AssignmentRole, self.role)

    @property
    def status_label(self):
        return choice_label(AssignmentStatus, self.status)

    @property
    def answers_member(self) -> bool:
        """Lead and split handlers answer the member; co-handlers only send their view to the lead."""
        return self.role in ANSWERING_ROLES

    @property
    def is_overdue(self) -> bool:
        return deadlines.is_overdue(self)


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("延期理由"))
    requested_due_date = models.DateField(_("申请延至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    new_due_date = models.DateField(_("批准延至"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due_date}"


class TimelineEvent(models.Model):
    """One transition of a proposal or of one of its parts: who, when, from, to, note."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="timeline")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="timeline")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(_("事项"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["proposal", "at"], name="timeline_proposal_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_label}"

    def _action_label(self) -> str:
        return action_label(self.action)

    _action_label.short_description = _("事项")  # type: ignore[attr-defined]  # the admin's column title
    action_label = property(_action_label)

    @property
    def from_label(self) -> str:
        return state_label(self.from_state, self.action)

    @property
    def to_label(self) -> str:
        return state_label(self.to_state, self.action)


# Status enums whose codes may appear in the timeline. The apps built on this one add theirs from
# their AppConfig.ready() (this app must not import them); an action may name the enum that takes
# precedence, for codes two enums share ("submitted" is 待审查 for a proposal, 待签发 for a reply).
_STATE_CHOICES: list[type[models.TextChoices]] = [ProposalStatus, AssignmentStatus, ExtensionStatus]
_ACTION_STATE_CHOICES: dict[str, type[models.TextChoices]] = {}


# Timeline action codes: this app's, and those the apps built on it add from their AppConfig.ready().
_ACTION_CHOICES: list[type[models.TextChoices]] = [ProposalAction]


def register_action_choices(choices: type[models.TextChoices]) -> None:
    known = {code for c in _ACTION_CHOICES if c is not choices for code in c.values}
    clash = known & set(choices.values)
    if clash:
        raise ValueError(f"timeline action codes registered twice: {sorted(clash)}")
    if choices not in _ACTION_CHOICES:
        _ACTION_CHOICES.append(choices)


def action_choices() -> list[tuple[str, str]]:
    """Every registered action code with its label, in registration order."""
    return [(code, str(label)) for choices in _ACTION_CHOICES for code, label in choices.choices]


def is_known_action(code: str) -> bool:
    return any(code in choices.values for choices in _ACTION_CHOICES)


def action_label(code: str) -> str:
    """The display label of a stored timeline action code (in the active language)."""
    for choices in _ACTION_CHOICES:
        if code in choices.values:
            return str(choices(code).label)
    return code


def register_state_choices(choices: type[models.TextChoices], *, actions: tuple[str, ...] = ()) -> None:
    if choices not in _STATE_CHOICES:
        _STATE_CHOICES.append(choices)
    for action in actions:
        _ACTION_STATE_CHOICES[str(action)] = choices


def state_label(code: str, action: str = "") -> str:
    """The display label of a stored status code, preferring the enum of the event's action."""
    if not code:
        return ""
    preferred = _ACTION_STATE_CHOICES.get(action)
    for choices in ([preferred] if preferred else []) + _STATE_CHOICES:
        if code in choices.values:
            return str(choices(code).label)
    return code


# The versions of this app's records (django-simple-history), made now that the models exist.
from . import history  # noqa: E402, F401
