"""The budget import's checks and writes at bulk speed.

The lookups a row needs (posts, sub-posts, budget years, periods, locked periods, the rows
already saved) are read once per key set, never once per row; cells are parsed by the
widgets of budget.resources, so the command, the admin and the export agree on every
column. Checked rows are written with bulk_create/bulk_update in chunks inside the
import's one transaction, and only while no row has failed; a dry run writes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from budget.models import AccountsEntry, AllocationEntry, Post, SubPost, SubPostLine
from budget.resources import RESOURCES, DateWidget
from goals.bulk import create_rows
from goals.history import record_changes
from goals.models import Agency, BudgetYear, PeriodKey, ReportingPeriod, parse_period_slug
from goals.services import bump_generation

CHUNK_ROWS = 2000
UPDATE_BATCH = 200


@dataclass(frozen=True)
class TableSpec:
    """What differs between the three tables: model, required columns, the column that
    names a duplicate, and the attributes that make the natural key."""

    model: type[models.Model]
    required: tuple[str, ...]
    key_column: str
    key_fields: tuple[str, ...]
    # The foreign key whose object names a new row in its history (str() and the page it
    # is shown on): the one the history fetches for rows created in bulk (budget.history).
    named_by: str


SPECS = {
    "allocations": TableSpec(
        AllocationEntry,
        ("kapittel", "post", "type", "beløp"),
        "type",
        ("post_id", "budget_year_id", "kind", "sequence"),
        "post",
    ),
    "accounts": TableSpec(
        AccountsEntry,
        ("kapittel", "post", "periode", "kategori", "beløp"),
        "kategori",
        ("post_id", "period_id", "category"),
        "post",
    ),
    "lines": TableSpec(
        SubPostLine,
        ("kapittel", "post", "underpost", "periode", "nr", "tekst"),
        "tekst",
        ("subpost_id", "period_id", "label"),
        "subpost",
    ),
}


class Lookups:
    """Everything a row is checked against, read once for the whole file (per agency, or
    for all agencies when the import names none)."""

    def __init__(self, *, agency: Agency | None):
        self.agency = agency
        posts = Post.objects.select_related("chapter__agency").order_by("chapter__agency__code")
        years = BudgetYear.objects.select_related("agency")
        if agency is not None:
            posts = posts.filter(chapter__agency=agency)
            years = years.filter(agency=agency)
        self.posts: dict[tuple[str, str], list[Post]] = defaultdict(list)
        self.chapters: set[tuple[str, str]] = set()
        for post in posts:
            self.posts[(post.chapter.number, post.number)].append(post)
            self.chapters.add((post.chapter.number, post.chapter.agency.code))
        self.chapter_numbers = {number for number, _ in self.chapters}
        self.years = {(y.year, y.agency_id): y for y in years}
        self.periods: dict[tuple[int, str], ReportingPeriod] = {}
        self.locked: dict[int, list[ReportingPeriod]] = defaultdict(list)
        periods = ReportingPeriod.objects.select_related("budget_year__agency").filter(
            budget_year__in=list(self.years.values())
        )
        for period in periods.order_by("end"):
            self.periods[(period.budget_year_id, period.kind)] = period
            if period.is_locked:
                self.locked[period.budget_year_id].append(period)
        subposts = SubPost.objects.filter(post__in=[p for ps in self.posts.values() for p in ps])
        self.subposts = {(s.post_id, s.code): s for s in subposts}

    def by_pk(self, name: str) -> dict[int, models.Model]:
        """The posts or sub-posts read, by id: what a new row's foreign key ``name`` names."""
        if name == "subpost":
            return {s.pk: s for s in self.subposts.values()}
        return {p.pk: p for found in self.posts.values() for p in found}


def field_limit(field: models.Field):
    """A fast check of one model field's length, range or digits: the reason a value
    breaks it, or ''; None for a field without such rules. The same rules as the field's
    validators, read once."""
    if isinstance(field, models.CharField) and field.max_length:
        most = field.max_length
        return lambda v: f"at most {most} characters (this has {len(v)})" if len(v) > most else ""
    if isinstance(field, models.DecimalField):
        digits = field.max_digits
        return lambda v: f"at most {digits} digits" if len(str(abs(int(v)))) > digits else ""
    if isinstance(field, models.IntegerField):
        validators = field.validators
        low = max(
            (v.limit_value for v in validators if isinstance(v, MinValueValidator)), default=None
        )
        high = min(
            (v.limit_value for v in validators if isinstance(v, MaxValueValidator)), default=None
        )

        def check(value) -> str:
            if low is not None and value < low:
                return f"must be at least {low}"
            if high is not None and value > high:
                return f"must be at most {high}"
            return ""

        return check
    return None


class RowChecker:
    """Checks one table's rows against the lookups; gives each good row's values and its
    natural key, and the problems of a bad one as {column: reason}."""

    def __init__(self, *, table: str, year: int | None, lookups: Lookups):
        self.table = table
        self.spec = SPECS[table]
        self.year = year
        self.lookups = lookups
        resource = RESOURCES[table]()
        self.fields = [
            (f.column_name, f.attribute, f.widget) for f in resource.fields.values() if f.attribute
        ]
        model_fields = {f.attname: f for f in self.spec.model._meta.concrete_fields}
        limits = [
            (column, attr, field_limit(model_fields[attr])) for column, attr, _ in self.fields
        ]
        self.limits = [(column, attr, limit) for column, attr, limit in limits if limit]
        self.seen: dict[tuple, int] = {}
        self.positions: dict[tuple, int] = {}
        self.parsed: dict[str, PeriodKey | None] = {}

    def check(self, number: int, row: dict[str, Any]) -> tuple[dict, dict[str, str]]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        if self.table == "lines" and not str(row.get("terminer") or "").strip():
            row["terminer"] = 4
        for column, attribute, widget in self.fields:
            if column not in row:
                continue
            try:
                values[attribute] = widget.clean(row[column])
            except ValueError as exc:
                errors[column] = str(exc)
        post = self._post(row, errors)
        if post is not None:
            getattr(self, f"_resolve_{self.table}")(row, post, values, errors)
        if errors:
            return values, errors
        self._model_checks(values, errors)
        if errors:
            return values, errors
        key = tuple(values[name] for name in self.spec.key_fields)
        if key in self.seen:
            return values, {self.spec.key_column: f"duplicate of row {self.seen[key]}"}
        self.seen[key] = number
        if self.table == "lines":
            place = (values["subpost_id"], values["period_id"], values["position"])
            if place in self.positions:
                return values, {
                    "nr": f"position {values['position']} is also row {self.positions[place]}'s"
                }
            self.positions[place] = number
        return values, errors

    def _model_checks(self, values: dict, errors: dict[str, str]) -> None:
        """The model's own field rules (lengths, ranges, digits), without its foreign-key
        queries: the references were resolved from the lookups."""
        for column, attribute, limit in self.limits:
            value = values.get(attribute)
            if value is None or value == "":
                continue
            reason = limit(value)
            if reason:
                errors[column] = reason

    def _post(self, row, errors) -> Post | None:
        chapter = str(row.get("kapittel") or "").strip()
        number = str(row.get("post") or "").strip()
        chapter = chapter.zfill(4) if chapter.isdigit() else chapter
        number = number.zfill(2) if number.isdigit() else number
        if not chapter:
            errors["kapittel"] = "a chapter is required"
            return None
        if not number:
            errors["post"] = "a post is required"
            return None
        found = self.lookups.posts.get((chapter, number), [])
        hint = "" if self.lookups.agency is not None else agency_hint(row)
        if hint:
            found = [p for p in found if p.chapter.agency.code == hint]
        if len(found) > 1:
            codes = ", ".join(p.chapter.agency.code for p in found)
            errors["kapittel"] = (
                f"chapter {chapter} exists for several agencies ({codes}); give the agency "
                "(--agency, a 'virksomhet' column or the period's full key)"
            )
            return None
        if not found:
            agency_code = self.lookups.agency.code if self.lookups.agency is not None else hint
            of = f" of {agency_code}" if agency_code else ""
            known = (
                (chapter, agency_code) in self.lookups.chapters
                if agency_code
                else chapter in self.lookups.chapter_numbers
            )
            if known:
                errors["post"] = f"unknown post {chapter}.{number}{of}"
            else:
                errors["kapittel"] = f"unknown chapter {chapter}{of}"
            return None
        return found[0]

    def _budget_year(self, year: int | None, post: Post, errors, column: str):
        if year is None:
            errors[column] = "the year is missing (give --year or an 'år' column)"
            return None
        agency = self.lookups.agency or post.chapter.agency
        found = self.lookups.years.get((year, agency.pk))
        if found is None:
            errors[column] = f"{agency.code} has no budget year {year}"
        return found

    def _period(self, row, post: Post, errors) -> ReportingPeriod | None:
        text = str(row.get("periode") or "").strip()
        if not text:
            errors["periode"] = "a period is required"
            return None
        parsed = self.parsed.get(text)
        if parsed is None:
            # A file names a few periods on many rows: each is parsed once.
            parsed = self.parsed[text] = (
                parse_period_slug(text)
                if text[:1].isdigit() or "-" in text
                else PeriodKey(None, self.year, text.upper())
            )
        if parsed is None or parsed.year is None:
            errors["periode"] = f"'{text}' is not a period (2006-H1, 2006-T2, 2006 or H1)"
            return None
        named_agency, year, kind = parsed
        if self.year is not None and year != self.year:
            errors["periode"] = f"the period {text} is not in {self.year}"
            return None
        agency = self.lookups.agency or post.chapter.agency
        if named_agency and named_agency != agency.code:
            errors["periode"] = f"the period {text} is not {agency.code}'s"
            return None
        budget_year = self._budget_year(year, post, errors, "periode")
        if budget_year is None:
            return None
        period = self.lookups.periods.get((budget_year.pk, kind))
        if period is None:
            errors["periode"] = f"unknown period {text}"
        elif period.is_locked:
            errors["periode"] = f"the period {period.short_slug} is locked"
        return period

    def _resolve_allocations(self, row, post: Post, values: dict, errors) -> None:
        values["post_id"] = post.pk
        year_text = str(row.get("år") or "").strip()
        year = self.year
        if year_text:
            if not year_text.isdigit():
                errors["år"] = f"'{year_text}' is not a year"
                return
            if self.year is not None and int(year_text) != self.year:
                errors["år"] = f"the row is for {year_text}, not {self.year}"
                return
            year = int(year_text)
        budget_year = self._budget_year(year, post, errors, "år")
        if budget_year is None:
            return
        values["budget_year_id"] = budget_year.pk
        values["sequence"] = values.get("sequence") or 1
        try:
            when = DateWidget().clean(row.get("dato")) or date(budget_year.year, 1, 1)
        except ValueError:
            return  # the field itself reports it
        for period in self.lookups.locked[budget_year.pk]:
            if period.start <= when <= period.end:
                errors["dato"] = f"{when.isoformat()} is in the locked period {period.short_slug}"
                return

    def _resolve_accounts(self, row, post: Post, values: dict, errors) -> None:
        values["post_id"] = post.pk
        period = self._period(row, post, errors)
        if period is not None and "periode" not in errors:
            values["period_id"] = period.pk

    def _resolve_lines(self, row, post: Post, values: dict, errors) -> None:
        period = self._period(row, post, errors)
        if period is not None and "periode" not in errors:
            values["period_id"] = period.pk
        code = str(row.get("underpost") or "").strip()
        subpost = self.lookups.subposts.get((post.pk, code))
        if subpost is None:
            errors["underpost"] = f"unknown sub-post '{code}' of post {post.code}"
        else:
            values["subpost_id"] = subpost.pk


def agency_hint(row) -> str:
    """The agency a row names itself: a 'virksomhet' column, or the agency in the period's
    full key (FTD-2006-H1). Used where several agencies have the chapter."""
    named = str(row.get("virksomhet") or "").strip()
    if named:
        return named
    parsed = parse_period_slug(str(row.get("periode") or "").strip())
    return parsed.agency if parsed is not None and parsed.agency else ""


class BulkWriter:
    """Collects checked rows and writes them a chunk at a time: new rows as tuples by one
    multi-row INSERT (goals.bulk), after the same lock check as bulk_create and with the
    same history; known keys whose values differ by bulk_update. The rows already saved
    are read once per budget year or period the file touches: their keys, ids and a hash
    of the values the file sets, so memory grows with the keys only and unchanged rows
    cost no write. ``named`` are the objects a new row's history names it by, by id."""

    def __init__(self, *, table: str, write: bool, named: dict[int, models.Model]):
        self.spec = SPECS[table]
        self.write = write
        self.named = named
        self.scope = "budget_year_id" if table == "allocations" else "period_id"
        self.existing: dict[tuple, tuple[int, int]] = {}
        self.loaded: set[int] = set()
        self.new: list[dict] = []
        self.changed: list[models.Model] = []
        self.update_fields: list[str] | None = None
        self.counts = {"new": 0, "updated": 0}

    def add(self, values: dict) -> None:
        if self.update_fields is None:
            # Every row of a file has the same columns, hence the same attributes.
            self.update_fields = [n for n in values if n not in self.spec.key_fields]
        scope = values[self.scope]
        if scope not in self.loaded:
            self._load(scope)
        key = tuple(values[name] for name in self.spec.key_fields)
        found = self.existing.get(key)
        if found is None:
            self.counts["new"] += 1
            if self.write:
                self.new.append(values)
            return
        self.counts["updated"] += 1
        pk, digest = found
        if self.write and hash(tuple(values[n] for n in self.update_fields)) != digest:
            self.changed.append(self.spec.model(pk=pk, **values))

    @property
    def full(self) -> bool:
        return len(self.new) + len(self.changed) >= CHUNK_ROWS

    def _load(self, scope: int) -> None:
        keys = len(self.spec.key_fields)
        rows = self.spec.model.objects.filter(**{self.scope: scope}).values_list(
            "pk", *self.spec.key_fields, *self.update_fields
        )
        for row in rows.iterator(chunk_size=CHUNK_ROWS):
            self.existing[tuple(row[1 : keys + 1])] = (row[0], hash(tuple(row[keys + 1 :])))
        self.loaded.add(scope)

    def stop_writing(self) -> None:
        self.write = False
        self.new, self.changed = [], []

    def flush(self) -> None:
        """Write the chunk, inside the import's transaction (the caller's savepoint)."""
        if self.write and self.new:
            named_by = self.spec.model._meta.get_field(self.spec.named_by)
            link, named = named_by.attname, self.named
            create_rows(
                self.spec.model,
                self.new,
                related=lambda row: {named_by.name: named[row[link]]},
            )
        if self.write and self.changed:
            before = self._stored_values(self.changed)
            # bulk_update's CASE expressions grow with the batch squared; small batches.
            self.spec.model.objects.bulk_update(
                self.changed, self.update_fields, batch_size=UPDATE_BATCH
            )
            record_changes((obj, before[obj.pk]) for obj in self.changed)
        if self.write and (self.new or self.changed):
            # Bulk writes send no signals: the cached roll-ups are retired here. The chunk's
            # rows may belong to any agency of the file, so every agency's are.
            bump_generation(agency_id=None)
        self.new, self.changed = [], []

    def _stored_values(self, objs: list[models.Model]) -> dict[int, dict]:
        """The values about to be replaced, for the history: one query per chunk."""
        names = [self.spec.model._meta.get_field(name).attname for name in self.update_fields]
        rows = self.spec.model.objects.filter(pk__in=[obj.pk for obj in objs]).values("pk", *names)
        return {row.pop("pk"): row for row in rows}
