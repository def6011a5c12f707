"""Timeline events of the replies app, as stable codes with their labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReplyAction(models.TextChoices):
    CREATE = "reply_create", _("起草答复")
    SUBMIT = "reply_submit", _("提交签发")
    RETURN = "reply_return", _("退回修改")
    ISSUE = "reply_issue", _("签发答复")
    COHANDLER_ISSUE = "reply_cohandler_issue", _("签发会办意见")
    ASSIGNMENT_REPLIED = "assignment_replied", _("交办已答复")
    PROPOSAL_REPLIED = "proposal_replied", _("提案已答复")
    # 跟踪办理 (replies.followup)
    FOLLOW_UP_OPEN = "follow_up_open", _("列入跟踪办理")
    FOLLOW_UP_FILE = "follow_up_file", _("报告跟踪办理情况")
    FOLLOW_UP_SUPERSEDE = "follow_up_supersede", _("跟踪办理由新一轮答复取代")
