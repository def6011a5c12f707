"""Read-only admin: records and ratings change only through the services (a signed record never changes)."""

from __future__ import annotations

from django.contrib import admin

from common.admin_base import ReadOnlyAdmin

from .models import Consultation, Rating
from .selectors import consultations_visible_to, ratings_visible_to


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("proposal_number", "agency_name", "member_name", "round", "status", "sign_method", "held_at")
    list_filter = ("status", "sign_method", "method")
    search_fields = ("proposal_number", "agency_name", "member_name")
    list_select_related = ("assignment",)

    def get_queryset(self, request):
        # The admin sees what the selector allows, as in the proposal admin.
        return super().get_queryset(request).filter(pk__in=consultations_visible_to(request.user).values("pk"))


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "round", "member", "value", "on_behalf", "updated_at")
    list_filter = ("value", "on_behalf")
    list_select_related = ("assignment__proposal", "assignment__agency", "member")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=ratings_visible_to(request.user).values("pk"))
