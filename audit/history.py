"""Version history (django-simple-history) for the records whose every change must be kept.

The audit app offers ``track``; each feature app names its own tracked models in its ``history``
module, imported at the end of its ``models.py`` so the historical models are made while the app
registry loads models (before the admin's autodiscovery reads ``TRACKED``). This module imports no
feature app: dependencies point one way, and audit sits at the bottom of the graph.

``track`` registers with ``app="audit"``, so the historical tables (``audit_historical<model>``)
and their migrations live in audit/migrations. Consequence: when a tracked model changes,
``manage.py makemigrations audit`` must follow (``makemigrations --check`` in CI says so).
The versions are shown read-only in the admin (audit/admin.py), as the feature apps own their
models' admin classes.
"""

from __future__ import annotations

from collections.abc import Iterable

import simple_history
from django.db import models

# Every tracked model, in the order the feature apps registered them.
TRACKED: list[type[models.Model]] = []


def track(model: type[models.Model], *, excluded_fields: Iterable[str] = ()) -> None:
    """Keep a version of every change to ``model``'s rows, in this app's historical table.

    ``excluded_fields``: derived data (search text, cached dates), which is not a change anyone made.
    """
    simple_history.register(model, app="audit", excluded_fields=list(excluded_fields))
    TRACKED.append(model)
