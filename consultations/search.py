"""The staff proposal search also looks in consultation records (``proposals.search.RELATED_TEXT_SOURCES``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .selectors import consultations_visible_to


def proposals_with_record_text(user: Any, term: str) -> QuerySet:
    """The ids of the proposals with a consultation record ``user`` may see whose reply points or
    member's opinion contain ``term`` (its main content is the proposal's own, searched already)."""
    return (
        consultations_visible_to(user)
        .filter(Q(reply_points__icontains=term) | Q(opinion_text__icontains=term))
        .values_list("assignment__proposal_id", flat=True)
    )
