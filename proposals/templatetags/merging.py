"""The 并案 box of a proposal's page: the group (lead first) and what the user may do with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from ..models import Proposal
from ..proposers import group_proposals
from ..selectors import proposals_visible_to
from ..services.merging import can_merge, can_unmerge

register = template.Library()


@dataclass(frozen=True)
class GroupRow:
    proposal: Proposal
    is_lead: bool
    linked: bool  # the user may open it (its own visibility rule)


@dataclass(frozen=True)
class MergePanel:
    rows: tuple[GroupRow, ...]  # empty: the proposal is in no group
    lead: Proposal | None
    is_merged: bool  # the page's proposal is merged into another
    can_merge: bool  # the "并案" button
    can_unmerge: bool  # the undo buttons


@register.simple_tag(takes_context=True)
def merge_panel(context: dict[str, Any], proposal: Proposal) -> MergePanel | None:
    """The box for the request's user, or None when there is nothing to show them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    group = group_proposals(proposal)
    may_merge = can_merge(user, proposal)
    if len(group) < 2:
        return MergePanel((), None, False, True, False) if may_merge else None
    lead = group[0]
    ids = [p.pk for p in group]
    visible = set(proposals_visible_to(user, with_groups=True).filter(pk__in=ids).values_list("pk", flat=True))
    rows = tuple(GroupRow(p, p.pk == lead.pk, p.pk in visible) for p in group)
    return MergePanel(rows, lead, proposal.pk != lead.pk, may_merge, can_unmerge(user, lead))
