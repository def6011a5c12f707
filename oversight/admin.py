"""The ledger of notifications and the volume builds: read in the admin, written by the services."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.admin import DBTaskResultAdmin as BaseTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from common.admin_base import NamedRowsMixin
from consultations.models import Consultation
from proposals.admin_scope import CommitteeScopedAdmin
from proposals.models import Assignment, User
from replies.models import Reply

from .models import NotificationKind, SentNotification, VolumeBuild

# The codes notification_queue is given as obj_type (oversight.reminders), by what they name.
OBJECT_TYPES = {"assignment": Assignment, "user": User, "consultation": Consultation, "reply": Reply}
# The fixed event keys of one-off notifications; the others are a date or "urge-<timeline event id>".
EVENT_KEYS = {"held": _("面商已举行"), "issued": _("答复已签发")}
DEFAULT_QUEUE = _("默认")
TASK_ROW = _("%(task)s，%(time)s")
URGE_EVENT = _("催办（办理记录 %(id)s）")
# The background tasks by what they do; the queue stores the function's dotted path.
TASK_NAMES = {
    "oversight.tasks.send_notification": _("发送通知"),
    "oversight.tasks.build_volume": _("生成答复汇编"),
    "oversight.tasks.store_public_pdf": _("生成公开答复 PDF"),
    "oversight.workbook.tasks.run_import": _("检查或导入工作簿"),
    "oversight.workbook.tasks.store_imported_pdfs": _("生成导入答复的 PDF"),
}


class KindFilter(admin.SimpleListFilter):
    title = _("类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return NotificationKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(SentNotification)
class SentNotificationAdmin(CommitteeScopedAdmin):
    list_display = [
        "kind_name",
        "recipient",
        "object_name",
        "object_id",
        "event_name",
        "status",
        "attempts",
        "created_at",
    ]
    list_filter = [KindFilter, "status"]
    search_fields = ["recipient", "subject"]
    readonly_fields = [
        {"kind": "kind_name", "object_type": "object_name", "event_key": "event_name"}.get(f.name, f.name)
        for f in SentNotification._meta.fields
    ]

    @admin.display(description=_("类型"), ordering="kind")
    def kind_name(self, obj: SentNotification) -> str:
        return str(NotificationKind(obj.kind).label) if obj.kind in NotificationKind.values else obj.kind

    @admin.display(description=_("对象类型"), ordering="object_type")
    def object_name(self, obj: SentNotification) -> str:
        model = OBJECT_TYPES.get(obj.object_type)
        return str(model._meta.verbose_name) if model is not None else obj.object_type

    @admin.display(description=_("事件"), ordering="event_key")
    def event_name(self, obj: SentNotification) -> str:
        key = obj.event_key
        if key in EVENT_KEYS:
            return str(EVENT_KEYS[key])
        if key.startswith("urge-"):
            return URGE_EVENT % {"id": key.removeprefix("urge-")}
        return key  # the deadline or the day, as a date


@admin.register(VolumeBuild)
class VolumeBuildAdmin(CommitteeScopedAdmin):
    committee_path = "meeting__committee"

    list_display = ["meeting", "format", "status", "done", "total", "attempts", "requested_by", "requested_at"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in VolumeBuild._meta.fields]


def queue_label(name: str) -> str:
    return str(DEFAULT_QUEUE) if name == DEFAULT_TASK_QUEUE_NAME else name


class QueueFilter(admin.SimpleListFilter):
    title = _("队列")
    parameter_name = "queue_name"

    def lookups(self, request, model_admin):
        names = DBTaskResult.objects.order_by().values_list("queue_name", flat=True).distinct()
        return [(name, queue_label(name)) for name in sorted(names)]

    def queryset(self, request, queryset):
        return queryset.filter(queue_name=self.value()) if self.value() else queryset


# django-tasks-db labels four of its columns with plain English strings, which no catalog reaches.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(NamedRowsMixin, BaseTaskResultAdmin):
    list_display = ("number", "task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue")

    def get_list_filter(self, request):
        return ("status", "priority", QueueFilter)

    def get_readonly_fields(self, request, obj=None):
        shown = {"id": "number", "task_path": "task", "queue_name": "queue", "backend_name": "backend"}
        shown["args_kwargs"] = "arguments"
        return [shown.get(name, name) for name in super().get_readonly_fields(request, obj)]

    def row_name(self, obj: DBTaskResult) -> str:
        when = date_format(timezone.localtime(obj.enqueued_at), "DATETIME_FORMAT")
        return str(TASK_ROW) % {"task": self.task(obj), "time": when}

    @admin.display(description=_("任务后端"))
    def backend(self, obj: DBTaskResult) -> str:
        return queue_label(obj.backend_name)

    @admin.display(description=_("任务参数"))
    def arguments(self, obj: DBTaskResult) -> str:
        data = obj.args_kwargs or {}
        args = ", ".join(str(arg) for arg in data.get("args", []))
        kwargs = ", ".join(f"{key}={value}" for key, value in (data.get("kwargs") or {}).items())
        return "; ".join(part for part in (args, kwargs) if part) or self.get_empty_value_display()

    @admin.display(description=_("编号"), ordering="id")
    def number(self, obj: DBTaskResult) -> str:
        return str(obj.pk)

    @admin.display(description=_("队列"), ordering="queue_name")
    def queue(self, obj: DBTaskResult) -> str:
        return queue_label(obj.queue_name)

    @admin.display(description=_("任务"), ordering="task_path")
    def task(self, obj: DBTaskResult) -> str:
        name = TASK_NAMES.get(obj.task_path)
        return str(name) if name is not None else obj.task_name

    @admin.display(description=_("错误堆栈"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("计划执行时间"))
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)
