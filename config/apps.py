"""The third-party apps under their Chinese names in the admin (index, breadcrumbs, permission
names). Their own AppConfig gives an English name that no translation catalog can reach (a plain
string, or none); INSTALLED_APPS names these subclasses instead, as Django's documentation suggests
for renaming an app one does not own. Label, models and migrations stay the package's."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录锁定")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("后台任务")  # type: ignore[assignment]  # lazy: the stub says str
