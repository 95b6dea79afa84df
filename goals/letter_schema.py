"""The allocation letter (tildelingsbrev) as a document: its sheets, columns and the
intermediate structure both file formats (XLSX, YAML) are read into.

docs/tildelingsbrev.md describes the format for the people who fill it in; the names here
are the ones they see (sheet and column headers in Norwegian).
"""

from dataclasses import dataclass, field
from typing import Any

from goals.models import (
    Activity,
    BudgetYear,
    Deliverable,
    Indicator,
    MainGoal,
    OtherReportingTopic,
    PriorityArea,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
)

# Limits that keep a hostile or mistaken upload from tying up the server.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL_CHARS = 5000


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str = "text"  # text, int, number, date, direction, baseline
    required: bool = False
    # The model field whose validators (length, slug, digits) the value must pass.
    model_field: str | None = None


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    model: Any
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


# "Brev" holds the letter's own fields, one a row (Felt | Verdi); the others are tables.
LETTER = Sheet(
    "letter",
    "Brev",
    BudgetYear,
    (
        Column("agency", "Virksomhet"),
        Column("year", "År", "int"),
        Column("priority_area", "Satsingsområde"),
        Column("priority_area_unit", "Satsingsområde ANSV"),
        Column("settlement_requirement", "Bosettingskrav"),
    ),
)
SHEETS = (
    LETTER,
    Sheet(
        "priority_items",
        "Satsingsområde",
        PriorityItem,
        (
            Column("letter", "Bokstav", required=True, model_field="letter"),
            Column("text", "Tekst", required=True),
        ),
    ),
    Sheet(
        "main_goals",
        "Hovedmål",
        MainGoal,
        (
            Column("code", "Kode", required=True, model_field="code"),
            Column("title", "Tittel", required=True),
        ),
    ),
    Sheet(
        "requirements",
        "Resultatkrav",
        ResultRequirement,
        (
            Column("goal", "Hovedmål", required=True),
            Column("code", "Kode", required=True, model_field="code"),
            Column("text", "Tekst", required=True),
            Column("responsible_unit", "ANSV", required=True),
        ),
    ),
    Sheet(
        "deliverables",
        "Leveranser",
        Deliverable,
        (
            Column("requirement", "Resultatkrav", required=True),
            Column("due", "Frist", "date", required=True),
            Column("title", "Tittel", required=True, model_field="title"),
        ),
    ),
    Sheet(
        "special_reporting",
        "Særskilte krav",
        SpecialReportingRequirement,
        (
            Column("code", "Kode", required=True, model_field="code"),
            Column("text", "Tekst", required=True),
            Column("requirement", "Resultatkrav"),
            Column("goal", "Hovedmål"),
            Column("responsible_unit", "ANSV"),
        ),
    ),
    Sheet(
        "other_reporting",
        "Andre tema",
        OtherReportingTopic,
        (
            Column("code", "Kode", required=True, model_field="code"),
            Column("title", "Tittel", required=True, model_field="title"),
            Column("text", "Tekst"),
            Column("responsible_unit", "ANSV"),
        ),
    ),
    Sheet(
        "activities",
        "Aktiviteter",
        Activity,
        (
            Column("position", "Nr", "int", required=True),
            Column("parent", "Hører til", required=True),
            Column("activity", "Aktivitet", required=True),
            Column("indicator", "Indikator"),
        ),
    ),
    Sheet(
        "indicators",
        "Indikatorer",
        Indicator,
        (
            Column("code", "Kode", required=True, model_field="code"),
            Column("parent", "Hører til", required=True),
            Column("activity", "Aktivitet nr", "int"),
            Column("name", "Navn", required=True, model_field="name"),
            Column("unit", "Enhet", model_field="unit"),
            Column("target", "Mål", "number", model_field="target"),
            Column("target_date", "Måldato", "date"),
            Column("direction", "Retning", "direction", required=True),
            Column("baseline", "Utgangsverdi", "baseline"),
            Column("note", "Merknad"),
        ),
    ),
)
SHEET_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
# PriorityArea has no sheet of its own: its title and ANSV are fields of "Brev".
PRIORITY_AREA_MODEL = PriorityArea


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, named the way its author can find it."""

    sheet: str
    row: int | str
    column: str
    reason: str

    def __str__(self) -> str:
        if isinstance(self.row, int):
            return f"sheet {self.sheet}, row {self.row}, column {self.column}: {self.reason}"
        return f"{self.sheet}, {self.row}, field {self.column}: {self.reason}"


@dataclass
class Row:
    """One row of a sheet (XLSX) or one item of the YAML, with raw values by field."""

    sheet: Sheet
    row: int | str
    values: dict[str, Any]
    # Where each field sits when it is not (row, header): YAML keys, or Brev's own rows.
    places: dict[str, tuple[int | str, str]] = field(default_factory=dict)

    def place(self, name: str) -> tuple[int | str, str]:
        if name in self.places:
            return self.places[name]
        return self.row, self.sheet.column(name).header

    def problem(self, name: str, reason: str) -> Problem:
        row, column = self.place(name)
        return Problem(self.sheet.name, row, column, reason)


@dataclass
class LetterData:
    """The intermediate structure: rows by sheet key, and what the reader found wrong."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.setdefault(row.sheet.key, []).append(row)

    def letter_value(self, name: str) -> Any:
        letter = self.rows.get("letter") or []
        return letter[0].values.get(name) if letter else None


class LetterFileError(Exception):
    """A file that cannot be read as a letter at all (not XLSX or YAML, too large)."""
