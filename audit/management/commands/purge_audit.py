from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.services import MIN_RETENTION_DAYS, PurgeRefused, purge_before


class Command(BaseCommand):
    help = (
        f"Delete audit events older than --days days (at least {MIN_RETENTION_DAYS}); "
        "an anchor keeps the rest of the chain verifiable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True)

    def handle(self, **options):
        try:
            result = purge_before(days=options["days"])
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        if result.anchor is None:
            self.stdout.write("nothing to purge")
        else:
            self.stdout.write(
                f"purged {result.deleted} audit events through id={result.anchor.purged_through_id}; "
                f"anchor hash {result.anchor.anchor_hash}"
            )
