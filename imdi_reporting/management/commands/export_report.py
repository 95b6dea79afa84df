"""Write a period's report (full, form or accounts) as HTML or PDF to a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from goals.models import ReportingPeriod, parse_period_slug
from imdi_reporting.choices import ReportPart
from imdi_reporting.reports.services import frozen_report, render_report_html, render_report_pdf


class Command(BaseCommand):
    help = "Export a period's report: export_report 2006-H1 --part full --format pdf --output FILE"

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The period, e.g. 2006-H1 or 2006")
        parser.add_argument("--part", choices=ReportPart.values, default=ReportPart.FULL)
        parser.add_argument("--format", choices=["html", "pdf"], default="pdf")
        parser.add_argument("--output", required=True, help="The file to write")
        parser.add_argument("--agency", help="The agency's code when several report")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Render the PDF now even when the period's submitted copy is stored",
        )

    def handle(self, *args, **options):
        parsed = parse_period_slug(options["slug"])
        if parsed is None:
            raise CommandError(f"Not a period: {options['slug']}")
        agency = parsed.agency or options["agency"]
        if parsed.agency and options["agency"] and parsed.agency != options["agency"]:
            raise CommandError(f"{options['slug']} is not a period of {options['agency']}")
        periods = ReportingPeriod.objects.select_related("budget_year__agency").filter(
            budget_year__year=parsed.year, kind=parsed.kind
        )
        if agency:
            periods = periods.filter(budget_year__agency__code=agency)
        found = list(periods.order_by("budget_year__agency__code")[:2])
        if not found:
            raise CommandError(f"No period {options['slug']}")
        if len(found) > 1:
            codes = ", ".join(
                periods.order_by("budget_year__agency__code").values_list(
                    "budget_year__agency__code", flat=True
                )
            )
            raise CommandError(
                f"Several agencies have {options['slug']} ({codes}); give --agency "
                f"or the full key, e.g. {found[0].slug}"
            )
        period = found[0]
        part, output = options["part"], Path(options["output"])
        if options["format"] == "html":
            output.write_text(render_report_html(period=period, part=part), encoding="utf-8")
        else:
            frozen = None if options["fresh"] else frozen_report(period=period, part=part)
            data = bytes(frozen.pdf) if frozen else render_report_pdf(period=period, part=part)
            output.write_bytes(data)
        self.stdout.write(f"{output} ({output.stat().st_size} bytes)")
