from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from goals.loaders import FixtureError
from imdi_reporting.services import load_demo


class Command(BaseCommand):
    help = (
        "Load the 2006 demo data from fixtures/ and the demo users (password 'demo'). "
        "Only what is missing is loaded; data already there is never overwritten."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even though DEBUG is off (creates users with a known password).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        # The demo users' password is public; a production site must not get them by
        # accident (a copied `make run` line, a deploy script).
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: load_demo would create the demo users with the public "
                "password 'demo'. Run it with DEBUG=1, or pass --allow-production if this "
                "really is a demonstration site."
            )
        try:
            loaded = load_demo(report=lambda line: self.stdout.write(line))
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        done = "Demo data loaded." if loaded else "The demo data is already loaded; nothing changed"
        self.stdout.write(self.style.SUCCESS(done))
