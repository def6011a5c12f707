"""The audit trail in the admin: read-only, nothing can be added, changed or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

from common.admin_base import ReadOnlyAdmin

from .history import TRACKED, versions_visible_to
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
    # A version is shown to whoever may see its row (the feature app's rule, named with
    # audit.history.limit_versions): other people's drafts stay hidden here as in their own admin.
    list_display = ("history_date", "history_type", "history_user", "id", "version_summary")
    list_filter = ("history_type", "history_date")
    list_select_related = ("history_user",)
    search_fields = ("=id",)
    date_hierarchy = "history_date"

    @admin.display(description=_("版本"))
    def version_summary(self, obj) -> str:
        status = getattr(obj, "get_status_display", None)
        return f"{obj} · {status()}" if status else str(obj)

    def get_queryset(self, request):
        tracked = self.model.instance_type  # the model whose versions these are (simple_history sets it)
        return versions_visible_to(request.user, tracked, super().get_queryset(request))


for _model in TRACKED:
    admin.site.register(get_history_model_for_model(_model), HistoryAdmin)
