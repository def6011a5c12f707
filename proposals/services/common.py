"""The checks every service of this app shares."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..errors import DomainError
from ..models import Proposal
from ..roles import NOT_ALLOWED


def require(condition: bool, message=NOT_ALLOWED) -> None:
    if not condition:
        raise DomainError(message)


def full_clean(proposal: Proposal) -> None:
    try:
        proposal.full_clean(exclude=["created_by", "search_text"], validate_constraints=False)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc
