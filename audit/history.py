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

from collections.abc import Callable, Iterable
from typing import Any

import simple_history
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The admin's name of a tracked model's versions: "提案历史版本".
HISTORY_NAME = _("{model}历史版本")
# One version, as the admin's titles name it: the row, and when it was saved in the local time.
VERSION_NAME = _("%(object)s（%(at)s 的版本）")


def version_time(version: Any) -> str:
    """When a version was saved, in the configured time zone and the active language's format."""
    return date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")


def _version_str(version: Any) -> str:
    return str(VERSION_NAME) % {"object": version.history_object, "at": version_time(version)}


class Versions(HistoricalRecords):
    """simple_history's versions, named without its English "… as of <UTC time>"."""

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["__str__"] = _version_str
        return extra


# Every tracked model, in the order the feature apps registered them.
TRACKED: list[type[models.Model]] = []

# Which rows of a tracked model a user may see, per model: the feature app's own visibility rule
# (its ``*_visible_to(user)``), named with ``limit_versions``. A version is shown only while its row
# is visible; a model without a rule shows no versions at all.
RowsVisibleTo = Callable[[Any], "models.QuerySet[Any]"]
_VISIBLE: dict[type[models.Model], RowsVisibleTo] = {}


def track(model: type[models.Model], *, excluded_fields: Iterable[str] = ()) -> None:
    """Keep a version of every change to ``model``'s rows, in this app's historical table.

    ``excluded_fields``: derived data (search text, cached dates), which is not a change anyone made.
    """
    # simple_history would name the table "historical <verbose_name>", in English whatever the language.
    name = format_lazy(HISTORY_NAME, model=model._meta.verbose_name)
    plural = format_lazy(HISTORY_NAME, model=model._meta.verbose_name_plural)
    simple_history.register(
        model,
        app="audit",
        records_class=Versions,
        excluded_fields=list(excluded_fields),
        verbose_name=name,
        verbose_name_plural=plural,
    )
    TRACKED.append(model)


def limit_versions(model: type[models.Model], rows_visible_to: RowsVisibleTo) -> None:
    """Show the versions of ``model``'s rows only to those ``rows_visible_to(user)`` lets see the row.

    Called from the feature app's ``AppConfig.ready`` (audit knows no roles and imports no selectors).
    """
    _VISIBLE[model] = rows_visible_to


def versions_visible_to(user: Any, model: type[models.Model], versions: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """``versions`` (of ``model``'s historical table) whose row ``user`` may see: none without a rule."""
    rule = _VISIBLE.get(model)
    if rule is None:
        return versions.none()
    pk = model._meta.pk
    assert pk is not None  # every concrete model has one
    return versions.filter(**{f"{pk.attname}__in": rule(user).values("pk")})
