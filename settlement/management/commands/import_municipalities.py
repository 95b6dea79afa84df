from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from goals.choices import ChangePath
from goals.history import RecordedCommand
from goals.loaders import FixtureError
from settlement.loaders import import_municipalities


class Command(RecordedCommand, BaseCommand):
    change_path = ChangePath.IMPORT
    help = "Create or update municipalities from the official list as CSV 'code;name'."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            count = import_municipalities(path=path)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} municipalities imported")
