"""Assignments (交办) to agencies, their states as QuerySet methods, and extension requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import deadlines
from ..choices import ANSWERING_ROLES, OPEN_ASSIGNMENT_STATES, AssignmentRole, AssignmentStatus, ExtensionStatus
from .labels import choice_label
from .proposal import Proposal
from .registry import Agency


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
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("提案"))
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
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )
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
            # The open assignments by due date (超期, 本周到期 of the home queues): few of all. Without it
            # PostgreSQL walked the whole due-date index past the closed ones (1.3 million rows skipped,
            # 260 ms at 1,000,000 proposals).
            models.Index(
                fields=["due_date"], condition=Q(status__in=OPEN_ASSIGNMENT_STATES), name="assignment_open_due"
            ),
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
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("交办")
    )
    reason = models.TextField(_("延期理由"))
    requested_due_date = models.DateField(_("申请延至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("审批时间"))
    new_due_date = models.DateField(_("批准延至"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due_date}"
