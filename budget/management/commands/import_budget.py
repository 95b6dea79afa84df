from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budget.imports import agency_ambiguity, import_budget_file
from budget.resources import RESOURCES
from goals.choices import ChangePath
from goals.history import RecordedCommand


class Command(RecordedCommand, BaseCommand):
    change_path = ChangePath.IMPORT
    help = (
        "Import allocations, accounts or sub-post lines from an XLSX or CSV file. A file with "
        "any problem imports nothing; every problem is listed with its row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--year", type=int, help="budget year (default: the file's 'år' or 'periode' column)"
        )
        parser.add_argument(
            "--agency", help="agency code (ABC ...); required when several agencies have the year"
        )
        parser.add_argument(
            "--table", choices=sorted(RESOURCES), help="default: told by the columns"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and preview only")

    def handle(self, *args, file: Path, year: int, agency, table, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        ambiguity = agency_ambiguity(year=year, agency_code=agency)
        if ambiguity:
            raise CommandError(f"{file.name}: {ambiguity} with --agency")
        report = import_budget_file(
            path=file,
            filename=file.name,
            year=year,
            agency_code=agency,
            table=table,
            dry_run=dry_run,
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{file.name}: {problem}")
            if report.more_problems:
                self.stderr.write(f"{file.name}: and {report.more_problems} more problem(s)")
            raise CommandError(
                f"{report.problem_count} problem(s) in {file.name}; nothing was imported"
            )
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{file.name}: {verb} {report.rows} {report.table} row(s): "
            f"{report.new} new, {report.updated} updated"
        )
