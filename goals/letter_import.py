"""The one importer for allocation letters, whatever file they came in.

import_letter checks everything first and collects every problem, naming sheet, row and
column; only a letter without problems is written, in one transaction. Everything is
resolved inside the given agency and budget year, so a letter cannot reach into another
agency's or year's rows.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from goals.choices import IndicatorDirection
from goals.letter_schema import (
    MAX_CELL_CHARS,
    SHEET_BY_KEY,
    SHEETS,
    Column,
    LetterData,
    Problem,
    Row,
)
from goals.letter_writer import LetterWriter
from goals.models import (
    Activity,
    Agency,
    BudgetYear,
    MainGoal,
    OrganisationalUnit,
    OtherReportingTopic,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
)

# Norwegian words people write for a direction, besides the stored values.
DIRECTION_WORDS = {
    "øke": IndicatorDirection.INCREASE,
    "økning": IndicatorDirection.INCREASE,
    "redusere": IndicatorDirection.DECREASE,
    "reduksjon": IndicatorDirection.DECREASE,
    "minst": IndicatorDirection.AT_LEAST,
    "høyst": IndicatorDirection.AT_MOST,
}
# Prefixes of "Hører til": requirement:R1-1, priority:a, special:HM1-S1, other:it.
PARENT_PREFIXES = {
    "requirement": "requirement",
    "krav": "requirement",
    "resultatkrav": "requirement",
    "priority": "priority",
    "satsing": "priority",
    "special": "special",
    "særskilt": "special",
    "other": "other",
    "tema": "other",
}
PARENT_NAMES = {
    "requirement": "result requirement",
    "priority": "priority item",
    "special": "special reporting requirement",
    "other": "other reporting topic",
}
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass
class LetterImportResult:
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    # Sheet name -> {"created": n, "updated": n, "unchanged": n}.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # (sheet name, key, "created" | "updated") for every row that changes.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    created_year: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_letter(
    *,
    data: LetterData,
    agency: Agency,
    year: int,
    dry_run: bool = False,
    letter_date: date | None = None,
) -> LetterImportResult:
    """Check the letter and, when nothing is wrong and this is no dry run, save it.

    With letter_date, a missing budget year is created along with the letter (and not at
    all when the letter has problems)."""
    with transaction.atomic():
        budget_year = BudgetYear.objects.filter(agency=agency, year=year).first()
        created_year = budget_year is None and letter_date is not None
        if created_year:
            budget_year = BudgetYear.objects.create(
                agency=agency, year=year, allocation_letter_date=letter_date
            )
        check = _Check(data, agency, year, budget_year)
        plan = check.run()
        if check.problems:
            transaction.set_rollback(True)
            return LetterImportResult(dry_run=dry_run, problems=check.problems)
        written = LetterWriter(budget_year, plan).write()
        if dry_run:
            # The dry run writes and rolls back, so its counts are exactly the real ones.
            transaction.set_rollback(True)
    return LetterImportResult(
        dry_run=dry_run,
        counts=written.counts,
        changes=written.changes,
        created_year=created_year,
    )


def file_agency_and_year(data: LetterData) -> tuple[str | None, int | None]:
    """The agency code and year the file names, if it names them (for the command)."""
    agency = data.letter_value("agency")
    year = data.letter_value("year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    return (str(agency) if agency not in (None, "") else None), year


# --- Cleaning single values -------------------------------------------------------------------


def _text(value: Any) -> str:
    # Not stripped: YAML block texts keep their line end as the fixture loader keeps it;
    # the workbook reader strips its cells itself.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        raise ValueError(f"'{value}' is a date, expected text")
    return str(value)


def _int(value: Any) -> int:
    """A whole number from 1: the year, an activity's number."""
    number = None
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 1:
        raise ValueError(f"'{value}' is not a whole number from 1")
    return number


def _number(value: Any) -> Decimal:
    if isinstance(value, bool | datetime | date):
        raise ValueError(f"'{value}' is not a number")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a number")
    return number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(f"'{value}' is not a date")
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _NORWEGIAN_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD or DD.MM.YYYY)") from None


def _direction(value: Any) -> str:
    text = str(value).strip().casefold()
    if text in IndicatorDirection.values:
        return text
    if text in DIRECTION_WORDS:
        return DIRECTION_WORDS[text]
    raise ValueError(f"unknown direction '{value}'; one of {IndicatorDirection.values}")


def _baseline(value: Any) -> Decimal | str:
    try:
        return _number(value)
    except ValueError:
        return _text(value)


CLEANERS = {
    "text": _text,
    "int": _int,
    "number": _number,
    "date": _date,
    "direction": _direction,
    "baseline": _baseline,
}


def clean_value(column: Column, value: Any, model) -> Any:
    """The value as the model stores it; ValueError with the reason when it cannot be."""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise ValueError(f"longer than {MAX_CELL_CHARS} characters")
    cleaned = CLEANERS[column.kind](value)
    name = column.model_field
    if column.kind == "baseline":
        name = "baseline" if isinstance(cleaned, Decimal) else "baseline_text"
    if name and cleaned not in (None, ""):
        try:
            model._meta.get_field(name).run_validators(cleaned)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
    return cleaned


def parse_parent(value: str) -> tuple[str, str] | None:
    prefix, sep, code = str(value).partition(":")
    kind = PARENT_PREFIXES.get(prefix.strip().casefold())
    if not sep or kind is None or not code.strip():
        return None
    return kind, code.strip()


# --- Checking the whole letter ----------------------------------------------------------------


@dataclass
class Clean:
    """A row whose values passed cleaning, ready for the cross checks and the writer."""

    row: Row
    values: dict[str, Any]
    ok: bool = True


class _Check:
    def __init__(self, data: LetterData, agency: Agency, year: int, budget_year):
        self.data = data
        self.agency = agency
        self.year = year
        self.budget_year = budget_year
        self.problems: list[Problem] = list(data.problems)
        self.plan: dict[str, list[Clean]] = {}
        # Rows with a bad value: left out of the checks below, but the codes they do
        # give still count as known, so one bad cell does not echo through the file.
        self.rejected: dict[str, list[Clean]] = {}

    def run(self) -> dict[str, list[Clean]]:
        for sheet in SHEETS:
            cleaned = [self.clean_row(row) for row in self.data.rows.get(sheet.key, [])]
            self.plan[sheet.key] = [c for c in cleaned if c.ok]
            self.rejected[sheet.key] = [c for c in cleaned if not c.ok]
        self.check_letter()
        if self.budget_year is None:
            return self.plan
        self.known = _Known(self.budget_year, self.plan, self.rejected)
        self.check_duplicates()
        self.check_units()
        self.check_references()
        self.check_parents()
        return self.plan

    def fail(self, row: Row, name: str, reason: str) -> None:
        self.problems.append(row.problem(name, reason))

    def clean_row(self, row: Row) -> Clean:
        values, ok = {}, True
        for column in row.sheet.columns:
            raw = row.values.get(column.field)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if column.required and row.sheet.key != "letter":
                    self.fail(row, column.field, "is required")
                    ok = False
                values[column.field] = None
                continue
            try:
                values[column.field] = clean_value(column, raw, row.sheet.model)
            except ValueError as exc:
                self.fail(row, column.field, str(exc))
                values[column.field], ok = None, False
        return Clean(row, values, ok)

    def letter(self) -> Clean | None:
        return (self.plan.get("letter") or [None])[0]

    def check_letter(self) -> None:
        letter = self.letter()
        named_agency = letter.values["agency"] if letter else None
        named_year = letter.values["year"] if letter else None
        if named_agency and named_agency != self.agency.code:
            self.fail(
                letter.row, "agency", f"the file is for {named_agency}, not {self.agency.code}"
            )
        if named_year and named_year != self.year:
            self.fail(letter.row, "year", f"the file is for {named_year}, not {self.year}")
        if self.budget_year is None:
            self.problems.append(
                Problem(
                    SHEET_BY_KEY["letter"].name,
                    1,
                    "År",
                    f"agency {self.agency.code} has no budget year {self.year}",
                )
            )
        elif letter and letter.values["settlement_requirement"] and not self.agency.has_settlement:
            self.fail(
                letter.row,
                "settlement_requirement",
                f"agency {self.agency.code} has no settlement module",
            )

    def check_duplicates(self) -> None:
        keys = {
            "priority_items": ("letter",),
            "main_goals": ("code",),
            "requirements": ("code",),
            "deliverables": ("requirement", "due", "title"),
            "special_reporting": ("code",),
            "other_reporting": ("code",),
            "activities": ("position",),
            "indicators": ("code",),
        }
        for key, names in keys.items():
            counts = Counter(tuple(c.values[n] for n in names) for c in self.plan[key])
            for clean in self.plan[key]:
                value = tuple(clean.values[n] for n in names)
                if counts[value] > 1:
                    shown = " ".join(str(v) for v in value)
                    self.fail(clean.row, names[-1], f"'{shown}' is given more than once")

    def check_units(self) -> None:
        units = {u.code for u in self.agency.units.all()}
        elsewhere = dict(
            OrganisationalUnit.objects.exclude(agency=self.agency).values_list(
                "code", "agency__code"
            )
        )
        letter = self.letter()
        cells = [(letter, "priority_area_unit")] if letter else []
        for key in ("requirements", "special_reporting", "other_reporting"):
            cells += [(clean, "responsible_unit") for clean in self.plan[key]]
        for clean, name in cells:
            code = clean.values[name]
            if code in (None, self.agency.code) and clean.row.sheet.key != "requirements":
                continue
            if code == self.agency.code:
                self.fail(clean.row, name, "must name a unit of the agency, not the agency")
            elif code not in units and code in elsewhere:
                self.fail(
                    clean.row,
                    name,
                    f"unit '{code}' belongs to agency {elsewhere[code]}, not {self.agency.code}",
                )
            elif code not in units:
                self.fail(clean.row, name, f"unknown unit '{code}' of agency {self.agency.code}")

    def check_references(self) -> None:
        known = self.known
        for clean in self.plan["requirements"]:
            goal, code = clean.values["goal"], clean.values["code"]
            if goal not in known.goals:
                self.fail(clean.row, "goal", f"no main goal '{goal}' in the letter or the year")
            elif known.stored_requirement_goal.get(code, goal) != goal:
                other = known.stored_requirement_goal[code]
                self.fail(clean.row, "code", f"'{code}' is already under main goal {other}")
        for clean in self.plan["deliverables"]:
            self.reference(clean, "requirement", known.requirements, "result requirement")
        for clean in self.plan["special_reporting"]:
            given = [n for n in ("requirement", "goal") if clean.values[n]]
            if len(given) != 1:
                self.fail(clean.row, "requirement", "name either a result requirement or a goal")
                continue
            names = {"requirement": known.requirements, "goal": known.goals}
            self.reference(clean, given[0], names[given[0]], given[0].replace("goal", "main goal"))
        letter = self.letter()
        if letter and letter.values["settlement_requirement"]:
            self.reference(
                letter, "settlement_requirement", known.requirements, "result requirement"
            )
        if self.plan["priority_items"] and not known.has_area:
            first = self.plan["priority_items"][0]
            self.fail(first.row, "letter", "the priority area needs a title (Brev: Satsingsområde)")

    def reference(self, clean: Clean, name: str, codes, what: str) -> None:
        if clean.values[name] not in codes:
            self.fail(
                clean.row, name, f"no {what} '{clean.values[name]}' in the letter or the year"
            )

    def check_parents(self) -> None:
        known = self.known
        for key in ("activities", "indicators"):
            for clean in self.plan[key]:
                parent = parse_parent(clean.values["parent"])
                if parent is None:
                    self.fail(
                        clean.row,
                        "parent",
                        f"'{clean.values['parent']}' must be requirement:, priority:, "
                        "special: or other:<code>",
                    )
                elif parent[1] not in known.parents[parent[0]]:
                    what = PARENT_NAMES[parent[0]]
                    self.fail(clean.row, "parent", f"no {what} '{parent[1]}' in the letter or year")
                else:
                    clean.values["parent"] = f"{parent[0]}:{parent[1]}"
                    continue
                clean.values["parent"] = None
        for clean in self.plan["indicators"]:
            position = clean.values["activity"]
            if position is None or clean.values["parent"] is None:
                continue
            if position not in known.activities:
                self.fail(clean.row, "activity", f"no activity {position} in the letter or year")
            elif known.activities[position] != clean.values["parent"]:
                self.fail(
                    clean.row,
                    "activity",
                    f"activity {position} belongs to {known.activities[position]}, "
                    f"not {clean.values['parent']}",
                )


class _Known:
    """Codes of the budget year: those already stored and those the letter brings."""

    def __init__(self, budget_year: BudgetYear, plan: dict, rejected: dict):
        def codes(key: str, name: str = "code") -> set:
            given = {c.values[name] for c in plan[key] + rejected[key]}
            return given - {None}

        self.goals = codes("main_goals") | set(
            MainGoal.objects.filter(budget_year=budget_year).values_list("code", flat=True)
        )
        self.stored_requirement_goal = dict(
            ResultRequirement.objects.filter(main_goal__budget_year=budget_year).values_list(
                "code", "main_goal__code"
            )
        )
        self.requirements = codes("requirements") | set(self.stored_requirement_goal)
        self.has_area = bool(plan["letter"] and plan["letter"][0].values["priority_area"]) or (
            budget_year.priority_areas.exists()
        )
        self.parents = {
            "requirement": self.requirements,
            "priority": codes("priority_items", "letter")
            | set(
                PriorityItem.objects.filter(area__budget_year=budget_year).values_list(
                    "letter", flat=True
                )
            ),
            "special": codes("special_reporting")
            | set(
                SpecialReportingRequirement.objects.filter(budget_year=budget_year).values_list(
                    "code", flat=True
                )
            ),
            "other": codes("other_reporting")
            | set(
                OtherReportingTopic.objects.filter(budget_year=budget_year).values_list(
                    "code", flat=True
                )
            ),
        }
        stored = Activity.objects.filter(budget_year=budget_year).select_related(
            "requirement", "priority_item", "special", "other_topic"
        )
        self.activities = {a.position: a.parent_key for a in stored}
        for clean in plan["activities"]:
            parent = parse_parent(clean.values["parent"])
            if parent is not None:
                self.activities[clean.values["position"]] = f"{parent[0]}:{parent[1]}"
