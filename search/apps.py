from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Database objects of the Chinese substring search (see ``proposals.search``).

    The app has no models and its code imports no other app: its migrations create the SQLite FTS5
    table or the PostgreSQL GIN index (data migration 0003 recomputes the texts with
    ``proposals.search``), and the proposals app keeps the SQLite table in step with ``Proposal``
    rows saved through the ORM (``ProposalsConfig.ready``).
    """

    name = "search"
    label = "search"
    verbose_name = _("全文检索")
