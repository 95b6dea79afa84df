from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from goals.choices import ChangePath
from goals.history import RecordedCommand
from goals.letter_formats import read_letter_file
from goals.letter_import import LetterImportResult, file_agency_and_year, import_letter
from goals.letter_schema import MAX_FILE_BYTES, LetterFileError
from goals.models import Agency, BudgetYear


class Command(RecordedCommand, BaseCommand):
    change_path = ChangePath.IMPORT
    help = (
        "Import an allocation letter (tildelingsbrev) from XLSX or YAML into one agency's "
        "budget year; see docs/tildelingsbrev.md. Nothing is saved when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", help="agency code; may come from the file")
        parser.add_argument("--year", type=int, help="budget year; may come from the file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
        parser.add_argument(
            "--letter-date",
            type=date.fromisoformat,
            help="create the budget year with this allocation letter date if it is missing",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(
                f"{path}: the file is {path.stat().st_size // 1024} KB; "
                f"at most {MAX_FILE_BYTES // 1024} KB"
            )
        try:
            data = read_letter_file(name=path.name, content=path.read_bytes())
        except LetterFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        agency, year = self.target(data, options)
        if (
            options["letter_date"] is None
            and not BudgetYear.objects.filter(agency=agency, year=year).exists()
        ):
            raise CommandError(
                f"agency {agency.code} has no budget year {year}; "
                "create it in the admin or give --letter-date YYYY-MM-DD"
            )
        result = import_letter(
            data=data,
            agency=agency,
            year=year,
            dry_run=options["dry_run"],
            letter_date=options["letter_date"],
        )
        self.report(result, agency, year)

    def target(self, data, options) -> tuple[Agency, int]:
        """Agency and year from the options or the file; when both name them, they agree."""
        named_agency, named_year = file_agency_and_year(data)
        code = options["agency"] or named_agency
        year = options["year"] or named_year
        if code is None or year is None:
            raise CommandError("give --agency and --year (the file names neither)")
        if named_agency and named_agency != code:
            raise CommandError(f"the file is for agency {named_agency}, not {code}")
        if named_year and named_year != year:
            raise CommandError(f"the file is for {named_year}, not {year}")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"unknown agency '{code}'")
        return agency, year

    def report(self, result: LetterImportResult, agency: Agency, year: int) -> None:
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s); nothing saved for {agency.code} {year}"
            )
        for sheet, counts in result.counts.items():
            self.stdout.write(
                f"{sheet}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        if result.created_year:
            self.stdout.write(f"Budget year {agency.code} {year} created.")
        done = "Dry run: nothing saved." if result.dry_run else "Letter imported."
        self.stdout.write(self.style.SUCCESS(done))
