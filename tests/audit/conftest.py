from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


class Clock:
    """A frozen clock for django.utils.timezone.now (and the copies axes imported by name)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    import axes.attempts
    import axes.handlers.proxy

    c = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", c)
    monkeypatch.setattr(axes.handlers.proxy, "now", c)
    monkeypatch.setattr(axes.attempts, "now", c)
    return c
