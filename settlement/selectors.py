"""Settlement statistics, each computed by one aggregate query in the database.

Definitions (they follow the directorate's settlement reports):
- A month is 30.4375 days (365.25 / 12). Waiting times are whole days between two dates
  divided by that, averaged in the database and given to one decimal, rounding half up.
- "Settled in the period" means a settled date from `start` to `end`, both included.
- "In reception" at a date: categories reception, unaccompanied minor (EM) and family
  reunification, ready for settlement on or before the date and not settled by it.
- Waiting longer than the limit at a date: more than 6 months (EM: 3 months) since the
  permit, i.e. at least 183 (EM: 92) whole days. Settled within the limit: at most 182
  (EM: 91) days from permit to settlement.
- Searched out at a date: a searched-out date on or before it.
- Age is the age reached in the year of the end date (year minus birth year).

The stocks at a date (in reception, over the limit, OFF not arrived, and those waiting
per breakdown value) are read from StockChange, which the database keeps from the cases
(settlement.stock_sql): a few thousand rows of changes rather than every case waiting.
The flows of a period (settled, mean waits) are counted over the cases settled in it.

Tenancy: every figure counts one agency's cases, places and forecasts. The figures of
the report (``report_figures``) take several agencies and group by agency, so that the
API lists all the agencies a reader may see in the same number of queries as one.
"""

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _

from goals.charts import Chart, Series, line_chart
from goals.choices import ChangeAction, ChangePath, PeriodState
from goals.models import Agency, ReportingPeriod
from goals.selectors import cached_rollup, user_profile
from settlement.choices import (
    AgeGroup,
    CaseCategory,
    FamilyComposition,
    Sex,
)
from settlement.limits import DAYS_PER_MONTH, limit_days
from settlement.models import (
    Forecast,
    Municipality,
    MunicipalPlaces,
    SettlementCase,
    StockChange,
)

SUPPRESSED = ":"


def to_months(value: timedelta | None) -> Decimal | None:
    if value is None:
        return None
    days = Decimal(str(value.total_seconds())) / Decimal(86400)
    return (days / DAYS_PER_MONTH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _wait(since: str) -> ExpressionWrapper:
    return ExpressionWrapper(F("settled_date") - F(since), output_field=DurationField())


# Cases are counted as COUNT(*) or, under a filter (where Django wants a column), as the
# count of agency_id, which is never null: both are in the statistics' indexes, so that
# PostgreSQL can count from the index alone (a count of "id" would read every row).


def _settled_in(start: date, end: date) -> Q:
    return Q(settled_date__gte=start, settled_date__lte=end)


def _within_limit() -> Q:
    em = CaseCategory.UNACCOMPANIED_MINOR
    em_limit = timedelta(days=limit_days(em) - 1)
    other_limit = timedelta(days=limit_days() - 1)
    return Q(category=em, wait__lte=em_limit) | (~Q(category=em) & Q(wait__lte=other_limit))


# --- which agencies --------------------------------------------------------------------


def visible_settlement_agencies(*, user) -> list[Agency]:
    """The agencies with the settlement module whose figures the user may read: their own
    agency, or their ministry's agencies; all of them for a superuser without a profile.
    Cached on the user, so that the menu and the page share one query (none for agency
    users, whose profile already holds their agency)."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_settlement_agencies"):
        profile = user_profile(user=user)
        if profile is not None and profile.agency_id is not None:
            agencies = [profile.agency] if profile.agency.has_settlement else []
        elif profile is not None:
            agencies = list(
                Agency.objects.filter(ministry_id=profile.ministry_id, has_settlement=True)
            )
        elif user.is_superuser:
            agencies = list(Agency.objects.filter(has_settlement=True))
        else:
            agencies = []
        user._settlement_agencies = agencies
    return user._settlement_agencies


# --- the figures --------------------------------------------------------------------------


def _cases(agency: Agency) -> QuerySet[SettlementCase]:
    return SettlementCase.objects.filter(agency=agency)


def _per_agency(cases: QuerySet, agencies: Sequence[Agency], **aggregates) -> dict[int, dict]:
    """The aggregates for each agency in one GROUP BY query; an agency without rows gets
    0 for a count and None for a mean."""
    ids = [agency.pk for agency in agencies]
    rows = cases.filter(agency_id__in=ids).order_by().values("agency_id").annotate(**aggregates)
    found = {row.pop("agency_id"): row for row in rows}
    empty = {name: 0 if isinstance(agg, Count) else None for name, agg in aggregates.items()}
    return {pk: found.get(pk, dict(empty)) for pk in ids}


def settled_count(*, agencies: Sequence[Agency], start: date, end: date) -> dict[int, int]:
    # COUNT(*) lets PostgreSQL answer from the (agency, settled_date) index alone.
    counts = _per_agency(
        SettlementCase.objects.filter(_settled_in(start, end)), agencies, settled=Count("*")
    )
    return {pk: row["settled"] for pk, row in counts.items()}


@dataclass(frozen=True)
class ForecastFigures:
    forecast: int | None
    forecast_cut_off: date | None
    forecast_year: int | None


def forecast_at(*, agencies: Sequence[Agency], at: date) -> dict[int, ForecastFigures]:
    """Per agency, the forecast for the first cut-off on or after the date, and the one for
    the whole year (its last cut-off). One query over the year's few forecast rows."""
    rows: dict[int, list] = {agency.pk: [] for agency in agencies}
    for agency_id, cut_off, persons in (
        Forecast.objects.filter(agency__in=agencies, year=at.year)
        .order_by("cut_off_date")
        .values_list("agency_id", "cut_off_date", "persons")
    ):
        rows[agency_id].append((cut_off, persons))
    result = {}
    for pk, forecasts in rows.items():
        if not forecasts:
            result[pk] = ForecastFigures(None, None, None)
            continue
        upcoming = [row for row in forecasts if row[0] >= at] or forecasts[-1:]
        result[pk] = ForecastFigures(upcoming[0][1], upcoming[0][0], forecasts[-1][1])
    return result


def mean_wait_months(
    *, agencies: Sequence[Agency], start: date, end: date
) -> dict[int, dict[str, Decimal | None]]:
    """Mean months from permit to settlement for those settled in the period: from
    reception, unaccompanied minors (EM) and transfer refugees (OFF, from entry permit)."""
    result = _per_agency(
        SettlementCase.objects.filter(_settled_in(start, end)),
        agencies,
        reception=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.RECEPTION)),
        em=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.UNACCOMPANIED_MINOR)),
        off=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.TRANSFER_REFUGEE)),
    )
    return {pk: {key: to_months(value) for key, value in row.items()} for pk, row in result.items()}


def mean_wait_months_from_searched(
    *, agencies: Sequence[Agency], start: date, end: date
) -> dict[int, Decimal | None]:
    """Mean months from searched out to settled, for those settled from reception."""
    result = _per_agency(
        SettlementCase.objects.filter(
            _settled_in(start, end),
            category=CaseCategory.RECEPTION,
            searched_out_date__isnull=False,
        ),
        agencies,
        wait=Avg(_wait("searched_out_date")),
    )
    return {pk: to_months(row["wait"]) for pk, row in result.items()}


def _up_to(at: date) -> Q:
    """The changes that make up a stock at the end of the day: the whole years before its
    year, the whole months of its year before its month, and its month's days up to it."""
    year, month = date(at.year, 1, 1), date(at.year, at.month, 1)
    return (
        Q(span="year", day__lt=year)
        | Q(span="month", day__gte=year, day__lt=month)
        | Q(span="day", day__gte=month, day__lte=at)
    )


# The stocks kept as totals (StockChange.stock) under the names the figures give them;
# "ready" is kept per breakdown value, its total is the sum over the categories.
STOCK_TOTALS = {
    "searched": "searched",
    "over": "total",
    "over_not_searched": "not_searched",
    "off_not_arrived": "off_not_arrived",
    "off_not_arrived_searched": "off_not_arrived_searched",
}
# A breakdown and the StockChange dimension it counts the waiting by.
WAITING_DIMENSIONS = {
    "category": "category",
    "nationality": "nationality",
    "sex": "sex",
    "age_group": "birth_year",
    "family_composition": "family_size",
    "county": "municipality",
}


def _empty_stocks() -> dict:
    return {"ready": 0, **dict.fromkeys(STOCK_TOTALS.values(), 0), "waiting": {}}


def stocks_at(
    *, agencies: Sequence[Agency], dates: Sequence[date], breakdowns: bool = False
) -> dict[date, dict[int, dict]]:
    """Per date and agency, the stocks at the end of the date: ready in reception,
    searched out, over the limit (total) and of those not searched out, OFF not arrived
    and of those searched out. With ``breakdowns``, also those ready in reception per
    breakdown value ("waiting": dimension -> group -> count, the groups in the database's
    order; the county by its name). One query."""
    ids = [agency.pk for agency in agencies]
    dates = list(dict.fromkeys(dates))  # a date given twice (start and end) counts once
    changes = StockChange.objects.filter(agency_id__in=ids).filter(
        reduce(operator.or_, (_up_to(at) for at in dates))
    )
    if not breakdowns:
        changes = changes.filter(Q(dimension="") | Q(dimension="category"))
    rows = (
        changes.annotate(
            group=Case(
                When(dimension="municipality", then=F("municipality__county__name")),
                default=F("value"),
            )
        )
        .values("agency_id", "stock", "dimension", "group")
        .annotate(**{f"at_{i}": Sum("change", filter=_up_to(at)) for i, at in enumerate(dates)})
        .order_by("agency_id", "stock", "dimension", "group")
    )
    result = {at: {pk: _empty_stocks() for pk in ids} for at in dates}
    for row in rows:
        for i, at in enumerate(dates):
            count = row[f"at_{i}"] or 0
            if not count:
                continue
            stocks = result[at][row["agency_id"]]
            if row["stock"] != "ready":
                stocks[STOCK_TOTALS[row["stock"]]] = count
                continue
            if row["dimension"] == "category":
                stocks["ready"] += count
            waiting = stocks["waiting"].setdefault(row["dimension"], {})
            waiting[row["group"]] = count
    return result


def ready_in_reception(*, agencies: Sequence[Agency], at: date) -> dict[int, dict[str, int]]:
    """Persons ready for settlement in reception at the date, and how many are searched out."""
    stocks = stocks_at(agencies=agencies, dates=[at])[at]
    return {pk: {"ready": row["ready"], "searched": row["searched"]} for pk, row in stocks.items()}


def waiting_over_limit(*, agencies: Sequence[Agency], at: date) -> dict[int, dict[str, int]]:
    """Persons in reception waiting longer than the limit at the date, and how many of
    them are not searched out."""
    stocks = stocks_at(agencies=agencies, dates=[at])[at]
    return {
        pk: {"total": row["total"], "not_searched": row["not_searched"]}
        for pk, row in stocks.items()
    }


def transfer_refugees_settled(
    *, agencies: Sequence[Agency], start: date, end: date
) -> dict[int, dict[str, int]]:
    """OFF settled in the period, and how many under a special legal ground. One query."""
    return _per_agency(
        SettlementCase.objects.filter(
            _settled_in(start, end), category=CaseCategory.TRANSFER_REFUGEE
        ),
        agencies,
        settled=Count("*"),
        special_rule=Count("agency", filter=~Q(special_legal_ground="")),
    )


def transfer_refugees(
    *, agencies: Sequence[Agency], start: date, end: date, stocks: dict[int, dict] | None = None
) -> dict[int, dict[str, int]]:
    """OFF settled in the period (and how many under a special legal ground), and OFF with
    an entry permit who had not arrived at the end date (and how many are sent to a
    municipality): two queries, one when the stocks at the end date are given."""
    if stocks is None:
        stocks = stocks_at(agencies=agencies, dates=[end])[end]
    settled = transfer_refugees_settled(agencies=agencies, start=start, end=end)
    return {
        pk: {
            **row,
            "not_arrived": stocks[pk]["off_not_arrived"],
            "not_arrived_searched": stocks[pk]["off_not_arrived_searched"],
        }
        for pk, row in settled.items()
    }


def family_reunification_settled(
    *, agencies: Sequence[Agency], start: date, end: date
) -> dict[int, int]:
    result = _per_agency(
        SettlementCase.objects.filter(
            _settled_in(start, end), category=CaseCategory.FAMILY_REUNIFICATION
        ),
        agencies,
        settled=Count("*"),
    )
    return {pk: row["settled"] for pk, row in result.items()}


def settled_within_limit(
    *, agency: Agency, start: date, end: date
) -> dict[str, int | Decimal | None]:
    """Of the agency's cases settled in the period (all categories with a permit), how many
    within the limit, how many not, and the share within."""
    result = (
        _cases(agency)
        .filter(_settled_in(start, end))
        .annotate(wait=_wait("permit_date"))
        .aggregate(settled=Count("*"), within=Count("agency", filter=_within_limit()))
    )
    settled, within = result["settled"], result["within"]
    return {
        "settled": settled,
        "within": within,
        "not_within": settled - within,
        "share_within": (Decimal(within) / Decimal(settled)) if settled else None,
    }


def settled_by_month(*, agency: Agency, start: date, end: date) -> list[dict]:
    """Settled per calendar month of the period, with the running total."""
    rows = (
        _cases(agency)
        .filter(_settled_in(start, end))
        .annotate(month=TruncMonth("settled_date"))
        .values("month")
        .annotate(settled=Count("*"))
        .order_by("month")
    )
    running = 0
    result = []
    for row in rows:
        running += row["settled"]
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        result.append({"month": month, "settled": row["settled"], "cumulative": running})
    return result


def forecast_path(*, months: list[dict], forecast: ForecastFigures, year_start: date) -> None:
    """Add to each month the forecast spread evenly over the months up to its cut-off."""
    if not forecast.forecast or not forecast.forecast_cut_off:
        return
    total_months = (forecast.forecast_cut_off.year - year_start.year) * 12 + (
        forecast.forecast_cut_off.month - year_start.month + 1
    )
    for row in months:
        elapsed = (row["month"].year - year_start.year) * 12 + row["month"].month - year_start.month
        share = Decimal(min(elapsed + 1, total_months)) / Decimal(total_months)
        row["forecast"] = int((forecast.forecast * share).quantize(Decimal(1), ROUND_HALF_UP))
        row["difference"] = row["cumulative"] - row["forecast"]


# --- breakdowns ---------------------------------------------------------------------------


# The oldest age of each age group but the last, the largest family of each family
# composition but the last.
AGE_LIMITS = (
    (5, AgeGroup.CHILD),
    (17, AgeGroup.SCHOOL),
    (29, AgeGroup.YOUNG),
    (49, AgeGroup.ADULT),
    (66, AgeGroup.OLDER),
)
FAMILY_LIMITS = (
    (1, FamilyComposition.SINGLE),
    (3, FamilyComposition.SMALL),
    (5, FamilyComposition.MEDIUM),
)


def _age_group(year: int) -> Case:
    age = Value(year) - F("birth_year")
    return Case(
        *[When(Q(age__lte=limit), then=Value(group.value)) for limit, group in AGE_LIMITS],
        default=Value(AgeGroup.ELDERLY.value),
    ), age


def _family_composition() -> Case:
    return Case(
        *[
            When(Q(family_size__lte=limit), then=Value(group.value))
            for limit, group in FAMILY_LIMITS
        ],
        default=Value(FamilyComposition.LARGE.value),
    )


BREAKDOWNS = ("nationality", "sex", "age_group", "family_composition", "county", "category")


def age_group(age: int) -> str:
    """The age group of an age, as _age_group groups in the database."""
    for limit, group in AGE_LIMITS:
        if age <= limit:
            return group.value
    return AgeGroup.ELDERLY.value


def family_composition(size: int) -> str:
    """The family composition of a family size, as _family_composition groups it."""
    for limit, group in FAMILY_LIMITS:
        if size <= limit:
            return group.value
    return FamilyComposition.LARGE.value


def _settled_groups(*, agency: Agency, by: str, start: date, end: date) -> list[dict]:
    """Those settled in the period and their mean wait from permit, grouped by one
    dimension, most settled first. One GROUP BY query over the cases settled."""
    cases = _cases(agency)
    if by == "age_group":
        group, age = _age_group(end.year)
        cases = cases.annotate(age=age, group=group)
    elif by == "family_composition":
        cases = cases.annotate(group=_family_composition())
    elif by == "county":
        cases = cases.annotate(group=F("municipality__county__name"))
    elif by in {"nationality", "sex", "category"}:
        cases = cases.annotate(group=F(by))
    else:
        raise ValueError(f"unknown breakdown {by}")
    rows = (
        cases.filter(_settled_in(start, end))
        .values("group")
        .annotate(settled=Count("agency"), wait=Avg(_wait("permit_date")))
        .order_by("-settled", "group")
    )
    return [{"group": row["group"], "settled": row["settled"], "wait": row["wait"]} for row in rows]


def _waiting_groups(*, waiting: dict[str, dict], by: str, year: int) -> dict:
    """Those waiting in reception per group of the breakdown, from stocks_at's counts per
    value: birth years summed into age groups (at the year), family sizes into family
    compositions; the others in the database's order of their values."""
    counts = waiting.get(WAITING_DIMENSIONS[by], {})
    if by not in ("age_group", "family_composition"):
        return dict(counts)
    grouped: dict[str, int] = {}
    for value, count in counts.items():
        group = (
            age_group(year - int(value)) if by == "age_group" else family_composition(int(value))
        )
        grouped[group] = grouped.get(group, 0) + count
    return dict(sorted(grouped.items()))


def breakdown(
    *, agency: Agency, by: str, start: date, end: date, waiting: dict[str, dict] | None = None
) -> list[dict]:
    """Settled in the period, their mean wait from permit and those waiting in reception
    at the end date, grouped by one dimension: most settled first, then by group. Two
    queries, one when stocks_at's "waiting" at the end date is given."""
    if waiting is None:
        waiting = stocks_at(agencies=[agency], dates=[end], breakdowns=True)[end][agency.pk][
            "waiting"
        ]
    waiting_groups = _waiting_groups(waiting=waiting, by=by, year=end.year)
    rows = [
        {
            "group": row["group"],
            "settled": row["settled"],
            "mean_wait_months": to_months(row["wait"]),
            "waiting": waiting_groups.pop(row["group"], 0),
        }
        for row in _settled_groups(agency=agency, by=by, start=start, end=end)
    ]
    # The groups with none settled come last, in the order of their names.
    rows += [
        {"group": group, "settled": 0, "mean_wait_months": None, "waiting": count}
        for group, count in waiting_groups.items()
    ]
    return rows


def municipalities(*, agency: Agency, start: date, end: date) -> list[dict]:
    """Per municipality: places the agency requested and got accepted for the end date's
    year and persons it settled in the period, with the share of accepted places filled.
    One query; the municipalities are national, the places and cases the agency's."""
    places = MunicipalPlaces.objects.filter(
        agency=agency, municipality=OuterRef("pk"), year=end.year
    )
    # A correlated count per municipality: joining every case to every municipality and
    # grouping would make the database carry all case rows through the GROUP BY.
    settled = (
        _cases(agency)
        .filter(_settled_in(start, end), municipality=OuterRef("pk"))
        .order_by()
        .values("municipality")
        # COUNT(*) lets PostgreSQL answer from the (municipality, settled_date) index alone.
        .annotate(count=Count("*"))
        .values("count")
    )
    rows = (
        Municipality.objects.select_related("county")
        .annotate(
            requested=Subquery(places.values("requested")[:1], output_field=IntegerField()),
            accepted=Subquery(places.values("accepted")[:1], output_field=IntegerField()),
            settled=Coalesce(Subquery(settled, output_field=IntegerField()), 0),
        )
        .filter(Q(accepted__isnull=False) | Q(settled__gt=0))
        .order_by("code")
    )
    return [
        {
            "code": row.code,
            "name": row.name,
            "county": row.county.name,
            "requested": row.requested,
            "accepted": row.accepted,
            "settled": row.settled,
            "share_of_accepted": (
                Decimal(row.settled) / Decimal(row.accepted) if row.accepted else None
            ),
        }
        for row in rows
    ]


def places_total(*, agency: Agency, year: int) -> dict[str, int]:
    return MunicipalPlaces.objects.filter(agency=agency, year=year).aggregate(
        requested=Coalesce(Sum("requested"), 0), accepted=Coalesce(Sum("accepted"), 0)
    )


# --- the report figures and suppression ---------------------------------------------------


def report_figures(*, agencies: Sequence[Agency], start: date, end: date) -> dict[int, dict]:
    """Per agency, the figures reported under its settlement requirement, in the shape
    `settlement_stats --json` prints. Seven queries for any number of agencies."""
    forecast = forecast_at(agencies=agencies, at=end)
    return _report_figures(agencies=agencies, start=start, end=end, forecast=forecast)


def _report_figures(
    *,
    agencies: Sequence[Agency],
    start: date,
    end: date,
    forecast: dict[int, ForecastFigures],
    stock: dict[int, dict] | None = None,
) -> dict[int, dict]:
    kwargs = {"agencies": agencies, "start": start, "end": end}
    if stock is None:
        stock = stocks_at(agencies=agencies, dates=[end])[end]
    ready = over = stock  # the stocks come from one query
    off = transfer_refugees(**kwargs, stocks=stock)
    settled = settled_count(**kwargs)
    waits = mean_wait_months(**kwargs)
    from_searched = mean_wait_months_from_searched(**kwargs)
    family = family_reunification_settled(**kwargs)
    return {
        agency.pk: {
            "settled": settled[agency.pk],
            "forecast": forecast[agency.pk].forecast,
            "forecast_year": forecast[agency.pk].forecast_year,
            "mean_wait_months": waits[agency.pk],
            "mean_wait_months_from_searched": from_searched[agency.pk],
            "ready_in_reception": ready[agency.pk]["ready"],
            "ready_in_reception_searched": ready[agency.pk]["searched"],
            "waiting_over_limit": over[agency.pk]["total"],
            "waiting_over_limit_not_searched": over[agency.pk]["not_searched"],
            "off_settled": off[agency.pk]["settled"],
            "off_special_rule": off[agency.pk]["special_rule"],
            "off_not_arrived": off[agency.pk]["not_arrived"],
            "off_not_arrived_searched": off[agency.pk]["not_arrived_searched"],
            "family_reunification_settled": family[agency.pk],
        }
        for agency in agencies
    }


# The report figures that count persons: what `suppress` hides for readers without the
# exact-figures permission (forecasts and means are not counts of persons).
REPORT_COUNTS = (
    "settled",
    "ready_in_reception",
    "ready_in_reception_searched",
    "waiting_over_limit",
    "waiting_over_limit_not_searched",
    "off_settled",
    "off_special_rule",
    "off_not_arrived",
    "off_not_arrived_searched",
    "family_reunification_settled",
)


def sees_exact_figures(user) -> bool:
    return bool(user and user.has_perm("settlement.view_exact_figures"))


def suppress(value, *, exact: bool):
    """A count below the threshold as ':' for readers without the exact-figures permission."""
    if exact or value is None or value == SUPPRESSED:
        return value
    return SUPPRESSED if value < settings.SETTLEMENT_SUPPRESSION_THRESHOLD else value


def suppress_rows(rows: list[dict], *, exact: bool, counts: tuple[str, ...], means=()) -> list:
    """Suppress the count columns of each row, and a row's means when its count is small."""
    result = []
    for row in rows:
        shown = dict(row)
        for key in counts:
            shown[key] = suppress(row[key], exact=exact)
        for mean_key, count_key in means:
            if shown[count_key] == SUPPRESSED:
                shown[mean_key] = SUPPRESSED
        result.append(shown)
    return result


# --- what a reader may ask: dates and differencing ------------------------------------------

# The flows among the report figures: counts of events between `start` and `end`, which two
# answers for neighbouring end dates could be subtracted to reveal. (The stocks at the end
# date move by arrivals and departures both, so their differences count no one group.)
REPORT_FLOWS = ("settled", "off_settled", "off_special_rule", "family_reunification_settled")


@dataclass(frozen=True)
class Disclosure:
    """What one reader may ask of one agency's settlement figures.

    ``until``: the last day the reader may see, the end of the agency's latest submitted
    period for a reader who may not see draft periods (None: no limit; ``date.min``: no
    submitted period, so nothing). ``exact``: small counts shown. A reader without exact
    figures gets year-to-date figures at month ends (or ``until``) only, so that two of
    their answers differ by at least a month, and a total is withheld when the month it
    adds holds fewer than the threshold (see ``hide_small_differences``)."""

    exact: bool
    until: date | None

    def end_allowed(self, end: date) -> bool:
        return self.exact or (end + timedelta(days=1)).day == 1 or end == self.until

    def start_allowed(self, *, start: date, end: date) -> bool:
        return self.exact or start == date(end.year, 1, 1)

    def default_end(self, latest: date) -> date:
        """The latest settlement, at its month's end for readers without exact figures,
        and never after ``until``."""
        if not self.exact:
            latest = month_end(latest)
        return min(latest, self.until) if self.until else latest


def month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def submitted_until(*, agencies: Sequence[Agency]) -> dict[int, date]:
    """Per agency, the end of its latest submitted (or locked) period; date.min without
    one. One query for any number of agencies."""
    ends = (
        ReportingPeriod.objects.filter(budget_year__agency__in=agencies)
        .exclude(state=PeriodState.OPEN)
        .values("budget_year__agency_id")
        .annotate(until=Max("end"))
        .order_by()
    )
    found = {row["budget_year__agency_id"]: row["until"] for row in ends}
    return {agency.pk: found.get(agency.pk, date.min) for agency in agencies}


def disclosures(*, user, agencies: Sequence[Agency]) -> dict[int, Disclosure]:
    """Per agency, what the user may ask of its figures (one query for a reader who may
    not see draft periods, none for the directorate)."""
    exact = sees_exact_figures(user)
    if user.has_perm("goals.view_draft_period"):
        return {agency.pk: Disclosure(exact=exact, until=None) for agency in agencies}
    until = submitted_until(agencies=agencies)
    return {agency.pk: Disclosure(exact=exact, until=until[agency.pk]) for agency in agencies}


def previous_month_end(*, start: date, end: date) -> date | None:
    """The month end before ``end``'s month, when the period reaches back past it: the
    neighbouring answer a reader could subtract from this one."""
    before = date(end.year, end.month, 1) - timedelta(days=1)
    return before if before >= start else None


def hide_small_differences(
    rows: list[dict], before: list[dict], *, key: str, counts: tuple[str, ...]
) -> None:
    """Withhold (in place) each count that exceeds the same row's count at the previous
    month end by less than the threshold: their difference would be a small count."""
    earlier = {row[key]: row for row in before}
    threshold = settings.SETTLEMENT_SUPPRESSION_THRESHOLD
    for row in rows:
        for count in counts:
            value = row[count]
            if value == SUPPRESSED or value is None:
                continue
            difference = value - earlier.get(row[key], {}).get(count, 0)
            if 0 < difference < threshold:
                row[count] = SUPPRESSED


def suppress_months(months: list[dict], *, exact: bool) -> list[dict]:
    """The month table with small counts withheld, and their complements: a month's
    running total goes with its count, and the next shown month's count goes too, so that
    no subtraction of the shown cells gives a withheld one. Its difference from the
    forecast goes with its running total."""
    if exact:
        return [dict(row) for row in months]
    shown, owed = [], False
    for row in months:
        cells = dict(row)
        if suppress(row["settled"], exact=False) == SUPPRESSED:
            cells.update(settled=SUPPRESSED, cumulative=SUPPRESSED)
            owed = True
        elif owed:
            cells["settled"] = SUPPRESSED
            owed = False
        cells["cumulative"] = suppress(cells["cumulative"], exact=False)
        if cells["cumulative"] == SUPPRESSED and "difference" in cells:
            cells["difference"] = SUPPRESSED
        shown.append(cells)
    return shown


def latest_settled_date(*, agencies: Sequence[Agency]) -> date | None:
    """The last settlement of these agencies, the default end date of the page and API."""
    return SettlementCase.objects.filter(agency__in=agencies).aggregate(latest=Max("settled_date"))[
        "latest"
    ]


def forecast_difference(*, settled: int, forecast: ForecastFigures) -> int | None:
    """Settled minus the forecast for the cut-off (positive: ahead of the forecast)."""
    return None if forecast.forecast is None else settled - forecast.forecast


# --- the settlement page (/bosetting/) -----------------------------------------------------

BREAKDOWN_TITLES = {
    "category": lambda: _("By category"),
    "nationality": lambda: _("By nationality"),
    "sex": lambda: _("By sex"),
    "age_group": lambda: _("By age group"),
    "family_composition": lambda: _("By family composition"),
    "county": lambda: _("By county (fylke)"),
}
GROUP_LABELS = {
    "category": dict(CaseCategory.choices),
    "sex": dict(Sex.choices),
    "age_group": dict(AgeGroup.choices),
    "family_composition": dict(FamilyComposition.choices),
}


def choose_agency(agencies: list[Agency], code: str | None) -> Agency | None:
    """The agency the page shows: the one chosen by code among those the user may see,
    else the first of them; None when the chosen code is not among them."""
    if not code:
        return agencies[0] if agencies else None
    return next((agency for agency in agencies if agency.code == code), None)


def _labelled_breakdown(
    *,
    agency: Agency,
    by: str,
    start: date,
    end: date,
    exact: bool,
    before: date | None,
    waiting: dict[str, dict],
) -> dict:
    rows = breakdown(agency=agency, by=by, start=start, end=end, waiting=waiting)
    if before is not None:
        # Only the settled counts are compared: the earlier ones are enough.
        earlier = _settled_groups(agency=agency, by=by, start=start, end=before)
        hide_small_differences(rows, earlier, key="group", counts=("settled",))
    labels = GROUP_LABELS.get(by, {})
    for row in rows:
        if row["group"] in (None, ""):
            row["label"] = _("No municipality yet")
        else:
            row["label"] = labels.get(row["group"], row["group"])
    if by in ("age_group", "family_composition"):
        order = list(labels)
        rows.sort(key=lambda row: order.index(row["group"]) if row["group"] in order else 99)
    return {
        "key": by,
        "title": BREAKDOWN_TITLES[by](),
        "rows": suppress_rows(
            rows,
            exact=exact,
            counts=("settled", "waiting"),
            means=(("mean_wait_months", "settled"),),
        ),
    }


def _month_chart(*, months: list[dict], shown_months: list[dict], start: date, end: date) -> Chart:
    return line_chart(
        title=_("Settled and forecast by month"),
        description=_(
            "Persons settled from %(start)s to %(end)s, month by month as a running total, "
            "against the forecast spread evenly over the months to its cut-off date. "
            "The same numbers are in the table below."
        )
        % {"start": formats.date_format(start, "d.m.Y"), "end": formats.date_format(end, "d.m.Y")},
        categories=[formats.date_format(row["month"], "M Y") for row in months],
        series=[
            Series(
                _("Settled, running total"),
                [
                    None if row["cumulative"] == SUPPRESSED else row["cumulative"]
                    for row in shown_months
                ],
            ),
            Series(_("Forecast"), [row.get("forecast") for row in months]),
        ],
    )


def _stock(*, at: date, ready: int, searched: int, over: int, over_not_searched: int) -> dict:
    return {
        "at": at,
        "ready": ready,
        "searched": searched,
        "over": over,
        "over_not_searched": over_not_searched,
    }


def _stocks_shown(*, at_start: dict, shown: dict, start: date, end: date, exact: bool) -> list:
    """The stocks at the period's first and last day, as the reader may see them."""
    start_shown = {
        key: suppress(at_start[key], exact=exact)
        for key in ("ready", "searched", "total", "not_searched")
    }
    return [
        _stock(
            at=start,
            ready=start_shown["ready"],
            searched=start_shown["searched"],
            over=start_shown["total"],
            over_not_searched=start_shown["not_searched"],
        ),
        _stock(
            at=end,
            ready=shown["ready_in_reception"],
            searched=shown["ready_in_reception_searched"],
            over=shown["waiting_over_limit"],
            over_not_searched=shown["waiting_over_limit_not_searched"],
        ),
    ]


def _within(*, agency: Agency, start: date, end: date, exact: bool, before: date | None) -> dict:
    within = settled_within_limit(agency=agency, start=start, end=end)
    if before is not None:
        earlier = settled_within_limit(agency=agency, start=start, end=before)
        for key in ("within", "not_within"):
            if 0 < within[key] - earlier[key] < settings.SETTLEMENT_SUPPRESSION_THRESHOLD:
                within[key] = SUPPRESSED
    shown = {key: suppress(within[key], exact=exact) for key in ("within", "not_within")}
    hidden = SUPPRESSED in shown.values()
    return {**shown, "share_within": SUPPRESSED if hidden else within["share_within"]}


def _municipalities(*, agency: Agency, start: date, end: date, exact: bool, before) -> list:
    rows = municipalities(agency=agency, start=start, end=end)
    if before is not None:
        earlier = municipalities(agency=agency, start=start, end=before)
        hide_small_differences(rows, earlier, key="code", counts=("settled",))
        for row in rows:
            if row["settled"] == SUPPRESSED:
                row["share_of_accepted"] = None
    return suppress_rows(rows, exact=exact, counts=("settled",))


def flow_figures(*, agencies: Sequence[Agency], start: date, end: date) -> dict[int, dict]:
    """Per agency, the report's flows (REPORT_FLOWS) for a period: three queries."""
    kwargs = {"agencies": agencies, "start": start, "end": end}
    settled = settled_count(**kwargs)
    off = transfer_refugees_settled(**kwargs)
    family = family_reunification_settled(**kwargs)
    return {
        agency.pk: {
            "agency": agency.pk,
            "settled": settled[agency.pk],
            "off_settled": off[agency.pk]["settled"],
            "off_special_rule": off[agency.pk]["special_rule"],
            "family_reunification_settled": family[agency.pk],
        }
        for agency in agencies
    }


def shown_report_figures(
    *, agencies: Sequence[Agency], figures: dict[int, dict], start: date, end: date, exact: bool
) -> dict[int, dict]:
    """The report figures with the flows withheld whose growth since the previous month
    end is small (three more queries when the period spans more than one month), and
    the small counts as ':' for readers without exact figures."""
    before = None if exact else previous_month_end(start=start, end=end)
    result = {pk: dict(values, agency=pk) for pk, values in figures.items()}
    if before is not None:
        earlier = flow_figures(agencies=agencies, start=start, end=before)
        hide_small_differences(
            list(result.values()), list(earlier.values()), key="agency", counts=REPORT_FLOWS
        )
    for values in result.values():
        del values["agency"]
        for key in REPORT_COUNTS:
            values[key] = suppress(values[key], exact=exact)
    return result


def cached_settlement_page(*, agency: Agency, start: date, end: date, exact: bool) -> dict:
    """settlement_page from the cache while none of the agency's data has changed."""
    return cached_rollup(
        agency_id=agency.pk,
        key=("settlement_page", start, end, exact),
        compute=lambda: settlement_page(agency=agency, start=start, end=end, exact=exact),
    )


def cached_latest_settled_date(*, agency: Agency) -> date | None:
    return cached_rollup(
        agency_id=agency.pk,
        key=("latest_settled_date",),
        compute=lambda: latest_settled_date(agencies=[agency]),
    )


def settlement_page(*, agency: Agency, start: date, end: date, exact: bool) -> dict:
    """What /bosetting/ shows of one agency for a period: 20 queries whatever the data,
    11 more for a reader without exact figures when the period spans several months
    (the same figures at the previous month end, to withhold small differences)."""
    before = None if exact else previous_month_end(start=start, end=end)
    forecasts = forecast_at(agencies=[agency], at=end)
    forecast = forecasts[agency.pk]
    stock = stocks_at(agencies=[agency], dates=[start, end], breakdowns=True)
    figures = _report_figures(
        agencies=[agency], start=start, end=end, forecast=forecasts, stock=stock[end]
    )
    shown = shown_report_figures(
        agencies=[agency], figures=figures, start=start, end=end, exact=exact
    )[agency.pk]
    figures = figures[agency.pk]
    months = settled_by_month(agency=agency, start=start, end=end)
    forecast_path(months=months, forecast=forecast, year_start=date(end.year, 1, 1))
    shown_months = suppress_months(months, exact=exact)
    return {
        "agency": agency,
        "settled": shown["settled"],
        "forecast": forecast,
        # Settled minus the forecast would give away a withheld count.
        "forecast_difference": SUPPRESSED
        if shown["settled"] == SUPPRESSED
        else forecast_difference(settled=figures["settled"], forecast=forecast),
        "chart": _month_chart(months=months, shown_months=shown_months, start=start, end=end),
        "months": shown_months,
        "mean_wait": figures["mean_wait_months"],
        "mean_wait_from_searched": figures["mean_wait_months_from_searched"],
        "stock": _stocks_shown(
            at_start=stock[start][agency.pk], shown=shown, start=start, end=end, exact=exact
        ),
        "off": {
            key: shown[f"off_{key}"]
            for key in ("settled", "special_rule", "not_arrived", "not_arrived_searched")
        },
        "family_reunification": shown["family_reunification_settled"],
        "within": _within(agency=agency, start=start, end=end, exact=exact, before=before),
        "breakdowns": [
            _labelled_breakdown(
                agency=agency,
                by=by,
                start=start,
                end=end,
                exact=exact,
                before=before,
                waiting=stock[end][agency.pk]["waiting"],
            )
            for by in BREAKDOWNS
        ],
        "municipalities": _municipalities(
            agency=agency, start=start, end=end, exact=exact, before=before
        ),
        "places": places_total(agency=agency, year=end.year),
    }


def change_summary(*, agency: Agency) -> list[dict]:
    """The history of the agency's settlement data in one aggregate query: per kind of row,
    path and action, how many changes to how many rows, and the latest. Directorate users
    only: single cases are not for the ministry."""
    from django.contrib.contenttypes.models import ContentType

    from goals.models import ChangeRecord
    from settlement.history import agency_anchor

    rows = (
        ChangeRecord.objects.filter(anchor=agency_anchor(agency.pk))
        .values("content_type", "path", "action")
        .annotate(
            changes=Count("pk"), rows=Count("object_id", distinct=True), last=Max("changed_at")
        )
        .order_by("-last")
    )
    return [
        {
            **row,
            "kind": ContentType.objects.get_for_id(row["content_type"])
            .model_class()
            ._meta.verbose_name_plural,
            "path_label": ChangePath(row["path"]).label,
            "action_label": ChangeAction(row["action"]).label,
        }
        for row in rows
    ]
