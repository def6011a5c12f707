"""Admin building blocks used by every app's admin. Workflow rows (proposals, assignments, replies,
records, the timeline) are read-only in the admin: every change goes through a service, which checks
the actor and the state and writes the timeline. Administrators edit reference data (meetings,
agencies, members, users)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Permission
from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}  # not even the bulk "delete selected" action


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Permissions in Chinese ---------------------------------------------------------------------
# Django stores a permission's name in English when the table is filled ("Can add log entry"), in
# every language; the admin lists that name. The permission widgets show a name built from the
# codename's action and the model's verbose name instead, in the active language.

PERMISSION_ACTIONS = {"add": _("增加"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}
PERMISSION_NAME = _("可以%(action)s %(model)s")


def permission_label(permission: Permission) -> str:
    """``应用 | 模型 | 可以增加 模型`` for a model's default permission; a custom one keeps its own
    (translatable) name."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:  # a content type left behind by a removed model
        return f"{content_type.app_label} | {content_type.model} | {gettext(permission.name)}"
    app_name = apps.get_app_config(model._meta.app_label).verbose_name
    model_name = model._meta.verbose_name
    action, _sep, model_part = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_part == model._meta.model_name:
        name = PERMISSION_NAME % {"action": PERMISSION_ACTIONS[action], "model": model_name}
    else:
        name = gettext(permission.name)
    return f"{app_name} | {model_name} | {name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class ChinesePermissionsMixin:
    """For the admin of a model with a many-to-many to ``Permission`` (users, groups)."""

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.related_model is Permission:
            kwargs["form_class"] = PermissionChoiceField
            kwargs.setdefault("queryset", Permission.objects.select_related("content_type"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


# --- Stored codes shown by their labels ---------------------------------------------------------


def model_name_of(label: str) -> str:
    """The verbose name of the model ``app_label.ModelName`` (an audit row's object type), or the
    label itself for a model that no longer exists."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class NamedRowsMixin(admin.ModelAdmin):
    """For a third party's model whose str() is English ("Attempted Access: …", "DBTaskResult
    object (…)"): its change page's title and breadcrumbs, and the list's row checkboxes, name the
    row by ``row_name`` instead."""

    change_form_template = "admin/named_row_change_form.html"

    def row_name(self, obj: Any) -> str:
        raise NotImplementedError

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj: Any) -> SafeString:
        label = format_html(gettext("Select this object for an action - {}"), self.row_name(obj))
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label}, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            name = self.row_name(obj)
            extra_context = {**(extra_context or {}), "subtitle": name, "row_name": name}
        return super().change_view(request, object_id, form_url, extra_context)
