"""The checks every service of this app shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..errors import DomainError
from ..models import Proposal
from ..roles import NOT_ALLOWED


def require(condition: bool, message=NOT_ALLOWED) -> None:
    if not condition:
        raise DomainError(message)


# A meeting, member, agency, category or reason of another committee than the proposal's.
OF_OTHER_COMMITTEE = _("所选的%(what)s不属于本提案所在的政协委员会。")


def require_same_committee(committee_id: int, records: Iterable[Any], what) -> None:
    """Every record (None skipped) belongs to ``committee_id``: no proposal of one committee names
    another committee's members, agencies, categories or decline reasons."""
    for record in records:
        if record is not None and record.committee_id != committee_id:
            raise DomainError(OF_OTHER_COMMITTEE % {"what": what}, code="other_committee")


def full_clean(proposal: Proposal) -> None:
    try:
        proposal.full_clean(exclude=["created_by", "search_text"], validate_constraints=False)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc
