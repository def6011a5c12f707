from django.contrib import admin

from proposals.admin_scope import CommitteeScopedAdmin

from .models import SentNotification, VolumeBuild


@admin.register(SentNotification)
class SentNotificationAdmin(CommitteeScopedAdmin):
    list_display = ["kind", "recipient", "object_type", "object_id", "event_key", "status", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["recipient", "subject"]
    readonly_fields = [f.name for f in SentNotification._meta.fields]


@admin.register(VolumeBuild)
class VolumeBuildAdmin(CommitteeScopedAdmin):
    committee_path = "meeting__committee"

    list_display = ["meeting", "format", "status", "done", "total", "attempts", "requested_by", "requested_at"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in VolumeBuild._meta.fields]
