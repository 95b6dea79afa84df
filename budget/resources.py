"""Spreadsheet import and export of allocations, accounts and sub-post lines.

Columns are documented in README.md ("Budget import format"). Rows are matched on their
natural keys, so an export re-imports to the same data. Cells are read as text and parsed
strictly: nothing is ever evaluated, and exports prefix text that a spreadsheet would take
for a formula with an apostrophe.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from budget.choices import AccountsCategory, AllocationKind, LineKind
from budget.models import AccountsEntry, AllocationEntry, Post, SubPost, SubPostLine
from goals.models import Agency, BudgetYear, PeriodKey, ReportingPeriod, parse_period_slug

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_DOTTED_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_INTEGER = re.compile(r"^-?\d+$")


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def parse_whole_number(value) -> Decimal | None:
    """'1 234 567', '1.234.567', '-260 028', 1234567 -> Decimal; '' -> None.

    A cell starting with =, + or @ is refused, never evaluated.
    """
    if value is None or value == "":
        return None
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 18:
        # The common cell ('1000'): what the steps below would make of it, without them.
        return Decimal(value)
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _SPACES.sub("", str(value))
        if not text:
            return None
        if text.startswith(("=", "+", "@")):
            raise ValueError(f"'{value}' is a formula or text, not a number")
        text = text.replace("\u2212", "-")
        if _DOTTED_THOUSANDS.match(text):
            text = text.replace(".", "")
        elif text.endswith((",00", ",0")):
            text = text.rsplit(",", 1)[0]
        if not _INTEGER.match(text):
            raise ValueError(f"'{value}' is not a whole number")
        number = Decimal(text)
    if number != number.to_integral_value():
        raise ValueError(f"'{value}' is not a whole number")
    return number.quantize(Decimal(1))


class WholeNumberWidget(widgets.Widget):
    def __init__(self, *, required: bool = False, minimum: int | None = None, as_int=False):
        super().__init__()
        self.required = required
        self.minimum = minimum
        self.as_int = as_int

    def clean(self, value, row=None, **kwargs):
        try:
            number = parse_whole_number(value)
        except InvalidOperation as exc:
            raise ValueError(f"'{value}' is not a number") from exc
        if number is None:
            if self.required:
                raise ValueError("a number is required")
            return None
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"'{value}' must be at least {self.minimum}")
        return int(number) if self.as_int else number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return int(value)


class TextWidget(widgets.Widget):
    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else unneutralise(str(value).strip())
        if self.required and not text:
            raise ValueError("text is required")
        return text

    def render(self, value, obj=None, **kwargs):
        return neutralise(str(value or ""))


class ChoiceWidget(widgets.Widget):
    """A choice by its code or its Norwegian name (case does not matter)."""

    def __init__(self, choices, aliases: dict[str, str], *, default: str | None = None):
        super().__init__()
        self.choices = choices
        # Read once: the enum builds its list of values anew on every access.
        self.values = tuple(choices.values)
        self.aliases = {k.lower(): v for k, v in aliases.items()}
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = ("" if value is None else str(value)).strip().lower()
        if not text and self.default is not None:
            return self.default
        if text in self.values:
            return text
        if text in self.aliases:
            return self.aliases[text]
        raise ValueError(f"'{value}' is not one of {', '.join(self.values)}")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d.%m.%Y").date()):
            try:
                return parse(text)
            except ValueError:
                continue
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD or DD.MM.YYYY)")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


ALLOCATION_ALIASES = {
    "tildelingsbrev": AllocationKind.ALLOCATION_LETTER,
    "overført": AllocationKind.CARRIED_OVER,
    "overført fra fjoråret": AllocationKind.CARRIED_OVER,
    "overføring fra fjoråret": AllocationKind.CARRIED_OVER,
    "omdisponering": AllocationKind.REALLOCATION,
    "supplerende tildelingsbrev": AllocationKind.SUPPLEMENTARY_LETTER,
}
CATEGORY_ALIASES = {
    "lønn": AccountsCategory.SALARY,
    "refusjoner": AccountsCategory.REFUNDS,
    "kjøp": AccountsCategory.PURCHASES,
    "kjøp av varer og tjenester": AccountsCategory.PURCHASES,
    "utbetalinger": AccountsCategory.PAYMENTS,
    "inntekter": AccountsCategory.INCOME,
}
LINE_ALIASES = {
    "normal": LineKind.NORMAL,
    "termin": LineKind.TERM_PAYMENT,
    "terminutbetaling": LineKind.TERM_PAYMENT,
    "justering": LineKind.ADJUSTMENT,
    "andre år": LineKind.OTHER_YEAR,
}


class BudgetResource(resources.ModelResource):
    """Common handling: the post from 'kapittel' and 'post', the year or period, the lock,
    and duplicates within the file. Problems are raised as ValidationErrors keyed by the
    column they are about.

    Every row belongs to one agency: the one named (--agency), else the agency of the row's
    chapter when only one agency has that chapter number. Posts, budget years and periods
    are looked up within that agency only, so a row can never join two agencies.
    """

    kapittel = fields.Field(column_name="kapittel", widget=TextWidget())
    post = fields.Field(column_name="post", widget=TextWidget())

    def __init__(self, *, year: int | None = None, agency_code: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.year = year
        self.agency_code = agency_code
        self._seen: dict[tuple, int] = {}
        self._agency: Agency | None = None
        self._budget_years: dict[tuple[int, int], BudgetYear | str] = {}
        self._posts: dict[tuple[str, str], list[Post]] = {}
        self._periods: dict[tuple[int, str], ReportingPeriod | None] = {}
        self._existing: dict[tuple, object] | None = None
        self._subposts: dict[tuple[int, str], SubPost | None] = {}

    # Export: the natural key columns come from the related objects.
    def dehydrate_kapittel(self, obj) -> str:
        return self._post_of(obj).chapter.number

    def dehydrate_post(self, obj) -> str:
        return self._post_of(obj).number

    def _post_of(self, obj) -> Post:
        return obj.post

    def before_import(self, dataset, **kwargs):
        self._seen = {}
        self._existing = None
        if self.agency_code:
            self._agency = Agency.objects.filter(code=self.agency_code).first()
            if self._agency is None:
                raise ValidationError(f"unknown agency '{self.agency_code}'")
        missing = [c for c in self.required_columns() if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(f"missing column(s): {', '.join(missing)}")

    def required_columns(self) -> list[str]:
        return ["kapittel", "post"]

    def before_import_row(self, row, row_number=None, **kwargs):
        errors: dict[str, str] = {}
        for field in self.fields.values():
            if field.attribute and field.column_name in row:
                try:
                    field.widget.clean(row[field.column_name])
                except ValueError as exc:
                    errors[field.column_name] = str(exc)
        post = self._resolve_post(row, errors)
        if post is not None:
            row["_post"] = post
        self.resolve(row, errors)
        if errors:
            raise ValidationError({k: [v] for k, v in errors.items()})
        key = self.natural_key(row)
        if key in self._seen:
            raise ValidationError({self.key_column: [f"duplicate of row {self._seen[key] + 1}"]})
        self._seen[key] = row_number

    def _resolve_post(self, row, errors) -> Post | None:
        chapter = str(row.get("kapittel") or "").strip()
        number = str(row.get("post") or "").strip()
        if chapter.isdigit():
            chapter = chapter.zfill(4)
        if number.isdigit():
            number = number.zfill(2)
        if not chapter:
            errors["kapittel"] = "a chapter is required"
            return None
        if not number:
            errors["post"] = "a post is required"
            return None
        if (chapter, number) not in self._posts:
            posts = Post.objects.select_related("chapter__agency").filter(
                chapter__number=chapter, number=number
            )
            if self._agency is not None:
                posts = posts.filter(chapter__agency=self._agency)
            self._posts[(chapter, number)] = list(posts.order_by("chapter__agency__code"))
        found = self._posts[(chapter, number)]
        hint = "" if self._agency is not None else self.agency_hint(row)
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
            chapters = Post.objects.filter(chapter__number=chapter)
            agency_code = self._agency.code if self._agency is not None else hint
            if agency_code:
                chapters = chapters.filter(chapter__agency__code=agency_code)
            of = f" of {agency_code}" if agency_code else ""
            if not chapters.exists():
                errors["kapittel"] = f"unknown chapter {chapter}{of}"
            else:
                errors["post"] = f"unknown post {chapter}.{number}{of}"
            return None
        return found[0]

    def agency_hint(self, row) -> str:
        """The agency a row names itself: a 'virksomhet' column, or the agency in the
        period's full key (FTD-2006-H1). Used where several agencies have the chapter."""
        named = str(row.get("virksomhet") or "").strip()
        if named:
            return named
        parsed = parse_period_slug(str(row.get("periode") or "").strip())
        return parsed.agency if parsed is not None and parsed.agency else ""

    def row_agency(self, row) -> Agency | None:
        """The agency named for the import, else the one of the row's chapter."""
        if self._agency is not None:
            return self._agency
        post = row.get("_post")
        return post.chapter.agency if post is not None else None

    def budget_year(self, year: int | None, errors, column: str, *, row) -> BudgetYear | None:
        if year is None:
            errors[column] = "the year is missing (give --year or an 'år' column)"
            return None
        agency = self.row_agency(row)
        if agency is None:
            return None  # the chapter or post column reports why
        key = (year, agency.pk)
        if key not in self._budget_years:
            found = (
                BudgetYear.objects.select_related("agency").filter(year=year, agency=agency).first()
            )
            self._budget_years[key] = found or f"{agency.code} has no budget year {year}"
        value = self._budget_years[key]
        if isinstance(value, str):
            errors[column] = value
            return None
        return value

    def resolve_period(self, row, errors) -> ReportingPeriod | None:
        text = str(row.get("periode") or "").strip()
        if not text:
            errors["periode"] = "a period is required"
            return None
        # '2006-H1', 'ABC-2006-H1' or just 'H1' of the import's year.
        parsed = (
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
        agency = self.row_agency(row)
        if named_agency and agency is not None and named_agency != agency.code:
            errors["periode"] = f"the period {text} is not {agency.code}'s"
            return None
        budget_year = self.budget_year(year, errors, "periode", row=row)
        if budget_year is None:
            return None
        if (budget_year.pk, kind) not in self._periods:
            self._periods[(budget_year.pk, kind)] = (
                ReportingPeriod.objects.select_related("budget_year__agency")
                .filter(budget_year=budget_year, kind=kind)
                .first()
            )
        period = self._periods[(budget_year.pk, kind)]
        if period is None:
            errors["periode"] = f"unknown period {text}"
        elif period.is_locked:
            errors["periode"] = f"the period {period.short_slug} is locked"
        return period

    def get_or_init_instance(self, instance_loader, row):
        if self._existing is None:
            # One query for the whole file instead of one per row.
            self._existing = {self.instance_key(obj): obj for obj in self.get_queryset()}
        instance = self._existing.get(self.natural_key(row))
        if instance is not None:
            return instance, False
        return self.new_instance(row), True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The columns are checked by their widgets and duplicates in before_import_row;
        # constraint checks would cost queries for every row, and the database enforces
        # them on save anyway.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=errors.keys(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def resolve(self, row, errors) -> None:
        raise NotImplementedError

    def natural_key(self, row) -> tuple:
        raise NotImplementedError

    def instance_key(self, obj) -> tuple:
        raise NotImplementedError

    def new_instance(self, row):
        raise NotImplementedError


class AllocationEntryResource(BudgetResource):
    """Bevilgninger: kapittel, post, år, type, løpenummer, beløp, dato, merknad."""

    key_column = "type"
    ar = fields.Field(column_name="år", widget=TextWidget())
    kind = fields.Field(
        attribute="kind",
        column_name="type",
        widget=ChoiceWidget(AllocationKind, ALLOCATION_ALIASES),
    )
    sequence = fields.Field(
        attribute="sequence",
        column_name="løpenummer",
        widget=WholeNumberWidget(minimum=1, as_int=True),
    )
    amount = fields.Field(
        attribute="amount", column_name="beløp", widget=WholeNumberWidget(required=True)
    )
    date = fields.Field(attribute="date", column_name="dato", widget=DateWidget())
    note = fields.Field(attribute="note", column_name="merknad", widget=TextWidget())

    class Meta:
        model = AllocationEntry
        fields = ("kapittel", "post", "ar", "kind", "sequence", "amount", "date", "note")
        export_order = fields
        clean_model_instances = True
        skip_diff = True

    def dehydrate_ar(self, obj) -> str:
        return str(obj.budget_year.year)

    def required_columns(self) -> list[str]:
        return ["kapittel", "post", "type", "beløp"]

    def resolve(self, row, errors) -> None:
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
        budget_year = self.budget_year(year, errors, "år", row=row)
        if budget_year is None:
            return
        row["_budget_year"] = budget_year
        try:
            when = DateWidget().clean(row.get("dato"))
        except ValueError:
            return  # the field itself reports it
        when = when or date(budget_year.year, 1, 1)
        locked = ReportingPeriod.objects.filter(
            budget_year=budget_year, start__lte=when, end__gte=when
        ).exclude(state="open")
        first = locked.order_by("end").first()
        if first is not None:
            errors["dato"] = f"{when.isoformat()} is in the locked period {first.short_slug}"

    def _kind_and_sequence(self, row) -> tuple[str | None, int]:
        try:
            kind = self.fields["kind"].widget.clean(row.get("type"))
        except ValueError:
            kind = None
        try:
            sequence = self.fields["sequence"].widget.clean(row.get("løpenummer")) or 1
        except ValueError:
            sequence = 1
        return kind, sequence

    def natural_key(self, row) -> tuple:
        kind, sequence = self._kind_and_sequence(row)
        return (row["_post"].pk, row["_budget_year"].pk, kind, sequence)

    def instance_key(self, obj) -> tuple:
        return (obj.post_id, obj.budget_year_id, obj.kind, obj.sequence)

    def new_instance(self, row):
        return AllocationEntry(post=row["_post"], budget_year=row["_budget_year"], sequence=1)

    def get_queryset(self):
        return AllocationEntry.objects.select_related("post__chapter", "budget_year")


class AccountsEntryResource(BudgetResource):
    """Regnskap: kapittel, post, periode, kategori, beløp, merknad."""

    key_column = "kategori"
    periode = fields.Field(column_name="periode", widget=TextWidget())
    category = fields.Field(
        attribute="category",
        column_name="kategori",
        widget=ChoiceWidget(AccountsCategory, CATEGORY_ALIASES),
    )
    amount = fields.Field(
        attribute="amount", column_name="beløp", widget=WholeNumberWidget(required=True)
    )
    note = fields.Field(attribute="note", column_name="merknad", widget=TextWidget())

    class Meta:
        model = AccountsEntry
        fields = ("kapittel", "post", "periode", "category", "amount", "note")
        export_order = fields
        clean_model_instances = True
        skip_diff = True

    def dehydrate_periode(self, obj) -> str:
        return obj.period.short_slug

    def required_columns(self) -> list[str]:
        return ["kapittel", "post", "periode", "kategori", "beløp"]

    def resolve(self, row, errors) -> None:
        period = self.resolve_period(row, errors)
        if period is not None:
            row["_period"] = period

    def _category(self, row) -> str | None:
        try:
            return self.fields["category"].widget.clean(row.get("kategori"))
        except ValueError:
            return None

    def natural_key(self, row) -> tuple:
        return (row["_post"].pk, row["_period"].pk, self._category(row))

    def instance_key(self, obj) -> tuple:
        return (obj.post_id, obj.period_id, obj.category)

    def new_instance(self, row):
        return AccountsEntry(post=row["_post"], period=row["_period"])

    def get_queryset(self):
        return AccountsEntry.objects.select_related("post__chapter", "period__budget_year__agency")


class SubPostLineResource(BudgetResource):
    """Linjer i underpost: kapittel, post, underpost, periode, nr, tekst, type, terminer,
    antall, sats, beløp, budsjett_antall, budsjett_sats, budsjett_beløp, rest, fotnoter,
    budsjett_fotnoter."""

    key_column = "tekst"
    underpost = fields.Field(column_name="underpost", widget=TextWidget())
    periode = fields.Field(column_name="periode", widget=TextWidget())
    position = fields.Field(
        attribute="position",
        column_name="nr",
        widget=WholeNumberWidget(required=True, minimum=1, as_int=True),
    )
    label = fields.Field(attribute="label", column_name="tekst", widget=TextWidget(required=True))
    kind = fields.Field(
        attribute="kind",
        column_name="type",
        widget=ChoiceWidget(LineKind, LINE_ALIASES, default=LineKind.NORMAL),
    )
    terms = fields.Field(
        attribute="terms", column_name="terminer", widget=WholeNumberWidget(minimum=1, as_int=True)
    )
    persons = fields.Field(
        attribute="persons", column_name="antall", widget=WholeNumberWidget(minimum=0, as_int=True)
    )
    rate = fields.Field(attribute="rate", column_name="sats", widget=WholeNumberWidget())
    amount = fields.Field(attribute="amount", column_name="beløp", widget=WholeNumberWidget())
    budget_persons = fields.Field(
        attribute="budget_persons",
        column_name="budsjett_antall",
        widget=WholeNumberWidget(minimum=0, as_int=True),
    )
    budget_rate = fields.Field(
        attribute="budget_rate", column_name="budsjett_sats", widget=WholeNumberWidget()
    )
    budget_amount = fields.Field(
        attribute="budget_amount", column_name="budsjett_beløp", widget=WholeNumberWidget()
    )
    rest = fields.Field(attribute="rest", column_name="rest", widget=WholeNumberWidget())
    footnotes = fields.Field(attribute="footnotes", column_name="fotnoter", widget=TextWidget())
    budget_footnotes = fields.Field(
        attribute="budget_footnotes", column_name="budsjett_fotnoter", widget=TextWidget()
    )

    class Meta:
        model = SubPostLine
        fields = (
            "kapittel",
            "post",
            "underpost",
            "periode",
            "position",
            "label",
            "kind",
            "terms",
            "persons",
            "rate",
            "amount",
            "budget_persons",
            "budget_rate",
            "budget_amount",
            "rest",
            "footnotes",
            "budget_footnotes",
        )
        export_order = fields
        clean_model_instances = True
        skip_diff = True

    def _post_of(self, obj) -> Post:
        return obj.subpost.post

    def dehydrate_underpost(self, obj) -> str:
        return obj.subpost.code

    def dehydrate_periode(self, obj) -> str:
        return obj.period.short_slug

    def required_columns(self) -> list[str]:
        return ["kapittel", "post", "underpost", "periode", "nr", "tekst"]

    def resolve(self, row, errors) -> None:
        period = self.resolve_period(row, errors)
        if period is not None:
            row["_period"] = period
        post = row.get("_post")
        code = str(row.get("underpost") or "").strip()
        if post is not None:
            if (post.pk, code) not in self._subposts:
                subpost = SubPost.objects.filter(post=post, code=code).first()
                if subpost is not None:
                    subpost.post = post  # the model's checks read it; no query per row
                self._subposts[(post.pk, code)] = subpost
            subpost = self._subposts[(post.pk, code)]
            if subpost is None:
                errors["underpost"] = f"unknown sub-post '{code}' of post {post.code}"
            else:
                row["_subpost"] = subpost
        if not str(row.get("terminer") or "").strip():
            row["terminer"] = 4

    def natural_key(self, row) -> tuple:
        return (row["_subpost"].pk, row["_period"].pk, TextWidget().clean(row.get("tekst")))

    def instance_key(self, obj) -> tuple:
        return (obj.subpost_id, obj.period_id, obj.label)

    def new_instance(self, row):
        return SubPostLine(subpost=row["_subpost"], period=row["_period"])

    def get_queryset(self):
        return SubPostLine.objects.select_related(
            "subpost__post__chapter", "period__budget_year__agency"
        ).order_by("subpost__post__chapter__number", "subpost__code", "period", "position")


RESOURCES: dict[str, type[BudgetResource]] = {
    "allocations": AllocationEntryResource,
    "accounts": AccountsEntryResource,
    "lines": SubPostLineResource,
}
