"""Loaders and imports for settlement: the national reference lists (counties,
municipalities), and an agency's forecasts, municipal places and case files."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tablib
from django.db import transaction

from goals.history import loading_fixtures
from goals.loaders import FixtureError
from goals.locking import allow_locked_period_writes
from goals.models import Agency
from settlement.choices import CaseCategory, Sex, SpecialLegalGround
from settlement.models import (
    DATE_FIELDS,
    County,
    Forecast,
    Municipality,
    MunicipalPlaces,
    case_problems,
)
from settlement.services import save_cases

CASE_FIELDS = (
    "case_key",
    "category",
    "nationality",
    "sex",
    "birth_year",
    "family_group_key",
    "family_size",
    "permit_date",
    "ready_date",
    "searched_out_date",
    "arrived_date",
    "settled_date",
    "municipality",
    "special_legal_ground",
)
REQUIRED = ("case_key", "category", "nationality", "sex", "birth_year", "permit_date")


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


class AgencyChoiceError(ValueError):
    """The agency settlement data is for is unknown, ambiguous or lacks the module."""


def settlement_agency(*, code: str | None) -> Agency:
    """The agency whose settlement data is loaded: the one named by its code, or, with no
    code, the only agency that has the settlement module. Never a guess among several."""
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise AgencyChoiceError(f"no agency with the code '{code}'")
        check_module(agency=agency)
        return agency
    with_module = list(
        Agency.objects.filter(has_settlement=True).order_by("code").values_list("code", flat=True)
    )
    if not with_module:
        raise AgencyChoiceError("no agency has the settlement module (Agency.has_settlement)")
    if len(with_module) > 1:
        raise AgencyChoiceError(
            f"several agencies have the settlement module ({', '.join(with_module)}): "
            "name one with --agency"
        )
    return Agency.objects.get(code=with_module[0])


def check_module(*, agency: Agency) -> None:
    if not agency.has_settlement:
        raise AgencyChoiceError(
            f"the agency {agency.code} does not have the settlement module (has_settlement)"
        )


class CaseImportError(Exception):
    """A case file with bad rows; nothing of it was saved."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _semicolon_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@transaction.atomic
def load_counties(*, path: Path) -> int:
    rows = _semicolon_rows(path)
    for i, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if len(code) != 2 or not code.isdigit() or not name:
            raise FixtureError(str(path), f"row {i}", "needs a two-digit code and a name")
        County.objects.update_or_create(code=code, defaults={"name": name})
    return len(rows)


@transaction.atomic
def import_municipalities(*, path: Path) -> int:
    """Create or update municipalities from the official list as CSV 'code;name'. The
    county is the first two digits of the municipality number and must exist."""
    rows = _semicolon_rows(path)
    counties = {county.code: county for county in County.objects.all()}
    for i, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if len(code) != 4 or not code.isdigit():
            raise FixtureError(str(path), f"row {i}, code", f"'{code}' is not a four-digit number")
        if not name:
            raise FixtureError(str(path), f"row {i}, name", "a name is required")
        county = counties.get(code[:2])
        if county is None:
            raise FixtureError(str(path), f"row {i}, code", f"no county {code[:2]}")
        Municipality.objects.update_or_create(code=code, defaults={"name": name, "county": county})
    return len(rows)


def _int(value: str, *, path: Path, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise FixtureError(str(path), where, f"'{value}' is not a whole number") from exc


@transaction.atomic
@allow_locked_period_writes()
def load_forecasts(*, path: Path, agency: Agency) -> int:
    check_module(agency=agency)
    rows = _semicolon_rows(path)
    for i, row in enumerate(rows, start=2):
        where = f"row {i}"
        try:
            cut_off = date.fromisoformat(row.get("cut_off_date") or "")
        except ValueError as exc:
            raise FixtureError(str(path), f"{where}, cut_off_date", "not a date") from exc
        Forecast.objects.update_or_create(
            agency=agency,
            year=_int(row.get("year"), path=path, where=f"{where}, year"),
            cut_off_date=cut_off,
            defaults={"persons": _int(row.get("persons"), path=path, where=f"{where}, persons")},
        )
    return len(rows)


@transaction.atomic
@allow_locked_period_writes()
def load_municipal_places(*, path: Path, agency: Agency) -> int:
    check_module(agency=agency)
    rows = _semicolon_rows(path)
    by_code = {m.code: m for m in Municipality.objects.all()}
    for i, row in enumerate(rows, start=2):
        where = f"row {i}"
        municipality = by_code.get((row.get("municipality") or "").strip())
        if municipality is None:
            raise FixtureError(str(path), f"{where}, municipality", "unknown municipality")
        MunicipalPlaces.objects.update_or_create(
            agency=agency,
            municipality=municipality,
            year=_int(row.get("year"), path=path, where=f"{where}, year"),
            defaults={
                "requested": _int(row.get("requested"), path=path, where=f"{where}, requested"),
                "accepted": _int(row.get("accepted"), path=path, where=f"{where}, accepted"),
            },
        )
    return len(rows)


# --- case files ---------------------------------------------------------------------------


def read_case_file(*, path: Path) -> list[dict]:
    """Rows of a case file, CSV (comma or semicolon) or XLSX, as dicts of strings."""
    if path.suffix.lower() == ".xlsx":
        with path.open("rb") as handle:
            dataset = tablib.Dataset().load(handle.read(), format="xlsx")
        return [
            {key: "" if value is None else _cell(value) for key, value in row.items()}
            for row in dataset.dict
        ]
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def _cell(value) -> str:
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_rows(rows: list[dict]) -> tuple[list[dict], list[RowProblem]]:
    municipalities = {m.code: m for m in Municipality.objects.all()}
    parsed, problems, seen = [], [], {}
    for number, raw in enumerate(rows, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        values: dict = {}
        bad = []
        for name in REQUIRED:
            if not row.get(name):
                bad.append((name, "is required"))
        for name in DATE_FIELDS:
            text = row.get(name, "")
            if text:
                try:
                    values[name] = date.fromisoformat(text)
                except ValueError:
                    bad.append((name, f"'{text}' is not a date (YYYY-MM-DD)"))
            else:
                values[name] = None
        for name, allowed in (
            ("category", CaseCategory.values),
            ("sex", Sex.values),
            ("special_legal_ground", SpecialLegalGround.values),
        ):
            if row.get(name, "") and row[name] not in allowed:
                bad.append(
                    (name, f"'{row[name]}' is not one of {', '.join(v for v in allowed if v)}")
                )
            values[name] = row.get(name, "")
        for name, default in (("birth_year", None), ("family_size", 1)):
            text = row.get(name, "")
            if not text:
                values[name] = default
                continue
            if not text.isdigit():
                bad.append((name, f"'{text}' is not a whole number"))
            else:
                values[name] = int(text)
        if values.get("birth_year") is not None and not 1890 <= values["birth_year"] <= 2200:
            bad.append(("birth_year", "is not a plausible year"))
        if values.get("family_size") is not None and values["family_size"] < 1:
            bad.append(("family_size", "must be at least 1"))
        code = row.get("municipality", "")
        values["municipality"] = municipalities.get(code) if code else None
        if code and values["municipality"] is None:
            bad.append(("municipality", f"unknown municipality number '{code}'"))
        key = row.get("case_key", "")
        if key in seen:
            bad.append(("case_key", f"repeats row {seen[key]}"))
        seen.setdefault(key, number)
        values["case_key"] = key
        values["nationality"] = row.get("nationality", "")
        values["family_group_key"] = row.get("family_group_key", "")
        if not bad:
            bad = case_problems(values)
        problems.extend(RowProblem(number, name, reason) for name, reason in bad)
        parsed.append(values)
    return parsed, problems


@transaction.atomic
def import_cases(*, rows: list[dict], agency: Agency) -> dict[str, int]:
    """Validate every row first; save nothing if any row is bad. Cases are matched on
    their case key within the agency: a known key updates that case, a new key creates
    one; another agency's case with the same key is a different case."""
    check_module(agency=agency)
    parsed, problems = _parse_rows(rows)
    if problems:
        raise CaseImportError(problems)
    return save_cases(agency=agency, cases=parsed)


def import_case_file(*, path: Path, agency: Agency) -> dict[str, int]:
    return import_cases(rows=read_case_file(path=path), agency=agency)


@allow_locked_period_writes()
def load_cases(*, path: Path, agency: Agency) -> dict[str, int]:
    """The demo loader's step: a bad row becomes a FixtureError naming file, row and field.
    It reproduces the submitted reports' data, so it writes what they counted; the
    import command (import_case_file) does not."""
    try:
        return import_case_file(path=path, agency=agency)
    except CaseImportError as exc:
        first = exc.problems[0]
        raise FixtureError(str(path), f"row {first.row}, {first.field}", first.reason) from exc


@transaction.atomic
def load_settlement_demo(*, directory: Path, agency: Agency | None = None) -> dict[str, object]:
    """The national reference lists, then the forecasts, places and cases of the agency:
    the one given, or the only agency with the settlement module (organisation.yaml).
    The demo data is the origin of its rows, so nothing of it is recorded as a change."""
    with loading_fixtures():
        return _load_settlement_demo(directory=directory, agency=agency)


def _load_settlement_demo(*, directory: Path, agency: Agency | None) -> dict[str, object]:
    counties = load_counties(path=directory / "counties.csv")
    municipalities = import_municipalities(path=directory / "municipalities.csv")
    if agency is None:
        try:
            agency = settlement_agency(code=None)
        except AgencyChoiceError as exc:
            raise FixtureError(str(directory), "agency", str(exc)) from exc
    return {
        "counties": counties,
        "municipalities": municipalities,
        "agency": agency.code,
        "forecasts": load_forecasts(path=directory / "forecasts.csv", agency=agency),
        "places": load_municipal_places(
            path=directory / "municipal_places_2006.csv", agency=agency
        ),
        "cases": load_cases(path=directory / "cases_2006.csv", agency=agency),
    }
