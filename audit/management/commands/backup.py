from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent copy of the database and the media files to a folder (see audit/backup.py)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="folder to write the backup to")
        parser.add_argument("--no-media", action="store_true", help="database only")
        parser.add_argument("--database", default="default")

    def handle(self, **options):
        target = Path(options["output"])
        try:
            manifest = backup(target, media=not options["no_media"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = manifest.get("media", {}).get("files", "—")
        self.stdout.write(f"backup written to {target} ({manifest['vendor']}, media files: {media})")
