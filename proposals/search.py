"""Chinese substring search over proposals.

``bigrams`` builds the index text kept in ``Proposal.search_text``: every overlapping pair of
characters of the searchable fields, so that any substring of two or more characters can be found
by looking for its bigrams. ``search_proposals`` narrows a QuerySet to the proposals whose title or
content contains the query.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

_SPLIT = re.compile(r"[\s\u3000,.;:!?，。；：！？、“”‘’（）()《》【】\[\]<>\"'/\\|-]+")


def _chunks(text: str) -> list[str]:
    return [c for c in _SPLIT.split((text or "").lower()) if c]


def bigrams(*texts: str) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for chunk in _chunks(text):
            if len(chunk) == 1:
                seen.setdefault(chunk, None)
            for i in range(len(chunk) - 1):
                seen.setdefault(chunk[i : i + 2], None)
    return " ".join(seen)


def proposal_search_text(proposal) -> str:
    return bigrams(proposal.title, proposal.main_content, proposal.number)


def search_proposals(qs: QuerySet, query: str) -> QuerySet:
    query = (query or "").strip()
    if not query:
        return qs
    cond = Q()
    for term in query.split():
        cond &= Q(title__icontains=term) | Q(main_content__icontains=term) | Q(number__icontains=term)
    return qs.filter(cond)
