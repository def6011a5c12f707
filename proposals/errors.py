from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the type of gettext_lazy's result; django-stubs-ext is a development tool only
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """An illegal move: the message is shown to the user as it is (Chinese by default)."""

    def __init__(self, message: StrOrPromise, *, code: str = "illegal") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


class ConflictError(DomainError):
    """Someone else changed the row since the user loaded it."""
