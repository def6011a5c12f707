"""Replies in the admin are read-only: every change goes through the services (and their checks)."""

from __future__ import annotations

from django.contrib import admin

from common.admin_base import ReadOnlyAdmin

from .models import Reply, ReplyVersion
from .selectors import replies_visible_to


class ReplyVersionInline(admin.TabularInline):
    model = ReplyVersion
    fields = ("version", "saved_by", "saved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ("title", "assignment", "round", "status", "reply_class", "issued_at")
    list_filter = ("status", "reply_class", "is_public")
    search_fields = ("title", "assignment__proposal__number", "assignment__agency__name")
    list_select_related = ("assignment__proposal", "assignment__agency")
    inlines = [ReplyVersionInline]

    def get_queryset(self, request):
        # The admin sees what the selector allows, as in the proposal admin.
        return super().get_queryset(request).filter(pk__in=replies_visible_to(request.user).values("pk"))


@admin.register(ReplyVersion)
class ReplyVersionAdmin(ReadOnlyAdmin):
    list_display = ("reply", "version", "saved_by", "saved_at")
    list_select_related = ("reply", "saved_by")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(reply__in=replies_visible_to(request.user).values("pk"))
