"""The audit trail in the admin: read-only, nothing can be added, changed or deleted."""

from __future__ import annotations

from django.contrib import admin

from .models import AuditAnchor, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}  # not even the bulk "delete selected" action


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "username", "role", "ip", "event", "object_label", "object_pk", "outcome")
    list_filter = ("event", "outcome", "role")
    search_fields = ("username", "object_pk", "detail")
    date_hierarchy = "at"


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("at", "purged_through_id", "purged_count", "cutoff", "anchor_hash")
