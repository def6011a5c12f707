from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案")

    def ready(self) -> None:
        from . import services
        from .selectors import register_member_timeline

        register_member_timeline(
            services.ACTION_FILE,
            services.ACTION_SUBMIT,
            services.ACTION_REGISTER,
            services.ACTION_ASSIGN,
            services.ACTION_ACCEPT,
            services.ACTION_REASSIGN,
        )
        # The proposer is told why a proposal was not registered.
        register_member_timeline(services.ACTION_DECLINE, note=True)
