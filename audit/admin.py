"""The audit trail in the admin: read-only, nothing can be added, changed or deleted."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as BaseAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as BaseAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

from common.admin_base import NamedRowsMixin, ReadOnlyAdmin, model_name_of

from .history import TRACKED, version_time, versions_visible_to
from .models import EVENT_LABELS, AuditAnchor, AuditEvent


def role_label(code: str) -> str:
    """A stored role code by its label. The roles are the user model's choices: audit imports no
    feature app."""
    choices = dict(get_user_model()._meta.get_field("role").choices or ())
    return str(choices.get(code, code))


class EventFilter(admin.SimpleListFilter):
    """By event, listed by name: the stored value is a code."""

    title = _("事件")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in EVENT_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return get_user_model()._meta.get_field("role").choices

    def queryset(self, request, queryset):
        return queryset.filter(role=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(NamedRowsMixin, ReadOnlyAdmin):
    list_display = ("id", "at", "username", "role_name", "ip", "event_name", "object_type", "object_pk", "outcome")
    list_filter = (EventFilter, "outcome", RoleFilter)
    search_fields = ("username", "object_pk", "detail")
    date_hierarchy = "at"
    fields = (
        "at",
        "user",
        "username",
        "role_name",
        "ip",
        "event_name",
        "object_type",
        "object_pk",
        "outcome",
        "detail",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def row_name(self, obj: AuditEvent) -> str:
        # The model's str() has the event's code and the time in UTC.
        when = date_format(timezone.localtime(obj.at), "DATETIME_FORMAT")
        return " ".join(part for part in (when, obj.event_label, obj.username) if part)

    @admin.display(description=_("角色"), ordering="role")
    def role_name(self, obj: AuditEvent) -> str:
        return role_label(obj.role) if obj.role else ""

    @admin.display(description=_("事件"), ordering="event")
    def event_name(self, obj: AuditEvent) -> str:
        return obj.event_label

    @admin.display(description=_("对象类型"), ordering="object_label")
    def object_type(self, obj: AuditEvent) -> str:
        return model_name_of(obj.object_label) if obj.object_label else ""


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("at", "purged_through_id", "purged_count", "cutoff", "anchor_hash")


# --- Login lockout (django-axes) ---------------------------------------------------------------
# Its field names come through the project's catalog (locale/zh_Hans); two columns of its admin are
# methods named in English without a description, which no catalog reaches.
# Their rows' str() is English too ("Attempted Access: …"): the pages name a row by who and when.
ROW_NAME = _("%(username)s，%(time)s")


class AxesRowsMixin(NamedRowsMixin):
    def row_name(self, obj) -> str:
        when = date_format(timezone.localtime(obj.attempt_time), "DATETIME_FORMAT")
        return str(ROW_NAME) % {"username": obj.username or "-", "time": when}


admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessFailureLog)
admin.site.unregister(AccessLog)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(AxesRowsMixin, BaseAccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(AxesRowsMixin, BaseAccessLogAdmin):
    pass


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesRowsMixin, BaseAccessAttemptAdmin):
    @admin.display(description=_("失效时间"))
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)

    @admin.display(description=_("锁定状态"))
    def status(self, obj: AccessAttempt):
        return super().status(obj)


# --- Versions (django-simple-history) -----------------------------------------------------------
# SimpleHistoryAdmin would have to replace the feature apps' own admin classes; instead each
# historical table gets a read-only admin here: every version, who made it, when, and the values.
# The tables are found in TRACKED, which the feature apps fill while their models load (audit.history),
# so it is complete when the admin's autodiscovery imports this module; audit imports none of them.
# simple_history names its own columns in English ("history date"), untranslatable: the admin shows
# them through the methods below.


class VersionTypeFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("变更类型")


class VersionDateFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("版本时间")


class HistoryAdmin(ReadOnlyAdmin):
    # A version is shown to whoever may see its row (the feature app's rule, named with
    # audit.history.limit_versions): other people's drafts stay hidden here as in their own admin.
    list_display = ("version_date", "version_type", "version_user", "id", "version_summary")
    list_filter = (("history_type", VersionTypeFilter), ("history_date", VersionDateFilter))
    list_select_related = ("history_user",)
    search_fields = ("=id",)
    date_hierarchy = "history_date"
    VERSION_FIELDS = ("version_date", "version_type", "version_user", "version_reason")

    @admin.display(description=_("版本时间"), ordering="history_date")
    def version_date(self, obj) -> str:
        return version_time(obj)

    @admin.display(description=_("变更类型"), ordering="history_type")
    def version_type(self, obj) -> str:
        return obj.get_history_type_display()

    @admin.display(description=_("操作人"), ordering="history_user")
    def version_user(self, obj):
        return obj.history_user or self.get_empty_value_display()

    @admin.display(description=_("变更原因"))
    def version_reason(self, obj) -> str:
        return obj.history_change_reason or ""

    @admin.display(description=_("版本"))
    def version_summary(self, obj) -> str:
        # The row as it was; simple_history's own str() adds "as of <UTC time>".
        status = getattr(obj, "get_status_display", None)
        return f"{obj.instance} · {status()}" if status else str(obj.instance)

    def get_fields(self, request, obj=None):
        own = [f.name for f in self.model._meta.fields if not f.name.startswith("history_")]
        return [*self.VERSION_FIELDS, *own]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_queryset(self, request):
        tracked = self.model.instance_type  # the model whose versions these are (simple_history sets it)
        return versions_visible_to(request.user, tracked, super().get_queryset(request))


for _model in TRACKED:
    admin.site.register(get_history_model_for_model(_model), HistoryAdmin)
