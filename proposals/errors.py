from __future__ import annotations


class DomainError(Exception):
    """An illegal move: the message is shown to the user as it is (Chinese by default)."""

    def __init__(self, message: str, *, code: str = "illegal") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


class ConflictError(DomainError):
    """Someone else changed the row since the user loaded it."""
