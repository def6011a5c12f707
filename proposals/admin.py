from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Agency,
    Assignment,
    Attachment,
    Category,
    DeclineReason,
    ExtensionRequest,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    TimelineEvent,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "agency", "member", "is_active")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "display_name", "member__name", "agency__name")
    autocomplete_fields = ("agency", "member")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色"), {"fields": ("role", "display_name", "phone", "agency", "member")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色"), {"fields": ("role", "display_name", "agency", "member")}),
    )


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("display_name", "number_prefix", "is_current", "due_months", "last_sequence")
    list_filter = ("is_current",)
    search_fields = ("number_prefix",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "work_unit", "is_active")
    list_filter = ("sector", "is_active")
    search_fields = ("name", "work_unit")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(DeclineReason)
class DeclineReasonAdmin(admin.ModelAdmin):
    list_display = ("text", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("text",)


class CosignerInline(admin.TabularInline):
    model = ProposalCosigner
    extra = 0
    autocomplete_fields = ("member",)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("agency", "role", "scope", "status", "due_date")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ("at", "actor", "action", "from_state", "to_state", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "meeting", "proposer_kind", "first_proposer", "status", "is_key")
    list_filter = ("meeting", "status", "proposer_kind", "is_key", "category", "between_meetings")
    search_fields = ("number", "title", "first_proposer__name", "body_name")
    autocomplete_fields = ("first_proposer",)
    # Status moves only through the services; the admin shows it.
    readonly_fields = ("status", "number", "sequence", "submitted_at", "registered_at", "closed_at")
    exclude = ("search_text",)
    inlines = [CosignerInline, AssignmentInline, AttachmentInline, TimelineInline]
    list_select_related = ("meeting", "first_proposer")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("proposal", "agency", "role", "status", "due_date")
    list_filter = ("role", "status", "agency")
    search_fields = ("proposal__number", "proposal__title", "agency__name")
    readonly_fields = (
        "status",
        "proposal",
        "agency",
        "assigned_at",
        "assigned_by",
        "accepted_at",
        "returned_at",
    )
    list_select_related = ("proposal", "agency")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ("assignment", "requested_due_date", "status", "requested_at")
    list_filter = ("status",)
    search_fields = ("assignment__proposal__number",)
    readonly_fields = ("status", "assignment", "requested_by", "decided_by", "decided_at")


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ("at", "proposal", "action", "actor", "from_state", "to_state")
    list_filter = ("action",)
    search_fields = ("proposal__number", "action", "note")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
