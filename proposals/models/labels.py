"""Labels of stored codes: statuses and roles on the lists, states and actions on the timeline.

The apps built on this one register their own choices from their AppConfig.ready() (this app must
not import them).
"""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.utils.translation import get_language

from ..choices import AssignmentStatus, ExtensionStatus, ProposalAction, ProposalStatus


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` in the active language, as ``get_FOO_display()`` gives it.

    ``get_FOO_display()`` makes the field's choices hashable on every call, which translates every
    label of the field; a list page calls it for each row and each assignment. The label depends
    only on the value and the language, so it is remembered per process.
    """
    return _choice_label(choices, value, get_language())


@lru_cache(maxsize=1024)
def _choice_label(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    try:
        return str(choices(value).label)  # translated in ``language``, the active one
    except ValueError:
        return value


# Status enums whose codes may appear in the timeline. The apps built on this one add theirs from
# their AppConfig.ready() (this app must not import them); an action may name the enum that takes
# precedence, for codes two enums share ("submitted" is 待审查 for a proposal, 待签发 for a reply).
_STATE_CHOICES: list[type[models.TextChoices]] = [ProposalStatus, AssignmentStatus, ExtensionStatus]
_ACTION_STATE_CHOICES: dict[str, type[models.TextChoices]] = {}


# Timeline action codes: this app's, and those the apps built on it add from their AppConfig.ready().
_ACTION_CHOICES: list[type[models.TextChoices]] = [ProposalAction]


def register_action_choices(choices: type[models.TextChoices]) -> None:
    known = {code for c in _ACTION_CHOICES if c is not choices for code in c.values}
    clash = known & set(choices.values)
    if clash:
        raise ValueError(f"timeline action codes registered twice: {sorted(clash)}")
    if choices not in _ACTION_CHOICES:
        _ACTION_CHOICES.append(choices)


def action_choices() -> list[tuple[str, str]]:
    """Every registered action code with its label, in registration order."""
    return [(code, str(label)) for choices in _ACTION_CHOICES for code, label in choices.choices]


def is_known_action(code: str) -> bool:
    return any(code in choices.values for choices in _ACTION_CHOICES)


def action_label(code: str) -> str:
    """The display label of a stored timeline action code (in the active language)."""
    for choices in _ACTION_CHOICES:
        if code in choices.values:
            return str(choices(code).label)
    return code


def register_state_choices(choices: type[models.TextChoices], *, actions: tuple[str, ...] = ()) -> None:
    if choices not in _STATE_CHOICES:
        _STATE_CHOICES.append(choices)
    for action in actions:
        _ACTION_STATE_CHOICES[str(action)] = choices


def state_label(code: str, action: str = "") -> str:
    """The display label of a stored status code, preferring the enum of the event's action."""
    if not code:
        return ""
    preferred = _ACTION_STATE_CHOICES.get(action)
    for choices in ([preferred] if preferred else []) + _STATE_CHOICES:
        if code in choices.values:
            return str(choices(code).label)
    return code
