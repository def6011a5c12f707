from django.contrib import admin

from .models import SentNotification, VolumeBuild


@admin.register(SentNotification)
class SentNotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "object_type", "object_id", "event_key", "status", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["recipient", "subject"]
    readonly_fields = [f.name for f in SentNotification._meta.fields]


@admin.register(VolumeBuild)
class VolumeBuildAdmin(admin.ModelAdmin):
    list_display = ["meeting", "format", "status", "done", "total", "attempts", "requested_by", "requested_at"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in VolumeBuild._meta.fields]
