"""Fixtures of the oversight tests.

Tasks run with django-tasks' ImmediateBackend here (the work runs inside ``enqueue``), so a test
sees its outcome at once; ``test_tasks_worker.py`` runs the real database backend and one pass of
``db_worker`` instead. Mail goes to Django's locmem outbox (pytest-django's test environment).
"""

from __future__ import annotations

import pytest

from tests.factories import StatsData, World, make_stats_data

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE
    settings.TASK_MAX_ATTEMPTS = 3


@pytest.fixture
def stats_data(world: World) -> StatsData:
    """The meeting counted by hand in test_stats.py (see ``make_stats_data``)."""
    return make_stats_data(world)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(fn, ...) calls fn and then, as a real commit would, the on_commit hooks it registered
    (which enqueue the tasks). The test's transaction otherwise never commits."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run
