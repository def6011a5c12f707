from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Put a backup made by `backup` back: replaces the database and the media files (folder or object store)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="folder written by `manage.py backup`")
        parser.add_argument("--no-media", action="store_true", help="database only")
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, **options):
        source = Path(options["source"])
        if options["interactive"]:
            answer = input(f"This replaces the database and the media files with {source}. Type 'yes' to go on: ")
            if answer != "yes":
                raise CommandError("restore cancelled")
        try:
            manifest = restore(source, media=not options["no_media"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {manifest['vendor']} backup of {manifest['created_at']} from {source}")
