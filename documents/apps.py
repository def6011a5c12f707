import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("公文")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks

        # WeasyPrint reports every layout step at INFO; with the root logger at INFO that is
        # a dozen lines per PDF in the server log.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
