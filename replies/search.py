"""The staff proposal search also looks in reply letters (``proposals.search.RELATED_TEXT_SOURCES``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .selectors import replies_visible_to


def proposals_with_reply_text(user: Any, term: str) -> QuerySet:
    """The ids of the proposals with a reply ``user`` may see whose title or body contains ``term``."""
    return (
        replies_visible_to(user)
        .filter(Q(title__icontains=term) | Q(body__icontains=term))
        .values_list("assignment__proposal_id", flat=True)
    )
