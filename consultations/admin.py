"""Read-only admin: records and ratings change only through the services (a signed record never changes)."""

from __future__ import annotations

from django.contrib import admin

from common.admin_base import ReadOnlyAdmin

from .models import Consultation, Rating


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("proposal_number", "agency_name", "member_name", "round", "status", "sign_method", "held_at")
    list_filter = ("status", "sign_method", "method")
    search_fields = ("proposal_number", "agency_name", "member_name")
    list_select_related = ("assignment",)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "round", "member", "value", "on_behalf", "updated_at")
    list_filter = ("value", "on_behalf")
    list_select_related = ("assignment__proposal", "assignment__agency", "member")
