import json

from django.core.management.base import BaseCommand, CommandError

from budget.selectors import year_controls
from goals.formatting import format_int


class Command(BaseCommand):
    help = "List every figure of a year's budget reports that differs from the computed one."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--agency", help="agency code, e.g. ABC (default: all)")
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args, year: int, agency: str | None, json: bool, **options):
        if not 1990 <= year <= 2200:
            raise CommandError(f"--year {year} is not a budget year")
        controls = year_controls(year=year, agency_code=agency)
        if json:
            self.stdout.write(_dumps([c.as_dict() for c in controls]))
            return
        for control in controls:
            self.stdout.write(
                f"{control.where}\n    reported {format_int(control.reported)}, computed "
                f"{format_int(control.computed)}, difference {format_int(control.difference)}"
            )
        self.stdout.write(f"{len(controls)} difference(s)")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
