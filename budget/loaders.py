"""Fixture loaders: the demo chapters and posts and each period's budget report from YAML.

Loaders match rows on natural keys, so loading a file twice changes nothing. Every chapter
belongs to an agency, named in the file (at the top or per chapter); posts are looked up
within that agency only.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

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
    Commentary,
    DispositionPart,
    DispositionTransfer,
    Footnote,
    GrantStatistic,
    Post,
    ReportedFigure,
    SubPost,
)
from budget.services import save_chapter, save_subpost_line
from goals.history import fixture_loader
from goals.loaders import FixtureError, _as_date, _require, read_yaml
from goals.locking import allow_locked_period_writes
from goals.models import Agency, BudgetYear, Ministry, ReportingPeriod

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


def _required_money(*, item: dict, field: str, path: Path, where: str) -> Decimal:
    return _money(
        _require(item, field, path=path, where=where), path=path, where=where, field=field
    )


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


def find_post(code: str, *, agency: Agency) -> Post | None:
    """'0651.60' -> the agency's post, or None."""
    chapter, _, number = str(code).partition(".")
    return (
        Post.objects.select_related("chapter__agency")
        .filter(chapter__agency=agency, chapter__number=chapter, number=number)
        .first()
    )


def _agency(code: Any, *, path: Path, where: str) -> Agency:
    agency = Agency.objects.select_related("ministry").filter(code=code).first()
    if agency is None:
        raise FixtureError(str(path), where, f"unknown agency '{code}'")
    return agency


@fixture_loader
@transaction.atomic
def load_chapters(*, path: Path, agency_code: str | None = None) -> dict[str, int]:
    """Create or update an agency's chapters and posts by their numbers; loading twice
    changes nothing. The agency is the file's ``agency:`` (or each chapter's), unless the
    caller names it; a chapter's ``ministry:``, when given, must be the agency's."""
    data = read_yaml(path) or {}
    counts = {"chapters": 0, "posts": 0}
    credits: list[tuple[Post, str, str]] = []
    default = agency_code or data.get("agency")
    for i, item in enumerate(data.get("chapters", []), start=1):
        where = f"chapters[{i}]"
        code = agency_code or item.get("agency") or default
        if not code:
            raise FixtureError(str(path), where, "'agency' is required (per chapter or on top)")
        agency = _agency(code, path=path, where=where)
        chapter = _load_chapter(item, agency, path=path, where=where)
        counts["chapters"] += 1
        for j, post_item in enumerate(item.get("posts", []), start=1):
            post_where = f"{where}.posts[{j}]"
            post = _load_post_row(chapter, post_item, path=path, where=post_where)
            counts["posts"] += 1
            credits.append((post, post_item.get("credited_against") or "", post_where))
    # Credits name other posts of the same agency, which may come later in the file.
    for post, target_code, where in credits:
        target = find_post(target_code, agency=post.chapter.agency) if target_code else None
        if target_code and target is None:
            raise FixtureError(
                str(path),
                where,
                f"unknown post '{target_code}' of {post.chapter.agency.code} in credited_against",
            )
        if post.credited_against_id != (target.pk if target else None):
            post.credited_against = target
            post.save(update_fields=["credited_against"])
    return counts


def _load_chapter(item: dict, agency: Agency, *, path: Path, where: str):
    """A chapter of the agency's ministry, or (``charge_authorisation: true``) another
    ministry's chapter the agency charges under a charge authorisation."""
    ministry_code = item.get("ministry") or agency.ministry.code
    ministry = Ministry.objects.filter(code=ministry_code).first()
    if ministry is None:
        raise FixtureError(str(path), where, f"unknown ministry '{ministry_code}'")
    if ministry.pk != agency.ministry_id and not item.get("charge_authorisation"):
        raise FixtureError(
            str(path),
            where,
            f"'ministry' {ministry_code} is not {agency.code}'s ministry "
            f"{agency.ministry.code}; mark the chapter 'charge_authorisation: true' if "
            f"{agency.code} charges it under an authorisation",
        )
    number = str(_require(item, "number", path=path, where=where))
    if len(number) != 4 or not number.isdigit():
        raise FixtureError(str(path), where, f"'number' must be 4 digits: {number!r}")
    return save_chapter(
        agency=agency,
        number=number,
        name=_require(item, "name", path=path, where=where),
        kind=_choice(item, "kind", ChapterKind, path=path, where=where),
        ministry=ministry,
    )


def _load_post_row(chapter, item: dict, *, path: Path, where: str) -> Post:
    number = str(_require(item, "number", path=path, where=where))
    if len(number) != 2 or not number.isdigit():
        raise FixtureError(str(path), where, f"'number' must be 2 digits: {number!r}")
    post, _created = Post.objects.update_or_create(
        chapter=chapter,
        number=number,
        defaults={
            "name": _require(item, "name", path=path, where=where),
            "stikkord": item.get("stikkord", ""),
        },
    )
    return post


@fixture_loader
@transaction.atomic
@allow_locked_period_writes()
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
        ReportingPeriod.objects.select_related("budget_year__agency")
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
        post = find_post(code, agency=budget_year.agency)
        if post is None:
            raise FixtureError(str(path), where, f"unknown post '{code}' of {agency}")
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
    """One post's part of a period's report, section by section."""
    args = (post, item, budget_year, period, counts)
    _load_amounts(*args, path=path, where=where)
    _load_reported_and_footnotes(*args, path=path, where=where)
    for i, entry in enumerate(item.get("subposts", []), start=1):
        _load_subpost(post, entry, period, counts, path=path, where=f"{where}.subposts[{i}]")
    parts = _load_parts(*args, path=path, where=where)
    _load_authorisation_and_commentary(*args, parts, path=path, where=where)


def _load_amounts(
    post: Post,
    item: dict,
    budget_year: BudgetYear,
    period: ReportingPeriod,
    counts: dict[str, int],
    *,
    path: Path,
    where: str,
) -> None:
    """Allocations of the year and accounts of the period."""
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
                "amount": _required_money(item=entry, field="amount", path=path, where=entry_where),
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
                "amount": _required_money(item=entry, field="amount", path=path, where=entry_where),
                "note": entry.get("note", ""),
            },
        )
        counts["accounts"] += 1


def _load_reported_and_footnotes(
    post: Post,
    item: dict,
    budget_year: BudgetYear,
    period: ReportingPeriod,
    counts: dict[str, int],
    *,
    path: Path,
    where: str,
) -> None:
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


def _load_parts(
    post: Post,
    item: dict,
    budget_year: BudgetYear,
    period: ReportingPeriod,
    counts: dict[str, int],
    *,
    path: Path,
    where: str,
) -> dict[str, DispositionPart]:
    """Parts of the post with the transfers between them, by part code."""
    parts: dict[str, DispositionPart] = {}
    for i, entry in enumerate(item.get("parts", []), start=1):
        entry_where = f"{where}.parts[{i}]"
        code = str(_require(entry, "code", path=path, where=entry_where))
        parts[code] = _load_part(
            entry=entry,
            code=code,
            post=post,
            period=period,
            position=i,
            path=path,
            where=entry_where,
        )
        counts["parts"] += 1
    for i, entry in enumerate(item.get("transfers", []), start=1):
        _load_transfer(
            entry=entry,
            post=post,
            period=period,
            parts=parts,
            position=i,
            path=path,
            where=f"{where}.transfers[{i}]",
        )
        counts["transfers"] += 1
    return parts


def _load_part(
    *,
    entry: dict,
    code: str,
    post: Post,
    period: ReportingPeriod,
    position: int,
    path: Path,
    where: str,
) -> DispositionPart:
    values = {
        field: _required_money(item=entry, field=field, path=path, where=where)
        for field in ("original_budget", "budget", "disposed")
    }
    part, _created = DispositionPart.objects.update_or_create(
        period=period,
        post=post,
        code=code,
        defaults={
            "name": _require(entry, "name", path=path, where=where),
            "position": position,
            "booked": _optional_money(entry, "booked", path=path, where=where),
            "undisposed": _optional_money(entry, "undisposed", path=path, where=where),
            **values,
        },
    )
    return part


def _load_transfer(
    *,
    entry: dict,
    post: Post,
    period: ReportingPeriod,
    parts: dict[str, DispositionPart],
    position: int,
    path: Path,
    where: str,
) -> None:
    ends = {}
    for end in ("from", "to"):
        code = entry.get(end)
        if code is not None and str(code) not in parts:
            raise FixtureError(str(path), where, f"unknown part '{code}' in '{end}'")
        ends[end] = parts[str(code)] if code is not None else None
    DispositionTransfer.objects.update_or_create(
        period=period,
        post=post,
        position=position,
        defaults={
            "kind": _choice(entry, "kind", TransferKind, path=path, where=where),
            "from_part": ends["from"],
            "to_part": ends["to"],
            "amount": _required_money(item=entry, field="amount", path=path, where=where),
            "note": entry.get("note", ""),
        },
    )


def _load_authorisation_and_commentary(
    post: Post,
    item: dict,
    budget_year: BudgetYear,
    period: ReportingPeriod,
    counts: dict[str, int],
    parts: dict[str, DispositionPart],
    *,
    path: Path,
    where: str,
) -> None:
    authorisation = item.get("authorisation")
    if authorisation:
        entry_where = f"{where}.authorisation"
        Authorisation.objects.update_or_create(
            period=period,
            post=post,
            defaults={
                "granted_by": _require(authorisation, "granted_by", path=path, where=entry_where),
                "limit": _required_money(
                    item=authorisation, field="limit", path=path, where=entry_where
                ),
                "charged": _required_money(
                    item=authorisation, field="charged", path=path, where=entry_where
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


@fixture_loader
def load_budget_demo(*, directory: Path, agency_code: str | None = None) -> dict[str, int]:
    """The chapters, then every period's report file in the directory."""
    counts = load_chapters(path=directory / "chapters.yaml", agency_code=agency_code)
    for path in sorted(directory.glob("20*.yaml")):
        for key, value in load_budget_report(path=path).items():
            counts[key] = counts.get(key, 0) + value
    return counts
