"""Writes to the budget tables: the demo fixtures of the 2006 report and spreadsheet imports."""

import csv
import dataclasses
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import openpyxl
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from budget.choices import (
    AccountsCategory,
    AllocationKind,
    ChapterKind,
    FootnoteScope,
    LineKind,
    Measure,
    StatisticRole,
    StatisticTable,
    TransferKind,
)
from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Authorisation,
    Chapter,
    Commentary,
    DispositionPart,
    DispositionTransfer,
    Footnote,
    GrantStatistic,
    Post,
    ReportedFigure,
    SubPost,
    SubPostLine,
)
from goals.loaders import FixtureError, _as_date, _require, read_yaml
from goals.models import BudgetYear, Ministry, ReportingPeriod

SUBPOST_REPORTED = {
    "persons": Measure.SUBPOST_PERSONS,
    "amount": Measure.SUBPOST_AMOUNT,
    "budget": Measure.SUBPOST_BUDGET,
    "rest": Measure.SUBPOST_REST,
}
POST_MEASURES = {m.value for m in Measure} - {m.value for m in SUBPOST_REPORTED.values()}


def _money(value: Any, *, path: Path, where: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise FixtureError(str(path), where, f"'{field}' is not a number: {value!r}") from exc
    if number != number.to_integral_value():
        raise FixtureError(str(path), where, f"'{field}' must be whole kroner: {value!r}")
    return number


def _optional_money(item: dict, field: str, *, path: Path, where: str) -> Decimal | None:
    value = item.get(field)
    if value is None or value == "":
        return None
    return _money(value, path=path, where=where, field=field)


def _optional_int(item: dict, field: str, *, path: Path, where: str) -> int | None:
    value = item.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise FixtureError(str(path), where, f"'{field}' must be a whole number: {value!r}")
    return value


def _choice(item: dict, field: str, choices, *, path: Path, where: str, default=None) -> str:
    value = item.get(field, default)
    if value not in choices.values:
        raise FixtureError(str(path), where, f"'{field}' must be one of {choices.values}")
    return value


def find_post(code: str) -> Post | None:
    """'0651.60' -> the post, or None."""
    chapter, _, number = str(code).partition(".")
    return (
        Post.objects.select_related("chapter")
        .filter(chapter__number=chapter, number=number)
        .first()
    )


@transaction.atomic
def load_chapters(*, path: Path) -> dict[str, int]:
    """Create or update chapters and posts by their numbers; loading twice changes nothing."""
    data = read_yaml(path) or {}
    counts = {"chapters": 0, "posts": 0}
    credits: list[tuple[Post, str, str]] = []
    for i, item in enumerate(data.get("chapters", []), start=1):
        where = f"chapters[{i}]"
        ministry_code = _require(item, "ministry", path=path, where=where)
        ministry = Ministry.objects.filter(code=ministry_code).first()
        if ministry is None:
            raise FixtureError(str(path), where, f"unknown ministry '{ministry_code}'")
        number = str(_require(item, "number", path=path, where=where))
        if len(number) != 4 or not number.isdigit():
            raise FixtureError(str(path), where, f"'number' must be 4 digits: {number!r}")
        kind = _choice(item, "kind", ChapterKind, path=path, where=where)
        chapter, _created = Chapter.objects.update_or_create(
            number=number,
            defaults={
                "name": _require(item, "name", path=path, where=where),
                "kind": kind,
                "ministry": ministry,
            },
        )
        counts["chapters"] += 1
        for j, post_item in enumerate(item.get("posts", []), start=1):
            post_where = f"{where}.posts[{j}]"
            post_number = str(_require(post_item, "number", path=path, where=post_where))
            if len(post_number) != 2 or not post_number.isdigit():
                raise FixtureError(
                    str(path), post_where, f"'number' must be 2 digits: {post_number!r}"
                )
            post, _created = Post.objects.update_or_create(
                chapter=chapter,
                number=post_number,
                defaults={
                    "name": _require(post_item, "name", path=path, where=post_where),
                    "stikkord": post_item.get("stikkord", ""),
                },
            )
            counts["posts"] += 1
            credits.append((post, post_item.get("credited_against") or "", post_where))
    # Credits name other posts, which may come later in the file.
    for post, target_code, where in credits:
        target = find_post(target_code) if target_code else None
        if target_code and target is None:
            raise FixtureError(
                str(path), where, f"unknown post '{target_code}' in credited_against"
            )
        if post.credited_against_id != (target.pk if target else None):
            post.credited_against = target
            post.save(update_fields=["credited_against"])
    return counts


@transaction.atomic
def load_budget_report(*, path: Path) -> dict[str, int]:
    """Load one period's budget report (part VI and its attachments) from YAML.

    This is how the reference data of a submitted period comes in, so it writes into a
    locked period on purpose; the spreadsheet import refuses locked periods. Rows are matched
    on natural keys, so loading the same file twice changes nothing.
    """
    data = read_yaml(path) or {}
    agency = _require(data, "agency", path=path, where="top")
    year = _require(data, "year", path=path, where="top")
    kind = _require(data, "period", path=path, where="top")
    period = (
        ReportingPeriod.objects.select_related("budget_year")
        .filter(budget_year__agency__code=agency, budget_year__year=year, kind=kind)
        .first()
    )
    if period is None:
        raise FixtureError(str(path), "top", f"unknown period {agency} {year}-{kind}")
    budget_year = period.budget_year
    counts = dict.fromkeys(
        [
            "allocations",
            "accounts",
            "reported",
            "lines",
            "parts",
            "transfers",
            "footnotes",
            "authorisations",
            "commentary",
            "statistics",
        ],
        0,
    )
    for code, item in (data.get("posts") or {}).items():
        where = f"posts[{code}]"
        post = find_post(code)
        if post is None:
            raise FixtureError(str(path), where, f"unknown post '{code}'")
        _load_post(post, item or {}, budget_year, period, counts, path=path, where=where)
    statistics = data.get("statistics")
    if statistics:
        _load_statistics(statistics, period, counts, path=path)
    return counts


def _load_post(
    post: Post,
    item: dict,
    budget_year: BudgetYear,
    period: ReportingPeriod,
    counts: dict[str, int],
    *,
    path: Path,
    where: str,
) -> None:
    sequences: dict[str, int] = {}
    for i, entry in enumerate(item.get("allocations", []), start=1):
        entry_where = f"{where}.allocations[{i}]"
        kind = _choice(entry, "kind", AllocationKind, path=path, where=entry_where)
        sequences[kind] = sequences.get(kind, 0) + 1
        AllocationEntry.objects.update_or_create(
            post=post,
            budget_year=budget_year,
            kind=kind,
            sequence=sequences[kind],
            defaults={
                "amount": _money(
                    _require(entry, "amount", path=path, where=entry_where),
                    path=path,
                    where=entry_where,
                    field="amount",
                ),
                "date": _as_date(entry["date"], path=path, where=entry_where)
                if entry.get("date")
                else None,
                "note": entry.get("note", ""),
            },
        )
        counts["allocations"] += 1
    for i, entry in enumerate(item.get("accounts", []), start=1):
        entry_where = f"{where}.accounts[{i}]"
        AccountsEntry.objects.update_or_create(
            post=post,
            period=period,
            category=_choice(entry, "category", AccountsCategory, path=path, where=entry_where),
            defaults={
                "amount": _money(
                    _require(entry, "amount", path=path, where=entry_where),
                    path=path,
                    where=entry_where,
                    field="amount",
                ),
                "note": entry.get("note", ""),
            },
        )
        counts["accounts"] += 1
    for measure, value in (item.get("reported") or {}).items():
        entry_where = f"{where}.reported.{measure}"
        if measure not in POST_MEASURES:
            raise FixtureError(str(path), entry_where, f"measure must be one of {POST_MEASURES}")
        footnotes = ""
        if isinstance(value, dict):
            footnotes = value.get("footnotes", "")
            value = _require(value, "value", path=path, where=entry_where)
        ReportedFigure.objects.update_or_create(
            period=period,
            post=post,
            subpost=None,
            measure=measure,
            defaults={
                "value": _money(value, path=path, where=entry_where, field=measure),
                "footnotes": footnotes,
            },
        )
        counts["reported"] += 1
    positions: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(item.get("footnotes", []), start=1):
        entry_where = f"{where}.footnotes[{i}]"
        scope = _choice(
            entry, "scope", FootnoteScope, path=path, where=entry_where, default="lines"
        )
        marker = _require(entry, "marker", path=path, where=entry_where)
        positions[(scope, marker)] = positions.get((scope, marker), 0) + 1
        Footnote.objects.update_or_create(
            period=period,
            post=post,
            scope=scope,
            marker=marker,
            position=positions[(scope, marker)],
            defaults={
                "text": _require(entry, "text", path=path, where=entry_where),
                "budget_adjustment": _optional_money(
                    entry, "budget_adjustment", path=path, where=entry_where
                ),
            },
        )
        counts["footnotes"] += 1
    for i, entry in enumerate(item.get("subposts", []), start=1):
        _load_subpost(post, entry, period, counts, path=path, where=f"{where}.subposts[{i}]")
    parts: dict[str, DispositionPart] = {}
    for i, entry in enumerate(item.get("parts", []), start=1):
        entry_where = f"{where}.parts[{i}]"
        code = str(_require(entry, "code", path=path, where=entry_where))
        values = {
            field: _money(
                _require(entry, field, path=path, where=entry_where),
                path=path,
                where=entry_where,
                field=field,
            )
            for field in ("original_budget", "budget", "disposed")
        }
        parts[code], _created = DispositionPart.objects.update_or_create(
            period=period,
            post=post,
            code=code,
            defaults={
                "name": _require(entry, "name", path=path, where=entry_where),
                "position": i,
                "booked": _optional_money(entry, "booked", path=path, where=entry_where),
                "undisposed": _optional_money(entry, "undisposed", path=path, where=entry_where),
                **values,
            },
        )
        counts["parts"] += 1
    for i, entry in enumerate(item.get("transfers", []), start=1):
        entry_where = f"{where}.transfers[{i}]"
        ends = {}
        for end in ("from", "to"):
            code = entry.get(end)
            if code is not None and str(code) not in parts:
                raise FixtureError(str(path), entry_where, f"unknown part '{code}' in '{end}'")
            ends[end] = parts[str(code)] if code is not None else None
        DispositionTransfer.objects.update_or_create(
            period=period,
            post=post,
            position=i,
            defaults={
                "kind": _choice(entry, "kind", TransferKind, path=path, where=entry_where),
                "from_part": ends["from"],
                "to_part": ends["to"],
                "amount": _money(
                    _require(entry, "amount", path=path, where=entry_where),
                    path=path,
                    where=entry_where,
                    field="amount",
                ),
                "note": entry.get("note", ""),
            },
        )
        counts["transfers"] += 1
    authorisation = item.get("authorisation")
    if authorisation:
        entry_where = f"{where}.authorisation"
        Authorisation.objects.update_or_create(
            period=period,
            post=post,
            defaults={
                "granted_by": _require(authorisation, "granted_by", path=path, where=entry_where),
                "limit": _money(
                    _require(authorisation, "limit", path=path, where=entry_where),
                    path=path,
                    where=entry_where,
                    field="limit",
                ),
                "charged": _money(
                    _require(authorisation, "charged", path=path, where=entry_where),
                    path=path,
                    where=entry_where,
                    field="charged",
                ),
                "remaining": _optional_money(
                    authorisation, "remaining", path=path, where=entry_where
                ),
                "note": authorisation.get("note", ""),
            },
        )
        counts["authorisations"] += 1
    for i, entry in enumerate(item.get("commentary", []), start=1):
        entry_where = f"{where}.commentary[{i}]"
        if isinstance(entry, str):
            entry = {"text": entry}
        part_code = entry.get("part")
        if part_code is not None and str(part_code) not in parts:
            raise FixtureError(str(path), entry_where, f"unknown part '{part_code}'")
        Commentary.objects.update_or_create(
            period=period,
            post=post,
            position=i,
            defaults={
                "text": _require(entry, "text", path=path, where=entry_where),
                "part": parts[str(part_code)] if part_code is not None else None,
            },
        )
        counts["commentary"] += 1


def _load_subpost(
    post: Post,
    item: dict,
    period: ReportingPeriod,
    counts: dict[str, int],
    *,
    path: Path,
    where: str,
) -> None:
    code = str(_require(item, "code", path=path, where=where))
    if len(code) != 4 or not code.isdigit():
        raise FixtureError(str(path), where, f"'code' must be 4 digits: {code!r}")
    subpost, _created = SubPost.objects.update_or_create(
        post=post, code=code, defaults={"name": _require(item, "name", path=path, where=where)}
    )
    for i, line in enumerate(item.get("lines", []), start=1):
        line_where = f"{where}.lines[{i}]"
        save_subpost_line(
            subpost=subpost,
            period=period,
            position=i,
            values=_line_values(line, path=path, where=line_where),
        )
        counts["lines"] += 1
    for key, value in (item.get("reported") or {}).items():
        if key not in SUBPOST_REPORTED:
            raise FixtureError(
                str(path), f"{where}.reported", f"'{key}' must be one of {list(SUBPOST_REPORTED)}"
            )
        ReportedFigure.objects.update_or_create(
            period=period,
            post=post,
            subpost=subpost,
            measure=SUBPOST_REPORTED[key],
            defaults={"value": _money(value, path=path, where=f"{where}.reported", field=key)},
        )
        counts["reported"] += 1


def _line_values(line: dict, *, path: Path, where: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "label": str(_require(line, "label", path=path, where=where)),
        "kind": _choice(line, "kind", LineKind, path=path, where=where, default=LineKind.NORMAL),
        "terms": _optional_int(line, "terms", path=path, where=where) or 4,
        "footnotes": line.get("footnotes", ""),
        "budget_footnotes": line.get("budget_footnotes", ""),
    }
    for field in ("persons", "budget_persons"):
        values[field] = _optional_int(line, field, path=path, where=where)
        if values[field] is not None and values[field] < 0:
            raise FixtureError(str(path), where, f"'{field}' must not be negative")
    for field in ("rate", "amount", "budget_rate", "budget_amount", "rest"):
        values[field] = _optional_money(line, field, path=path, where=where)
    return values


def save_subpost_line(
    *, subpost: SubPost, period: ReportingPeriod, position: int, values: dict[str, Any]
) -> SubPostLine:
    """Upsert a sub-post line by its label within the sub-post and period."""
    line, _created = SubPostLine.objects.update_or_create(
        subpost=subpost,
        period=period,
        label=values["label"],
        defaults={"position": position, **{k: v for k, v in values.items() if k != "label"}},
    )
    return line


def _load_statistics(
    data: dict, period: ReportingPeriod, counts: dict[str, int], *, path: Path
) -> None:
    for i, table in enumerate(data.get("tables", []), start=1):
        where = f"statistics.tables[{i}]"
        name = _choice(table, "table", StatisticTable, path=path, where=where)
        columns = table.get("columns") or []
        position = 0
        for j, row in enumerate(table.get("rows", []), start=1):
            row_where = f"{where}.rows[{j}]"
            role = _choice(row, "role", StatisticRole, path=path, where=row_where, default="count")
            values = row.get("values") or []
            if len(values) != len(columns):
                raise FixtureError(
                    str(path), row_where, f"{len(values)} values for {len(columns)} columns"
                )
            for column, value in zip(columns, values, strict=True):
                position += 1
                if value is None:
                    continue
                if not isinstance(value, int) or value < 0:
                    raise FixtureError(str(path), row_where, f"count must be >= 0: {value!r}")
                GrantStatistic.objects.update_or_create(
                    period=period,
                    table=name,
                    row_label=str(row["label"]),
                    column_label=str(column["label"]),
                    defaults={
                        "position": position,
                        "settlement_year": row.get("settlement_year")
                        or column.get("settlement_year"),
                        "role": role,
                        "count": value,
                        "footnotes": row.get("footnotes", ""),
                    },
                )
                counts["statistics"] += 1


def load_budget_demo(*, directory: Path) -> dict[str, int]:
    """The chapters, then every period's report file in the directory."""
    counts = load_chapters(path=directory / "chapters.yaml")
    for path in sorted(directory.glob("20*.yaml")):
        for key, value in load_budget_report(path=path).items():
            counts[key] = counts.get(key, 0) + value
    return counts


# --- Spreadsheet import ----------------------------------------------------------------


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
        columns = {name: f.column_name for name, f in resource.fields.items()}
        columns.update(
            {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
        )
        for error in result.base_errors:
            report.problems.append(ImportProblem(None, "", str(error.error)))
        for number, row_result in enumerate(result.rows, start=1):
            for error in row_result.errors:
                report.problems.append(ImportProblem(number + 1, "", str(error.error)))
        for invalid in result.invalid_rows:
            for key, messages in invalid.error_dict.items():
                column = "" if key == NON_FIELD_ERRORS else columns.get(key, key)
                for message in messages:
                    report.problems.append(ImportProblem(invalid.number + 1, column, message))
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
