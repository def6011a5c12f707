from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = _("答复")

    def ready(self) -> None:
        from proposals.models import register_state_choices
        from proposals.selectors import register_member_timeline

        from . import services
        from .models import ReplyStatus

        register_member_timeline(services.ACTION_ISSUE, services.ACTION_PROPOSAL_REPLIED)
        register_state_choices(
            ReplyStatus,
            actions=(
                services.ACTION_CREATE,
                services.ACTION_SUBMIT,
                services.ACTION_RETURN,
                services.ACTION_ISSUE,
                services.ACTION_COHANDLER_ISSUE,
            ),
        )
