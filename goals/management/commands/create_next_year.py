"""Create an agency's next budget year from its last one (letter, form and periods)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from goals.choices import ChangePath
from goals.history import RecordedCommand
from goals.models import Agency, BudgetYear
from goals.selectors import new_year_preview, next_year_source
from goals.services import create_next_year


class Command(RecordedCommand, BaseCommand):
    change_path = ChangePath.COMMAND
    help = (
        "Create year N+1 from year N: "
        "create_next_year --agency ABC --year 2006 --letter-date 2007-01-20 [--dry-run]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", help="The agency's code; needed when there are several")
        parser.add_argument("--year", type=int, help="Year N; the agency's latest year if left out")
        parser.add_argument("--letter-date", help="Date of the new allocation letter, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview only")

    def handle(self, *args, **options):
        budget_year = self._budget_year(options["agency"], options["year"])
        # In English like the other commands' output, the preview's labels included.
        with translation.override("en"):
            preview = new_year_preview(source=next_year_source(budget_year=budget_year))
        self._print_preview(preview)
        if preview["exists"]:
            raise CommandError(f"{budget_year.agency} {preview['year']} already exists.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was created.")
            return
        letter_date = self._letter_date(options["letter_date"])
        try:
            year = create_next_year(budget_year=budget_year, allocation_letter_date=letter_date)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {year}."))

    def _budget_year(self, code: str | None, year: int | None) -> BudgetYear:
        agencies = Agency.objects.all()
        if code:
            agencies = agencies.filter(code=code)
        found = list(agencies[:2])
        if not found:
            raise CommandError(f"No agency {code}." if code else "There is no agency.")
        if len(found) > 1:
            codes = ", ".join(agencies.values_list("code", flat=True))
            raise CommandError(f"Several agencies ({codes}); give --agency.")
        years = BudgetYear.objects.select_related("agency").filter(agency=found[0])
        budget_year = (years.filter(year=year) if year else years.order_by("-year")).first()
        if budget_year is None:
            raise CommandError(f"{found[0]} has no budget year {year or ''}".rstrip() + ".")
        return budget_year

    def _letter_date(self, value: str | None) -> date:
        if not value:
            raise CommandError("Give --letter-date, the date of the new allocation letter.")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error

    def _print_preview(self, preview: dict) -> None:
        write = self.stdout.write
        write(f"{preview['agency']} {preview['year']} from {preview['source_year']}:")
        for kind in preview["kinds"]:
            write(f"  {kind.label}: {kind.count} ({', '.join(kind.codes)})")
        for period in preview["periods"]:
            write(
                f"  {period.slug}: {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}, "
                f"deadline {period.deadline:%Y-%m-%d}"
            )
        if preview["settlement_requirement"]:
            write(f"  Settlement figures under {preview['settlement_requirement']}")
        for proposal in preview["target_proposals"]:
            write(f"  Target proposed for {proposal['code']}: {proposal['target']}")
        write(
            f"  Deliverables not carried (dated in {preview['source_year']}): "
            f"{preview['deliverables_left']}"
        )
