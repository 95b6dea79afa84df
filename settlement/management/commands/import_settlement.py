from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from goals.choices import ChangePath
from goals.file_input import FileRefused
from goals.history import RecordedCommand
from settlement.loaders import (
    AgencyChoiceError,
    CaseImportError,
    import_case_file,
    settlement_agency,
)


class Command(RecordedCommand, BaseCommand):
    change_path = ChangePath.IMPORT
    help = (
        "Import an agency's pseudonymised settlement cases from CSV or XLSX. Every bad row is "
        "named and nothing is saved if any row is bad; a known case key updates that case."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--agency",
            help="agency code, e.g. ABC; required when several agencies have the module",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            agency = settlement_agency(code=options["agency"])
        except AgencyChoiceError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = import_case_file(path=path, agency=agency)
        except FileRefused as exc:
            raise CommandError(f"{path}: {exc}; nothing was imported") from exc
        except CaseImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            if exc.more:
                self.stderr.write(f"and {exc.more} more problem(s)")
            raise CommandError(f"{path}: {exc.count} problem(s); nothing was imported") from exc
        except ValidationError as exc:
            # The lock of a submitted report (goals.locking) names the case it refused.
            raise CommandError(f"{path}: {' '.join(exc.messages)} Nothing was imported.") from exc
        self.stdout.write(
            f"{agency.code}: {result['created']} created, {result['updated']} updated, "
            f"{result['unchanged']} unchanged"
        )
