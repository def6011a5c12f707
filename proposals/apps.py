from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from audit.history import limit_versions
        from audit.readers import set_trail_reader
        from common import id_lookups

        from . import checks, search  # noqa: F401 - checks registers the calendar check
        from .choices import ProposalAction as A
        from .models import Assignment, Proposal
        from .roles import is_auditor
        from .selectors import assignments_visible_to, proposals_visible_to, register_member_timeline

        # Out-of-range ids match no row instead of overflowing the driver (all apps' models).
        id_lookups.register()
        # The audit app knows no roles; it is told who reads its trail, and who sees which versions.
        set_trail_reader(is_auditor)
        # …and told how to name this app's people, rows and codes in words (issue 20).
        from . import audit_words

        audit_words.register()
        limit_versions(Proposal, proposals_visible_to)
        limit_versions(Assignment, assignments_visible_to)
        # Index upkeep, not workflow: the SQLite FTS row (a table of the search app's migrations)
        # follows the saved search_text.
        post_save.connect(search.index_on_save, sender="proposals.Proposal", dispatch_uid="search_index_save")
        post_delete.connect(search.index_on_delete, sender="proposals.Proposal", dispatch_uid="search_index_delete")

        register_member_timeline(A.FILE, A.SUBMIT, A.REGISTER, A.ASSIGN, A.ACCEPT, A.REASSIGN)
        # The proposer is told why a proposal was not registered.
        register_member_timeline(A.DECLINE, note=True)
        # 并案: the proposers are told their proposal is handled with another (numbers, no titles).
        register_member_timeline(A.MERGE, A.MERGE_UNDO, A.MERGE_FOLLOW, note=True)
        # The proposal's members read who was asked to co-sign, who confirmed, declined or was removed.
        register_member_timeline(
            A.COSIGN_INVITE, A.COSIGN_CONFIRM, A.COSIGN_PAPER, A.COSIGN_DECLINE, A.COSIGN_REMOVE, note=True
        )
