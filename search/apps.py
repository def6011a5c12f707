from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Database objects of the Chinese substring search (see ``proposals.search``).

    The app has no models and its code imports no other app: its migrations create the SQLite FTS5
    table or the PostgreSQL GIN index (data migration 0003 recomputes the texts with
    ``proposals.search``), and the proposals app keeps the SQLite table in step with ``Proposal``
    rows saved through the ORM (``ProposalsConfig.ready``). Migration 0004 adds the indexes of
    reply letters and consultation records (``text_index``), kept by ``replies.search`` and
    ``consultations.search``.
    """

    name = "search"
    label = "search"
    verbose_name = _("全文检索")
