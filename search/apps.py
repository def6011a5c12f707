from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Database objects of the Chinese substring search (see ``proposals.search``).

    The app has no models: its migrations create the SQLite FTS5 table or the PostgreSQL GIN index,
    and ``ready`` keeps the SQLite table in step with ``Proposal`` rows saved through the ORM.
    """

    name = "search"
    label = "search"
    verbose_name = _("全文检索")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from proposals import search

        # Index upkeep, not workflow: the FTS row follows the saved search_text.
        post_save.connect(search.index_on_save, sender="proposals.Proposal", dispatch_uid="search_index_save")
        post_delete.connect(search.index_on_delete, sender="proposals.Proposal", dispatch_uid="search_index_delete")
