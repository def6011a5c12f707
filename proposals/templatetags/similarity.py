"""The similar-proposals panel of a proposal's page (staff of its committee only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..models import Proposal, ProposalStatus
from ..roles import is_staff_of
from ..similarity import similar_with_shared_words

register = template.Library()

PANEL_SIZE = 10


@dataclass(frozen=True)
class SimilarRow:
    proposal: Proposal
    score: float
    percent: int
    title_html: SafeString
    words: tuple[str, ...]


@register.simple_tag(takes_context=True)
def similar_panel(context: dict[str, Any], proposal: Proposal) -> list[SimilarRow] | None:
    """The rows of the panel, or None when this user is not shown it (not the committee's staff,
    or a draft, which is compared with nothing)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_staff_of(user, proposal.committee_id) or proposal.status == ProposalStatus.DRAFT:
        return None
    return [
        SimilarRow(
            proposal=other,
            score=score,
            percent=round(score * 100),
            title_html=shared.title_html,
            words=shared.words,
        )
        for other, score, shared in similar_with_shared_words(proposal, limit=PANEL_SIZE)
    ]
