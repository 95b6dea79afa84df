"""Spreadsheet import and export of allocations, accounts and sub-post lines (the columns
are the resources' in budget.resources). A file with any problem saves nothing."""

import csv
import dataclasses
import io
from dataclasses import dataclass

import openpyxl
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from goals.models import BudgetYear


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file: its row (as numbered in the spreadsheet, the
    header being row 1), the column, and why."""

    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return (
            f"{where}, column '{self.column}': {self.reason}"
            if self.column
            else (f"{where}: {self.reason}")
        )


@dataclass
class ImportReport:
    table: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    problems: list[ImportProblem] = dataclasses.field(default_factory=list)
    saved: bool = False


def read_spreadsheet(*, content: bytes, filename: str) -> tablib.Dataset:
    """The first sheet of an XLSX file, or a CSV file in UTF-8 or Windows-1252 separated by
    ';' or ','. Every cell is read as stored: formulas come back as their text."""
    if filename.lower().endswith(".xlsx"):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        return tablib.Dataset()
    headers = [str(h or "").strip().lower() for h in rows[0]]
    dataset = tablib.Dataset(headers=headers)
    for row in rows[1:]:
        cells = [("" if c is None else c) for c in row][: len(headers)]
        dataset.append(cells + [""] * (len(headers) - len(cells)))
    return dataset


def guess_table(headers: list[str]) -> str | None:
    if "underpost" in headers:
        return "lines"
    if "kategori" in headers:
        return "accounts"
    if "type" in headers and "beløp" in headers:
        return "allocations"
    return None


def agency_ambiguity(*, year: int | None, agency_code: str | None) -> str:
    """Why the import cannot tell the agency, or ''. With several agencies in the year (any
    year, when none is given) the import refuses to guess, even where the chapter numbers
    would tell them apart."""
    if agency_code:
        return ""
    years = BudgetYear.objects.all() if year is None else BudgetYear.objects.filter(year=year)
    codes = list(years.order_by("agency__code").values_list("agency__code", flat=True).distinct())
    if len(codes) < 2:
        return ""
    which = f"the budget year {year}" if year is not None else "budget years"
    return f"several agencies have {which} ({', '.join(codes)}); give the agency"


def import_budget_file(
    *,
    content: bytes,
    filename: str,
    year: int | None = None,
    agency_code: str | None = None,
    table: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import allocations, accounts or sub-post lines. A file with any problem saves nothing;
    every problem is reported with its row and column."""
    from budget.resources import RESOURCES

    dataset = read_spreadsheet(content=content, filename=filename)
    table = table or guess_table(list(dataset.headers or []))
    if table not in RESOURCES:
        report = ImportReport(table=table or "")
        report.problems.append(
            ImportProblem(None, "", f"cannot tell the table from the columns {dataset.headers}")
        )
        return report
    report = ImportReport(table=table, rows=len(dataset))
    ambiguity = agency_ambiguity(year=year, agency_code=agency_code)
    if ambiguity:
        report.problems.append(ImportProblem(None, "", ambiguity))
        return report
    resource = RESOURCES[table](year=year, agency_code=agency_code)
    with transaction.atomic():
        try:
            result = resource.import_data(
                dataset,
                dry_run=True,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
        except ValidationError as exc:
            report.problems.append(ImportProblem(None, "", "; ".join(exc.messages)))
            return report
        report.problems.extend(_problems(result, resource))
        report.problems.sort(key=lambda p: (p.row or 0, p.column))
        report.new = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=True,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        if result.has_validation_errors() or result.has_errors():
            raise ValidationError("the import changed between the check and the save")
    report.saved = True
    return report


def _problems(result, resource) -> list[ImportProblem]:
    """The problems of a checked import, each with its spreadsheet row and column name."""
    columns = {name: f.column_name for name, f in resource.fields.items()}
    columns.update({f.attribute: f.column_name for f in resource.fields.values() if f.attribute})
    problems = [ImportProblem(None, "", str(error.error)) for error in result.base_errors]
    for number, row_result in enumerate(result.rows, start=1):
        problems += [ImportProblem(number + 1, "", str(e.error)) for e in row_result.errors]
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = "" if key == NON_FIELD_ERRORS else columns.get(key, key)
            problems += [ImportProblem(invalid.number + 1, column, m) for m in messages]
    return problems


def export_budget_table(*, table: str, fmt: str, queryset=None) -> bytes:
    """A table as CSV (UTF-8, ';' separated) or XLSX, in the columns the import reads."""
    from budget.resources import RESOURCES

    resource = RESOURCES[table]()
    dataset = resource.export(queryset=queryset)
    if fmt == "xlsx":
        return dataset.export("xlsx")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(dataset.headers)
    writer.writerows(dataset)
    return buffer.getvalue().encode("utf-8")
