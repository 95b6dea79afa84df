import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from settlement.loaders import AgencyChoiceError, settlement_agency
from settlement.selectors import report_figures


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return float(value)
    return value


class Command(BaseCommand):
    help = "Print an agency's settlement figures at a date, for the period from --from."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="end date, YYYY-MM-DD")
        parser.add_argument("--from", dest="start", help="start date (default 1 January)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--agency",
            help="agency code, e.g. ABC; required when several agencies have the module",
        )

    def handle(self, *args, **options):
        end = _date(options["date"])
        start = _date(options["start"]) if options["start"] else date(end.year, 1, 1)
        if start > end:
            raise CommandError("--from must not be after --date")
        try:
            agency = settlement_agency(code=options["agency"])
        except AgencyChoiceError as exc:
            raise CommandError(str(exc)) from exc
        figures = _plain(report_figures(agencies=[agency], start=start, end=end)[agency.pk])
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
