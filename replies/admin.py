"""Replies in the admin are read-only: every change goes through the services (and their checks)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.admin_base import ReadOnlyAdmin
from common.downloads import file_download
from proposals.admin_scope import CommitteeScopedAdmin

from .models import LetterProfile, Reply, ReplyVersion
from .pdf import render_reply_context, reply_context
from .profiles import sample_reply
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


@admin.register(LetterProfile)
class LetterProfileAdmin(CommitteeScopedAdmin):
    """A committee's (or one agency's) letter layout, with a PDF preview of a sample letter."""

    list_display = ("name", "agency", "title_style", "class_mark", "contact_place")
    search_fields = ("name", "agency__name")
    autocomplete_fields = ("agency",)
    change_form_template = "admin/replies/letterprofile/change_form.html"
    fieldsets = (
        (None, {"fields": ("committee", "agency", "name")}),
        (_("标题与抬头"), {"fields": ("title_style", "class_mark", "signer_line", "addressee_style")}),
        (
            _("联系方式"),
            {
                "fields": (
                    "contact_place",
                    "show_leader",
                    "leader_label",
                    "handler_label",
                    "phone_label",
                    "combine_handler_phone",
                )
            },
        ),
        (
            _("结束语与版记"),
            {"fields": ("closings", "show_report_to", "show_copy_to", "show_printed", "publication_mark")},
        ),
    )

    def get_urls(self):
        preview = path(
            "<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="replies_letterprofile_preview"
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, pk: int) -> HttpResponseBase:
        """The sample letter in this profile as a PDF (after saving: the preview shows what is stored)."""
        profile = self.get_queryset(request).filter(pk=pk).first()
        if profile is None or not self.has_view_permission(request, profile):
            raise Http404
        data = render_reply_context(reply_context(sample_reply(profile), profile=profile, seal=False))
        return file_download(data, content_type="application/pdf", filename=f"{profile.name}.pdf", inline=True)
