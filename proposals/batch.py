"""Batch actions on the staff list (issue 20): one action applied to many proposals.

Every row goes through the service of the single action (``proposals.services``): the rules live
there once, and each call is its own transaction, so a row that the service refuses is reported
with the service's message and does not stop the others. Nothing here decides whether a move is
legal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .errors import DomainError
from .models import Agency, Assignment, AssignmentRole, DeclineReason, Proposal, User

# More than this many rows in one batch is refused: the rows run inline in the request, and a
# meeting's whole intake by mistake should take a second thought (a narrower filter).
MAX_BATCH = 500

TOO_MANY = _("一次最多处理 %(max)s 件提案，请缩小筛选范围。")
NOTHING_CHOSEN = _("请先选择要处理的提案。")


class BatchAction(models.TextChoices):
    REGISTER = "register", _("立案")
    DECLINE = "decline", _("不予立案")
    ASSIGN = "assign", _("交办")
    KEY = "key", _("列为重点")
    URGE = "urge", _("催办")


@dataclass(frozen=True)
class BatchSpec:
    """What to do to every row: the action and what it needs (a reason, an agency, a note)."""

    action: str
    reason: DeclineReason | None = None
    agency: Agency | None = None
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """One row's result: the proposal as the service left it (or as it was), and the refusal."""

    proposal: Proposal
    error: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _urge(proposal: Proposal, actor: User, note: str) -> str:
    """催办 each live assignment of the proposal through ``assignment_urge``; the agencies it urged.

    Refused (``DomainError``) when no assignment could be urged; the ones refused beside an urged
    one are named in the detail."""
    assignments = list(
        Assignment.objects.filter(proposal=proposal).live().select_related("agency").order_by("role", "id")
    )
    urged: list[str] = []
    refused: list[str] = []
    for assignment in assignments:
        try:
            services.assignment_urge(assignment=assignment, actor=actor, note=note)
        except DomainError as exc:
            refused.append(f"{assignment.agency.name}：{exc.message}")
        else:
            urged.append(assignment.agency.name)
    if not urged:
        raise DomainError("；".join(refused) if refused else services.NOT_URGEABLE)
    return "；".join([str(_("已催办 %(agencies)s") % {"agencies": "、".join(urged)}), *refused])


def _apply(spec: BatchSpec, proposal: Proposal, actor: User) -> tuple[Proposal, str]:
    """Run the single action's service on one proposal; (the proposal afterwards, a detail)."""
    if spec.action == BatchAction.REGISTER:
        return services.proposal_register(proposal=proposal, actor=actor), ""
    if spec.action == BatchAction.DECLINE:
        return services.proposal_decline(proposal=proposal, actor=actor, reason=spec.reason, note=spec.note), ""
    if spec.action == BatchAction.ASSIGN:
        if spec.agency is None:
            raise DomainError(services.ASSIGN_NEEDS_ANSWERER)
        # No due date: the default rule of the meeting, as the single 交办 form leaves it.
        lead = services.AssignmentSpec(agency=spec.agency, role=AssignmentRole.LEAD)
        services.proposal_assign(proposal=proposal, actor=actor, specs=[lead])
        return proposal, ""
    if spec.action == BatchAction.KEY:
        return services.proposal_set_key(proposal=proposal, actor=actor, is_key=True, note=spec.note), ""
    if spec.action == BatchAction.URGE:
        return proposal, _urge(proposal, actor, spec.note)
    raise ValueError(f"unknown batch action {spec.action!r}")


def run_batch(*, spec: BatchSpec, proposals: Iterable[Proposal], actor: User) -> list[Outcome]:
    """Apply ``spec`` to each proposal, in order, each in its own transaction; one outcome per row.

    The caller chooses the rows (what ``actor`` may see, at most ``MAX_BATCH``); the services check
    the actor's right and each proposal's state again."""
    outcomes: list[Outcome] = []
    for proposal in proposals:
        try:
            # A savepoint of its own even inside a request's transaction: a refused row undoes
            # only itself.
            with transaction.atomic():
                after, detail = _apply(spec, proposal, actor)
        except DomainError as exc:
            outcomes.append(Outcome(proposal=proposal, error=exc.message))
        else:
            outcomes.append(Outcome(proposal=after, detail=detail))
    # The rows as they are now (a new number, a new status), with what their number is shown by.
    fresh = Proposal.objects.select_related("meeting", "committee").in_bulk([o.proposal.pk for o in outcomes])
    return [replace(o, proposal=fresh.get(o.proposal.pk, o.proposal)) for o in outcomes]
