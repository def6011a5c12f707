"""Timeline events of the oversight app, as stable codes with their labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OversightAction(models.TextChoices):
    UNPUBLISH = "reply_unpublish", _("撤销公开答复")
