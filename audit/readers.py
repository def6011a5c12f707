"""Who may read the audit trail in the browser (/audit/).

The audit app knows no roles: the user model and its roles belong to the proposals app, above audit
in the dependency graph. That app names the rule (its auditor predicate) with ``set_trail_reader``
in its ``AppConfig.ready``; until a rule is set, nobody may read the trail and the page is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_reader: Callable[[Any], bool] | None = None


def set_trail_reader(rule: Callable[[Any], bool]) -> None:
    global _reader
    _reader = rule


def may_read_trail(user: Any) -> bool:
    return _reader is not None and bool(_reader(user))
