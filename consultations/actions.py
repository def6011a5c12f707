"""Timeline events of consultations, ratings, re-handling and closing, as stable codes with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationAction(models.TextChoices):
    SCHEDULE = "consultation_schedule", _("安排面商")
    RECORD = "consultation_record", _("填写面商记录")
    EDIT_RECORD = "consultation_edit", _("修改面商记录")
    SIGN_ONLINE = "consultation_sign_online", _("委员网上签字")
    SIGN_PAPER = "consultation_sign_paper", _("录入纸质签字面商记录")
    # The reply changed after the member signed: the record goes back for a new signature.
    RESIGN = "consultation_resign", _("请委员重新签字")
    RATE = "rating_submit", _("满意度测评")
    RATE_CHANGE = "rating_change", _("修改满意度测评")
    # Both the assignment's new round and the proposal's step back from 已答复 are this event.
    REHANDLE = "rehandle", _("重新办理")
    # Each assignment's 已办结 and the proposal's own are this event.
    CLOSE = "close", _("办结")
