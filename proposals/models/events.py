"""The timeline: one event per transition of a proposal or of one of its parts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assignment import Assignment
from .labels import action_label, state_label
from .proposal import Proposal


class TimelineEvent(models.Model):
    """One transition of a proposal or of one of its parts: who, when, from, to, note."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="timeline", verbose_name=_("提案"))
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="timeline", verbose_name=_("交办")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("时间"))
    action = models.CharField(_("事项"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Set on an event entered after the fact (补录, issue 17): ``at`` is the real date the step
    # happened, this is when the actor typed it in. Empty for an event written as it happened.
    entered_at = models.DateTimeField(_("补录时间"), null=True, blank=True)

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
    def is_backfilled(self) -> bool:
        return self.entered_at is not None

    @property
    def from_label(self) -> str:
        return state_label(self.from_state, self.action)

    @property
    def to_label(self) -> str:
        return state_label(self.to_state, self.action)
