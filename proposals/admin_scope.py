"""The admin's committee scope: one mixin for every committee's reference data (and the apps'
records that name a committee), so a limited administrator never lists or picks another's."""

from __future__ import annotations

from django.contrib import admin

from .roles import committee_scope


class CommitteeScopedAdmin(admin.ModelAdmin):
    """Reference data of one committee: an administrator limited to a committee (``User.committee``)
    lists, edits and adds only its rows, and chooses only its records in every foreign key; an
    administrator of every committee sees them all, with the committee as a filter and a column.

    ``committee_path``: the lookup from the model to its committee (``"meeting__committee"``)."""

    committee_path = "committee"

    @staticmethod
    def scope(request) -> int | None:
        return committee_scope(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = self.scope(request)
        return qs if scope is None else qs.filter(**{f"{self.committee_path}_id": scope})

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if self.scope(request) is None and "__" not in self.committee_path:
            return (self.committee_path, *filters)
        return filters

    def get_list_display(self, request):
        shown = tuple(super().get_list_display(request))
        if self.scope(request) is None and "__" not in self.committee_path:
            return (*shown, self.committee_path)
        return shown

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = self.scope(request)
        related = db_field.related_model
        if scope is not None and related is not None:
            if related._meta.label == "proposals.Committee":
                kwargs["queryset"] = related._default_manager.filter(pk=scope)
            elif any(f.name == "committee" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(committee_id=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = self.scope(request)
        related = db_field.related_model
        if scope is not None and related is not None and any(f.name == "committee" for f in related._meta.get_fields()):
            kwargs["queryset"] = related._default_manager.filter(committee_id=scope)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
