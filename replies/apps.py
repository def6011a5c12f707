from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = _("答复")

    def ready(self) -> None:
        from audit.history import limit_versions
        from proposals.models import register_action_choices, register_state_choices
        from proposals.selectors import register_member_timeline

        from .actions import ReplyAction as A
        from .models import FollowUpStatus, Reply, ReplyStatus
        from .selectors import replies_visible_to

        limit_versions(Reply, replies_visible_to)
        from . import audit_words

        audit_words.register()  # the audit page names replies in words

        register_action_choices(A)
        # The staff proposal search looks in this app's texts too (proposals imports no app above it),
        # through their bigram index, which this app keeps (index upkeep, not workflow).
        from . import search

        search.register()
        register_member_timeline(A.ISSUE, A.PROPOSAL_REPLIED)
        # 跟踪办理: the member reads when a report is due and the report itself (its note).
        register_member_timeline(A.FOLLOW_UP_OPEN, A.FOLLOW_UP_FILE, note=True)
        register_state_choices(FollowUpStatus, actions=(A.FOLLOW_UP_OPEN, A.FOLLOW_UP_FILE, A.FOLLOW_UP_SUPERSEDE))
        # "submitted" is 待签发 in a reply's events, 待审查 in a proposal's.
        register_state_choices(ReplyStatus, actions=(A.CREATE, A.SUBMIT, A.RETURN, A.ISSUE, A.COHANDLER_ISSUE))

        # The proposal export's 答复日期 and 答复类别 (proposals cannot import this app).
        from proposals.exports import register_export_filler

        from .exports import reply_columns

        register_export_filler(reply_columns)
