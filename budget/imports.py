"""Spreadsheet import and export of allocations, accounts and sub-post lines (the columns
are the resources' in budget.resources). A file with any problem saves nothing."""

import contextlib
import csv
import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.db import IntegrityError, transaction

from budget.bulk_import import CHUNK_ROWS, SPECS, BulkWriter, Lookups, RowChecker
from goals.file_input import FileRefused, iter_rows
from goals.models import Agency, BudgetYear


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


MAX_LISTED_PROBLEMS = 100


@dataclass
class ImportReport:
    """The outcome of one import: the rows read, how many were new or updated, and the
    problems, of which the first MAX_LISTED_PROBLEMS are kept and the rest counted."""

    table: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    problems: list[ImportProblem] = dataclasses.field(default_factory=list)
    saved: bool = False
    more_problems: int = 0

    def add(self, problem: ImportProblem) -> None:
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


def read_spreadsheet(*, content: bytes, filename: str) -> tablib.Dataset:
    """The first sheet of an XLSX file, or a CSV file in UTF-8 or Windows-1252 separated by
    ';' or ','. Every cell is read as stored: formulas come back as their text. Bounded
    like every import (goals.file_input)."""
    dataset = tablib.Dataset()
    for _number, cells in iter_rows(source=content, filename=filename):
        if not any(c not in (None, "") for c in cells):
            continue
        if dataset.headers is None:
            dataset.headers = [str(h or "").strip().lower() for h in cells]
            continue
        width = len(dataset.headers)
        cells = [("" if c is None else c) for c in cells][:width]
        dataset.append(cells + [""] * (width - len(cells)))
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
    content: bytes | None = None,
    path: Path | None = None,
    filename: str,
    year: int | None = None,
    agency_code: str | None = None,
    table: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import allocations, accounts or sub-post lines from the bytes or the file at path.
    A file with any problem saves nothing; every problem is reported with its row and
    column (the first MAX_LISTED_PROBLEMS of them, the rest counted). ``progress`` is told
    the number of rows read after every chunk."""
    report = ImportReport(table=table or "")
    rows = iter_rows(source=content if content is not None else path, filename=filename)
    # A dry run writes nothing, so it needs no transaction, and the progress it reports
    # is seen by other connections at once.
    try:
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            _import_rows(
                rows,
                report=report,
                year=year,
                agency_code=agency_code,
                dry_run=dry_run,
                progress=progress,
            )
            if report.problems and not dry_run:
                transaction.set_rollback(True)
    except FileRefused as exc:
        report.add(ImportProblem(exc.row, "", exc.reason))
    report.problems.sort(key=lambda p: p.row or 0)
    report.saved = not report.problems and not dry_run
    return report


def _header(rows) -> tuple[int, list[str]] | None:
    for number, cells in rows:
        if any(c not in (None, "") for c in cells):
            return number, [str(h or "").strip().lower() for h in cells]
    return None


def _import_rows(rows, *, report: ImportReport, year, agency_code, dry_run, progress) -> None:
    """Check every row against lookups read once, and write the good ones a chunk at a time
    while no row has failed (the caller rolls back when one has)."""
    header = _header(rows)
    headers = header[1] if header else []
    report.table = report.table or guess_table(headers) or ""
    if report.table not in SPECS:
        report.add(ImportProblem(None, "", f"cannot tell the table from the columns {headers}"))
        return
    problem = agency_ambiguity(year=year, agency_code=agency_code) or _missing(
        report.table, headers
    )
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    if agency_code and agency is None:
        problem = problem or f"unknown agency '{agency_code}'"
    if problem:
        report.add(ImportProblem(None, "", problem))
        return
    lookups = Lookups(agency=agency)
    checker = RowChecker(table=report.table, year=year, lookups=lookups)
    named = lookups.by_pk(SPECS[report.table].named_by)
    writer = BulkWriter(table=report.table, write=not dry_run, named=named)
    width = len(headers)
    for number, cells in rows:
        if not any(c not in (None, "") for c in cells):
            continue
        report.rows += 1
        values, errors = checker.check(number, dict(zip(headers, cells[:width], strict=False)))
        if errors:
            writer.stop_writing()
            for column in sorted(errors):
                report.add(ImportProblem(number, column, errors[column]))
        elif not report.problems:
            writer.add(values)
            if writer.full:
                _flush(writer, report)
        if progress is not None and report.rows % CHUNK_ROWS == 0:
            progress(report.rows)
    _flush(writer, report)
    report.new, report.updated = writer.counts["new"], writer.counts["updated"]


def _missing(table: str, headers: list[str]) -> str:
    missing = [c for c in SPECS[table].required if c not in headers]
    return f"missing column(s): {', '.join(missing)}" if missing else ""


def _flush(writer: BulkWriter, report: ImportReport) -> None:
    """Write the rows collected so far. Rows the database refuses (a position taken by a
    saved line) fail the whole file, named as such; the savepoint keeps the transaction
    usable for checking the rest."""
    if not (writer.new or writer.changed):
        return
    try:
        with transaction.atomic():
            writer.flush()
    except IntegrityError as exc:
        writer.stop_writing()
        report.add(ImportProblem(None, "", f"the rows conflict with saved rows ({exc})"))


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
