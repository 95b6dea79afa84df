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
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

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
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from settlement.choices import (
    RECEPTION_CATEGORIES,
    AgeGroup,
    CaseCategory,
    FamilyComposition,
)
from settlement.models import Forecast, Municipality, MunicipalPlaces, SettlementCase

DAYS_PER_MONTH = Decimal("30.4375")
LIMIT_MONTHS = {"default": 6, CaseCategory.UNACCOMPANIED_MINOR: 3}
SUPPRESSED = ":"


def limit_days(category: str | None = None) -> int:
    """The smallest whole number of days that is more than the limit in months."""
    months = LIMIT_MONTHS.get(category, LIMIT_MONTHS["default"])
    return int(months * DAYS_PER_MONTH) + 1


def to_months(value: timedelta | None) -> Decimal | None:
    if value is None:
        return None
    days = Decimal(str(value.total_seconds())) / Decimal(86400)
    return (days / DAYS_PER_MONTH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _wait(since: str) -> ExpressionWrapper:
    return ExpressionWrapper(F("settled_date") - F(since), output_field=DurationField())


def _settled_in(start: date, end: date) -> Q:
    return Q(settled_date__gte=start, settled_date__lte=end)


def _in_reception(at: date) -> Q:
    return Q(category__in=RECEPTION_CATEGORIES, ready_date__lte=at) & (
        Q(settled_date__isnull=True) | Q(settled_date__gt=at)
    )


def _searched_by(at: date) -> Q:
    return Q(searched_out_date__lte=at)


def _over_limit(at: date) -> Q:
    em = CaseCategory.UNACCOMPANIED_MINOR
    return Q(category=em, permit_date__lte=at - timedelta(days=limit_days(em))) | (
        ~Q(category=em) & Q(permit_date__lte=at - timedelta(days=limit_days()))
    )


def _within_limit() -> Q:
    em = CaseCategory.UNACCOMPANIED_MINOR
    em_limit = timedelta(days=limit_days(em) - 1)
    other_limit = timedelta(days=limit_days() - 1)
    return Q(category=em, wait__lte=em_limit) | (~Q(category=em) & Q(wait__lte=other_limit))


# --- the figures --------------------------------------------------------------------------


def settled_count(*, start: date, end: date) -> int:
    return SettlementCase.objects.filter(_settled_in(start, end)).count()


@dataclass(frozen=True)
class ForecastFigures:
    forecast: int | None
    forecast_cut_off: date | None
    forecast_year: int | None


def forecast_at(*, at: date) -> ForecastFigures:
    """The forecast for the first cut-off on or after the date, and the one for the whole
    year (its last cut-off). One query over the year's few forecast rows."""
    rows = list(
        Forecast.objects.filter(year=at.year)
        .order_by("cut_off_date")
        .values_list("cut_off_date", "persons")
    )
    if not rows:
        return ForecastFigures(None, None, None)
    upcoming = [(cut_off, persons) for cut_off, persons in rows if cut_off >= at] or rows[-1:]
    return ForecastFigures(upcoming[0][1], upcoming[0][0], rows[-1][1])


def mean_wait_months(*, start: date, end: date) -> dict[str, Decimal | None]:
    """Mean months from permit to settlement for those settled in the period: from
    reception, unaccompanied minors (EM) and transfer refugees (OFF, from entry permit)."""
    result = SettlementCase.objects.filter(_settled_in(start, end)).aggregate(
        reception=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.RECEPTION)),
        em=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.UNACCOMPANIED_MINOR)),
        off=Avg(_wait("permit_date"), filter=Q(category=CaseCategory.TRANSFER_REFUGEE)),
    )
    return {key: to_months(value) for key, value in result.items()}


def mean_wait_months_from_searched(*, start: date, end: date) -> Decimal | None:
    """Mean months from searched out to settled, for those settled from reception."""
    result = SettlementCase.objects.filter(
        _settled_in(start, end),
        category=CaseCategory.RECEPTION,
        searched_out_date__isnull=False,
    ).aggregate(wait=Avg(_wait("searched_out_date")))
    return to_months(result["wait"])


def ready_in_reception(*, at: date) -> dict[str, int]:
    """Persons ready for settlement in reception at the date, and how many are searched out."""
    return SettlementCase.objects.filter(_in_reception(at)).aggregate(
        ready=Count("pk"), searched=Count("pk", filter=_searched_by(at))
    )


def waiting_over_limit(*, at: date) -> dict[str, int]:
    """Persons in reception waiting longer than the limit at the date, and how many of
    them are not searched out."""
    return SettlementCase.objects.filter(_in_reception(at), _over_limit(at)).aggregate(
        total=Count("pk"), not_searched=Count("pk", filter=~_searched_by(at))
    )


def transfer_refugees(*, start: date, end: date) -> dict[str, int]:
    """OFF settled in the period (and how many under a special legal ground), and OFF with
    an entry permit who had not arrived at the end date (and how many are sent to a
    municipality)."""
    not_arrived = Q(permit_date__lte=end) & (Q(arrived_date__isnull=True) | Q(arrived_date__gt=end))
    return SettlementCase.objects.filter(category=CaseCategory.TRANSFER_REFUGEE).aggregate(
        settled=Count("pk", filter=_settled_in(start, end)),
        special_rule=Count("pk", filter=_settled_in(start, end) & ~Q(special_legal_ground="")),
        not_arrived=Count("pk", filter=not_arrived),
        not_arrived_searched=Count("pk", filter=not_arrived & _searched_by(end)),
    )


def family_reunification_settled(*, start: date, end: date) -> int:
    return SettlementCase.objects.filter(
        _settled_in(start, end), category=CaseCategory.FAMILY_REUNIFICATION
    ).count()


def settled_within_limit(*, start: date, end: date) -> dict[str, int | Decimal | None]:
    """Of those settled in the period (all categories with a permit), how many within the
    limit, how many not, and the share within."""
    result = (
        SettlementCase.objects.filter(_settled_in(start, end))
        .annotate(wait=_wait("permit_date"))
        .aggregate(settled=Count("pk"), within=Count("pk", filter=_within_limit()))
    )
    settled, within = result["settled"], result["within"]
    return {
        "settled": settled,
        "within": within,
        "not_within": settled - within,
        "share_within": (Decimal(within) / Decimal(settled)) if settled else None,
    }


def settled_by_month(*, start: date, end: date) -> list[dict]:
    """Settled per calendar month of the period, with the running total."""
    rows = (
        SettlementCase.objects.filter(_settled_in(start, end))
        .annotate(month=TruncMonth("settled_date"))
        .values("month")
        .annotate(settled=Count("pk"))
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


def _age_group(year: int) -> Case:
    age = Value(year) - F("birth_year")
    bounds = [
        (5, AgeGroup.CHILD),
        (17, AgeGroup.SCHOOL),
        (29, AgeGroup.YOUNG),
        (49, AgeGroup.ADULT),
        (66, AgeGroup.OLDER),
    ]
    return Case(
        *[When(Q(age__lte=limit), then=Value(group.value)) for limit, group in bounds],
        default=Value(AgeGroup.ELDERLY.value),
    ), age


def _family_composition() -> Case:
    return Case(
        When(family_size=1, then=Value(FamilyComposition.SINGLE.value)),
        When(family_size__lte=3, then=Value(FamilyComposition.SMALL.value)),
        When(family_size__lte=5, then=Value(FamilyComposition.MEDIUM.value)),
        default=Value(FamilyComposition.LARGE.value),
    )


BREAKDOWNS = ("nationality", "sex", "age_group", "family_composition", "county", "category")


def breakdown(*, by: str, start: date, end: date) -> list[dict]:
    """Settled in the period, their mean wait from permit and those waiting in reception
    at the end date, grouped by one dimension. One GROUP BY query."""
    cases = SettlementCase.objects.all()
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
    settled = _settled_in(start, end)
    rows = (
        cases.filter(settled | _in_reception(end))
        .values("group")
        .annotate(
            settled=Count("pk", filter=settled),
            wait=Avg(_wait("permit_date"), filter=settled),
            waiting=Count("pk", filter=_in_reception(end)),
        )
        .order_by("-settled", "group")
    )
    return [
        {
            "group": row["group"],
            "settled": row["settled"],
            "mean_wait_months": to_months(row["wait"]),
            "waiting": row["waiting"],
        }
        for row in rows
    ]


def municipalities(*, start: date, end: date) -> list[dict]:
    """Per municipality: places requested and accepted for the end date's year and persons
    settled in the period, with the share of accepted places filled. One query."""
    places = MunicipalPlaces.objects.filter(municipality=OuterRef("pk"), year=end.year)
    # A correlated count per municipality: joining every case to every municipality and
    # grouping would make the database carry all case rows through the GROUP BY.
    settled = (
        SettlementCase.objects.filter(_settled_in(start, end), municipality=OuterRef("pk"))
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


def places_total(*, year: int) -> dict[str, int]:
    return MunicipalPlaces.objects.filter(year=year).aggregate(
        requested=Coalesce(Sum("requested"), 0), accepted=Coalesce(Sum("accepted"), 0)
    )


# --- the report figures and suppression ---------------------------------------------------


def report_figures(*, start: date, end: date) -> dict:
    """The figures of R1-1 in the shape `settlement_stats --json` prints."""
    forecast = forecast_at(at=end)
    ready = ready_in_reception(at=end)
    over = waiting_over_limit(at=end)
    off = transfer_refugees(start=start, end=end)
    return {
        "settled": settled_count(start=start, end=end),
        "forecast": forecast.forecast,
        "forecast_year": forecast.forecast_year,
        "mean_wait_months": mean_wait_months(start=start, end=end),
        "mean_wait_months_from_searched": mean_wait_months_from_searched(start=start, end=end),
        "ready_in_reception": ready["ready"],
        "ready_in_reception_searched": ready["searched"],
        "waiting_over_limit": over["total"],
        "waiting_over_limit_not_searched": over["not_searched"],
        "off_settled": off["settled"],
        "off_special_rule": off["special_rule"],
        "off_not_arrived": off["not_arrived"],
        "off_not_arrived_searched": off["not_arrived_searched"],
        "family_reunification_settled": family_reunification_settled(start=start, end=end),
    }


def sees_exact_figures(user) -> bool:
    return bool(user and user.has_perm("settlement.view_exact_figures"))


def suppress(value, *, exact: bool):
    """A count below the threshold as ':' for readers without the exact-figures permission."""
    if exact or value is None:
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


def latest_settled_date() -> date | None:
    """The last settlement in the data, the page's default end date."""
    return SettlementCase.objects.aggregate(latest=Max("settled_date"))["latest"]


def forecast_difference(*, settled: int, forecast: ForecastFigures) -> int | None:
    """Settled minus the forecast for the cut-off (positive: ahead of the forecast)."""
    return None if forecast.forecast is None else settled - forecast.forecast
