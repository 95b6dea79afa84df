"""Write a submitted period's open data package (CSV, datapackage.json, dcat.jsonld) to a
folder, for publishing on a web server that data.norge.no harvests."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from goals.models import ReportingPeriod, parse_period_slug
from imdi_reporting.opendata.selectors import is_published
from imdi_reporting.reports.services import published_package


class Command(BaseCommand):
    help = "Export open data: export_open_data --period ABC-2006-H1 --out DIR"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The period, e.g. ABC-2006-H1")
        parser.add_argument("--agency", help="The agency's code, with a short period address")
        parser.add_argument("--out", required=True, help="The folder to write the files to")
        parser.add_argument("--zip", action="store_true", help="Also write <package>.zip")
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's address for the links in dcat.jsonld (default: SITE_URL)",
        )

    def _period(self, slug: str, agency: str | None) -> ReportingPeriod:
        parsed = parse_period_slug(slug)
        if parsed is None:
            raise CommandError(f"Not a period: {slug}")
        if parsed.agency and agency and parsed.agency != agency:
            raise CommandError(f"{slug} is not a period of {agency}")
        agency = parsed.agency or agency
        if not agency:
            raise CommandError(f"Give the full address (e.g. ABC-{slug}) or --agency.")
        period = (
            ReportingPeriod.objects.select_related("budget_year__agency")
            .filter(budget_year__agency__code=agency, budget_year__year=parsed.year)
            .filter(kind=parsed.kind)
            .first()
        )
        if period is None:
            raise CommandError(f"No period {slug} of {agency}")
        if not is_published(period=period):
            raise CommandError(f"{period.slug} is not submitted; it has no open data.")
        return period

    def handle(self, *args, **options):
        period = self._period(options["period"], options["agency"])
        base_url = options["base_url"] or settings.SITE_URL
        if not base_url:
            raise CommandError("Give --base-url or set SITE_URL (the site's https address).")
        package = published_package(period=period, base_url=base_url)
        out = Path(options["out"])
        for path in package.write_to(out):
            self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
        if options["zip"]:
            archive = out / f"{package.name}.zip"
            archive.write_bytes(package.zip_bytes())
            self.stdout.write(f"{archive} ({archive.stat().st_size} bytes)")
