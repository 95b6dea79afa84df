from django.core.management.base import BaseCommand, CommandError

from goals.loaders import FixtureError
from imdi_reporting.services import load_demo


class Command(BaseCommand):
    help = "Load the 2006 demo data from fixtures/ and the demo users (safe to run twice)."

    def handle(self, *args, **options) -> None:
        try:
            load_demo(report=lambda line: self.stdout.write(line))
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
