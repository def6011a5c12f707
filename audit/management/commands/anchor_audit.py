from __future__ import annotations

from django.core.management.base import BaseCommand

from audit.anchor import anchor_path, write_anchor


class Command(BaseCommand):
    help = "Append the audit chain's head to the anchor file outside the database (run from cron)."

    def handle(self, **options):
        anchor = write_anchor()
        if anchor is None:
            self.stdout.write("audit chain empty: nothing to anchor")
        else:
            self.stdout.write(f"anchored audit row id={anchor.id} hash={anchor.hash} in {anchor_path()}")
