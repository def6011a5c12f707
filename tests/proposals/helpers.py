from __future__ import annotations

import re

import pytest

from proposals.errors import DomainError
from proposals.models import TimelineEvent


def refused(message):
    """pytest.raises for a DomainError carrying exactly this message constant."""
    return pytest.raises(DomainError, match=f"^{re.escape(str(message))}$")


def last_event(proposal) -> TimelineEvent:
    return TimelineEvent.objects.filter(proposal=proposal).latest("at", "id")
