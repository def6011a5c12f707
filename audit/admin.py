"""The audit trail in the admin: read-only, nothing can be added, changed or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

from common.admin_base import ReadOnlyAdmin

from .history import TRACKED
from .models import AuditAnchor, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "username", "role", "ip", "event", "object_label", "object_pk", "outcome")
    list_filter = ("event", "outcome", "role")
    search_fields = ("username", "object_pk", "detail")
    date_hierarchy = "at"


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("at", "purged_through_id", "purged_count", "cutoff", "anchor_hash")


# --- Versions (django-simple-history) -----------------------------------------------------------
# SimpleHistoryAdmin would have to replace the feature apps' own admin classes; instead each
# historical table gets a read-only admin here: every version, who made it, when, and the values.
# The tables are found in TRACKED, which the feature apps fill while their models load (audit.history),
# so it is complete when the admin's autodiscovery imports this module; audit imports none of them.


class HistoryAdmin(ReadOnlyAdmin):
    list_display = ("history_date", "history_type", "history_user", "id", "version_summary")
    list_filter = ("history_type", "history_date")
    list_select_related = ("history_user",)
    search_fields = ("=id",)
    date_hierarchy = "history_date"

    @admin.display(description=_("版本"))
    def version_summary(self, obj) -> str:
        status = getattr(obj, "get_status_display", None)
        return f"{obj} · {status()}" if status else str(obj)


for _model in TRACKED:
    admin.site.register(get_history_model_for_model(_model), HistoryAdmin)
