"""Loaders and imports for settlement: the national reference lists (counties,
municipalities), and an agency's forecasts, municipal places and case files."""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from goals.file_input import FileRefused, iter_rows
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
    SettlementCase,
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
    """A case file with bad rows; nothing of it was saved. ``problems`` are the first of
    them, ``more`` counts the rest."""

    def __init__(self, problems: list[RowProblem], *, more: int = 0):
        self.problems = problems
        self.more = more
        super().__init__("; ".join(str(p) for p in problems[:10]))

    @property
    def count(self) -> int:
        return len(self.problems) + self.more


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

MAX_LISTED_PROBLEMS = 100
CHUNK_ROWS = 2000
TEXT_FIELDS = ("case_key", "nationality", "family_group_key")
# Read once: the enums build their lists of values anew on every access.
CHOICES = (
    ("category", tuple(CaseCategory.values)),
    ("sex", tuple(Sex.values)),
    ("special_legal_ground", tuple(SpecialLegalGround.values)),
)


def read_case_file(
    *, path: Path | None = None, content: bytes | None = None, filename: str = ""
) -> Iterator[tuple[int, dict]]:
    """(row number, row) of a case file (at path, or its bytes), CSV (comma or semicolon)
    or XLSX, each row a dict of strings by column name; read as a stream within the import
    limits (FileRefused)."""
    source = content if content is not None else path
    rows = iter_rows(source=source, filename=filename or path.name)
    headers = None
    for number, cells in rows:
        if not any(c not in (None, "") for c in cells):
            continue
        if headers is None:
            headers = [str(h or "").strip() for h in cells]
            missing = [name for name in REQUIRED if name not in headers]
            if missing:
                raise FileRefused(f"missing column(s): {', '.join(missing)}", row=number)
            continue
        yield number, {h: _cell(v) for h, v in zip(headers, cells, strict=False) if h}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class CaseChecker:
    """Checks case rows one at a time against the municipalities, read once, and the keys
    seen earlier in the file."""

    def __init__(self, *, agency: Agency):
        self.agency = agency
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.lengths = {
            name: SettlementCase._meta.get_field(name).max_length for name in TEXT_FIELDS
        }
        self.seen: dict[str, int] = {}

    def check(self, number: int, raw: dict) -> tuple[dict, list[tuple[str, str]]]:
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        values: dict = {}
        bad = [(name, "is required") for name in REQUIRED if not row.get(name)]
        self._dates(row, values, bad)
        self._choices(row, values, bad)
        self._numbers(row, values, bad)
        code = row.get("municipality", "")
        values["municipality"] = self.municipalities.get(code) if code else None
        if code and values["municipality"] is None:
            bad.append(("municipality", f"unknown municipality number '{code[:20]}'"))
        for name in TEXT_FIELDS:
            values[name] = row.get(name, "")
            if len(values[name]) > self.lengths[name]:
                reason = f"is {len(values[name])} characters; at most {self.lengths[name]}"
                bad.append((name, reason))
        named = row.get("agency", self.agency.code)
        if named != self.agency.code:
            bad.append(("agency", f"'{named[:20]}' is not {self.agency.code}; one agency a file"))
        key = values["case_key"]
        if key in self.seen:
            bad.append(("case_key", f"repeats row {self.seen[key]}"))
        self.seen.setdefault(key, number)
        return values, bad or case_problems(values)

    @staticmethod
    def _dates(row: dict, values: dict, bad: list) -> None:
        for name in DATE_FIELDS:
            text = row.get(name, "")
            values[name] = None
            if text:
                try:
                    values[name] = date.fromisoformat(text)
                except ValueError:
                    bad.append((name, f"'{text[:40]}' is not a date (YYYY-MM-DD)"))

    @staticmethod
    def _choices(row: dict, values: dict, bad: list) -> None:
        for name, allowed in CHOICES:
            if row.get(name, "") and row[name] not in allowed:
                bad.append(
                    (name, f"'{row[name][:40]}' is not one of {', '.join(v for v in allowed if v)}")
                )
            values[name] = row.get(name, "")

    @staticmethod
    def _numbers(row: dict, values: dict, bad: list) -> None:
        for name, default in (("birth_year", None), ("family_size", 1)):
            text = row.get(name, "")
            values[name] = default
            if not text:
                continue
            if not text.isdigit() or len(text) > 9:
                bad.append((name, f"'{text[:40]}' is not a whole number"))
            else:
                values[name] = int(text)
        if values.get("birth_year") is not None and not 1890 <= values["birth_year"] <= 2200:
            bad.append(("birth_year", "is not a plausible year"))
        if values.get("family_size") is not None and values["family_size"] < 1:
            bad.append(("family_size", "must be at least 1"))


def import_cases(
    *,
    rows: Iterable[dict] | Iterable[tuple[int, dict]],
    agency: Agency,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> dict[str, int]:
    """Check every row; save nothing if any row is bad (CaseImportError with the first
    MAX_LISTED_PROBLEMS problems and the count of the rest). Cases are matched on their
    case key within the agency: a known key updates that case, a new key creates one;
    another agency's case with the same key is a different case. Good rows are saved a
    chunk at a time while no row has failed, in one transaction that a failure undoes.
    ``rows`` are dicts (numbered from row 2) or (row number, dict) pairs; a row's 'agency'
    column, when there is one, must name the agency. A dry run checks and saves nothing."""
    check_module(agency=agency)
    checker = CaseChecker(agency=agency)
    problems: list[RowProblem] = []
    more = 0
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    chunk: list[dict] = []
    with transaction.atomic():
        for count, item in enumerate(rows, start=1):
            number, raw = item if isinstance(item, tuple) else (count + 1, item)
            values, bad = checker.check(number, raw)
            for name, reason in bad:
                if len(problems) < MAX_LISTED_PROBLEMS:
                    problems.append(RowProblem(number, name, reason))
                else:
                    more += 1
            if not bad and not problems and not dry_run:
                chunk.append(values)
                if len(chunk) >= CHUNK_ROWS:
                    _add(totals, save_cases(agency=agency, cases=chunk))
                    chunk = []
            if progress is not None and count % CHUNK_ROWS == 0:
                progress(count)
        if problems:
            raise CaseImportError(problems, more=more)
        if chunk:
            _add(totals, save_cases(agency=agency, cases=chunk))
    return totals


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for name, count in counts.items():
        totals[name] += count


def import_case_upload(
    *,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> dict[str, int]:
    """The admin's case file: its 'agency' column names the agency (the same on every
    row). Raises FileRefused, AgencyChoiceError or CaseImportError."""
    first = next(read_case_file(content=content, filename=filename), None)
    if first is None:
        raise FileRefused("the file has no rows")
    code = first[1].get("agency", "")
    if not code:
        raise AgencyChoiceError("the file has no 'agency' column naming the agency")
    agency = settlement_agency(code=code)
    rows = read_case_file(content=content, filename=filename)
    return import_cases(rows=rows, agency=agency, progress=progress, dry_run=dry_run)


def import_case_file(
    *, path: Path, agency: Agency, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Import a case file; a file that cannot be read raises FileRefused."""
    return import_cases(rows=read_case_file(path=path), agency=agency, progress=progress)


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
