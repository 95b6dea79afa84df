"""The tables of a period's open data package, read through the apps' own selectors.

Only a submitted period has open data. Settlement counts are those an anonymous reader may
see: below SETTLEMENT_SUPPRESSION_THRESHOLD they are left empty and the row is marked, so
that no suppressed figure is ever in a package, whoever downloads it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from budget.selectors import figures_at_periods
from goals.choices import PeriodState
from goals.models import Deliverable, Indicator, IndicatorValue, ReportingPeriod
from goals.selectors import requirement_progress, requirements_for
from settlement import selectors as settlement

SHARE_PLACES = Decimal("0.0001")
MEAN_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Field:
    """A column: its name, Table Schema type and description."""

    name: str
    type: str
    description: str


@dataclass
class Table:
    """One CSV file of the package with its schema."""

    name: str
    title: str
    description: str
    fields: list[Field]
    rows: list[dict]
    primary_key: tuple[str, ...] = ()


def is_published(*, period: ReportingPeriod) -> bool:
    """Open data exists only for a period sent to the ministry."""
    return period.state != PeriodState.OPEN and period.submitted_at is not None


def _requirements(*, period: ReportingPeriod) -> Table:
    requirements = requirements_for(budget_year_id=period.budget_year_id)
    progress = requirement_progress(period=period, requirements=requirements)
    rows = []
    for requirement in requirements:
        row = progress[requirement.pk]
        rows.append(
            {
                "main_goal": requirement.main_goal.code,
                "requirement": requirement.code,
                "text": requirement.text,
                "responsible_unit": requirement.responsible_unit.code,
                "status": row.worst.value if row.worst else "",
                "status_label": str(row.worst.label) if row.worst else "",
                "activities": row.activities,
                "answered": row.answered,
                "approved": row.approved,
            }
        )
    return Table(
        name="result_requirements",
        title="Resultatkrav med status",
        description="Each result requirement of the allocation letter and its status in the "
        "period: the most serious status among its activities' updates.",
        fields=[
            Field("main_goal", "string", "Main goal (hovedmål) code"),
            Field("requirement", "string", "Result requirement (resultatkrav) code"),
            Field("text", "string", "The requirement as the allocation letter states it"),
            Field("responsible_unit", "string", "Unit responsible (ANSV)"),
            Field("status", "string", "Status code; empty when not reported"),
            Field("status_label", "string", "Status as text"),
            Field("activities", "integer", "Activities of the reporting form"),
            Field("answered", "integer", "Activities with a status update in the period"),
            Field("approved", "integer", "Status updates approved"),
        ],
        rows=rows,
        primary_key=("requirement",),
    )


def _indicators(*, period: ReportingPeriod) -> Table:
    values = IndicatorValue.objects.filter(period=period)
    indicators = (
        Indicator.objects.filter(budget_year_id=period.budget_year_id)
        .select_related("requirement", "priority_item", "special", "other_topic")
        .prefetch_related(Prefetch("values", queryset=values, to_attr="period_values"))
    )
    rows = []
    for indicator in indicators:
        value = indicator.period_values[0] if indicator.period_values else None
        rows.append(
            {
                "indicator": indicator.code,
                "parent": indicator.parent_key,
                "name": indicator.name,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "baseline": indicator.baseline,
                "target": indicator.target,
                "target_date": indicator.target_date,
                "value": value.value if value else None,
                "measured_on": value.measured_on if value else None,
            }
        )
    return Table(
        name="indicators",
        title="Indikatorer med mål og verdier",
        description="Indicators with baseline, target and the value measured in the period.",
        fields=[
            Field("indicator", "string", "Indicator code"),
            Field("parent", "string", "What it measures, e.g. requirement:R1-1"),
            Field("name", "string", "Indicator"),
            Field("unit", "string", "Unit of measurement"),
            Field("direction", "string", "Whether higher or lower is better"),
            Field("baseline", "number", "Baseline value"),
            Field("target", "number", "Target value"),
            Field("target_date", "date", "Date the target is to be reached"),
            Field("value", "number", "Value reported for the period"),
            Field("measured_on", "date", "Date of the measurement"),
        ],
        rows=rows,
        primary_key=("indicator",),
    )


def _deliverables(*, period: ReportingPeriod) -> Table:
    deliverables = (
        Deliverable.objects.filter(requirement__main_goal__budget_year_id=period.budget_year_id)
        .select_related("requirement")
        .order_by("due", "requirement__code", "title")
    )
    return Table(
        name="deliverables",
        title="Leveranser",
        description="Dated deliverables of the result requirements; due_by_period_end says "
        "whether the date had come by the end of the period.",
        fields=[
            Field("requirement", "string", "Result requirement code"),
            Field("due", "date", "Due date"),
            Field("title", "string", "Deliverable"),
            Field("due_by_period_end", "boolean", "Due on or before the period's end"),
        ],
        rows=[
            {
                "requirement": d.requirement.code,
                "due": d.due,
                "title": d.title,
                "due_by_period_end": d.due <= period.end,
            }
            for d in deliverables
        ],
    )


def _budget(*, period: ReportingPeriod) -> Table:
    figures = sorted(
        figures_at_periods(periods=[period]),
        key=lambda f: (f.post.chapter.number, f.post.number),
    )
    return Table(
        name="budget_execution",
        title="Budsjettgjennomføring per post",
        description="Per chapter and post at the period's end: appropriation, accounts, "
        "remaining, share spent, expected spend and the deviation from it (whole kroner).",
        fields=[
            Field("chapter", "string", "Chapter (kapittel)"),
            Field("chapter_name", "string", "Chapter name"),
            Field("post", "string", "Post"),
            Field("post_name", "string", "Post name"),
            Field("kind", "string", "expense or income"),
            Field("appropriation", "integer", "Appropriation (disponibel bevilgning), NOK"),
            Field("accounts", "integer", "Accounts to the period's end (regnskap), NOK"),
            Field("remaining", "integer", "Appropriation minus accounts, NOK"),
            Field("share_spent", "number", "Accounts as a fraction of the appropriation"),
            Field("expected_spend", "integer", "Expected spend at the period's end, NOK"),
            Field("deviation", "integer", "Accounts minus expected spend, NOK"),
            Field("expected_basis", "string", "months, days or profile (periodised budget)"),
        ],
        rows=[
            {
                "chapter": f.post.chapter.number,
                "chapter_name": f.post.chapter.name,
                "post": f.post.number,
                "post_name": f.post.name,
                "kind": f.post.chapter.kind,
                "appropriation": f.sum_appropriation,
                "accounts": f.accounts_total,
                "remaining": f.remaining,
                "share_spent": (
                    f.share_spent.quantize(SHARE_PLACES) if f.share_spent is not None else None
                ),
                "expected_spend": f.expected_linear,
                "deviation": f.deviation,
                "expected_basis": f.basis,
            }
            for f in figures
        ],
        primary_key=("chapter", "post"),
    )


def _shown(value):
    """A figure as it may be published: a suppressed one is empty, a mean rounded."""
    if value == settlement.SUPPRESSED:
        return None
    if isinstance(value, Decimal):
        return value.quantize(MEAN_PLACES)
    return value


def _flat(figures: dict) -> list[tuple[str, object]]:
    """mean_wait_months: {reception: 8.6, ...} -> mean_wait_months.reception, ..."""
    flat = []
    for measure, value in figures.items():
        if isinstance(value, dict):
            flat += [(f"{measure}.{key}", item) for key, item in value.items()]
        else:
            flat.append((measure, value))
    return flat


def _settlement_figures(*, period: ReportingPeriod) -> Table:
    agency = period.budget_year.agency
    figures = settlement.report_figures(agencies=[agency], start=period.start, end=period.end)
    rows = []
    for measure, value in _flat(figures[agency.pk]):
        shown = (
            settlement.suppress(value, exact=False)
            if measure in settlement.REPORT_COUNTS
            else value
        )
        rows.append(
            {
                "measure": measure,
                "value": _shown(shown),
                "suppressed": shown == settlement.SUPPRESSED,
            }
        )
    return Table(
        name="settlement_figures",
        title="Bosetting: nøkkeltall",
        description="The settlement figures of the report for the period. Counts below the "
        "suppression threshold are left empty and marked suppressed.",
        fields=[
            Field("measure", "string", "Figure, e.g. settled or mean_wait_months"),
            Field("value", "number", "Count of persons, or months for the means"),
            Field("suppressed", "boolean", "The count is below the threshold and not shown"),
        ],
        rows=rows,
        primary_key=("measure",),
    )


def _settlement_breakdowns(*, period: ReportingPeriod) -> Table:
    agency = period.budget_year.agency
    # Those waiting at the end, per group of every breakdown, in one read for all of them.
    stocks = settlement.stocks_at(agencies=[agency], dates=[period.end], breakdowns=True)
    waiting = stocks[period.end][agency.pk]["waiting"]
    rows = []
    for dimension in settlement.BREAKDOWNS:
        groups = settlement.breakdown(
            agency=agency, by=dimension, start=period.start, end=period.end, waiting=waiting
        )
        for row in settlement.suppress_rows(
            groups,
            exact=False,
            counts=("settled", "waiting"),
            means=(("mean_wait_months", "settled"),),
        ):
            rows.append(
                {
                    "dimension": dimension,
                    "group": "" if row["group"] is None else str(row["group"]),
                    "settled": _shown(row["settled"]),
                    "mean_wait_months": _shown(row["mean_wait_months"]),
                    "waiting": _shown(row["waiting"]),
                    "suppressed": settlement.SUPPRESSED
                    in (row["settled"], row["waiting"], row["mean_wait_months"]),
                }
            )
    return Table(
        name="settlement_breakdowns",
        title="Bosetting fordelt",
        description="Settled in the period, their mean wait from permit and those waiting "
        "in reception at its end, by nationality, sex, age group, family composition, county "
        "and category. Counts below the suppression threshold (and the mean of a suppressed "
        "count) are left empty and the row marked suppressed.",
        fields=[
            Field("dimension", "string", "What the groups are"),
            Field("group", "string", "Group"),
            Field("settled", "integer", "Settled in the period"),
            Field("mean_wait_months", "number", "Mean months from permit to settlement"),
            Field("waiting", "integer", "Waiting in reception at the period's end"),
            Field("suppressed", "boolean", "A figure of the row is not shown"),
        ],
        rows=rows,
    )


def _municipalities(*, period: ReportingPeriod) -> Table:
    rows = settlement.suppress_rows(
        settlement.municipalities(
            agency=period.budget_year.agency, start=period.start, end=period.end
        ),
        exact=False,
        counts=("settled",),
        # The share and the accepted places would give the suppressed count back.
        means=(("share_of_accepted", "settled"),),
    )
    return Table(
        name="settlement_municipalities",
        title="Bosetting per kommune",
        description="Per municipality: places requested and accepted for the year and "
        "persons settled in the period, with the share of accepted places filled. Counts "
        "below the suppression threshold (and their share) are left empty and marked.",
        fields=[
            Field("municipality", "string", "Municipality number (kommunenummer)"),
            Field("name", "string", "Municipality"),
            Field("county", "string", "County (fylke)"),
            Field("requested", "integer", "Places requested (anmodning)"),
            Field("accepted", "integer", "Places accepted (vedtak)"),
            Field("settled", "integer", "Persons settled in the period"),
            Field("share_of_accepted", "number", "Settled as a fraction of accepted places"),
            Field("suppressed", "boolean", "The count is below the threshold and not shown"),
        ],
        rows=[
            {
                "municipality": row["code"],
                "name": row["name"],
                "county": row["county"],
                "requested": row["requested"],
                "accepted": row["accepted"],
                "settled": _shown(row["settled"]),
                "share_of_accepted": (
                    None
                    if row["share_of_accepted"] in (None, settlement.SUPPRESSED)
                    else row["share_of_accepted"].quantize(SHARE_PLACES)
                ),
                "suppressed": row["settled"] == settlement.SUPPRESSED,
            }
            for row in rows
        ],
        primary_key=("municipality",),
    )


def open_data_tables(*, period: ReportingPeriod) -> list[Table]:
    """Every table of the period's package. Goals: 5 queries; budget: 3; settlement (for
    an agency with the module): 9, those waiting in every breakdown's groups, one per
    breakdown for the settled and one for the municipalities."""
    tables = [
        _requirements(period=period),
        _indicators(period=period),
        _deliverables(period=period),
        _budget(period=period),
    ]
    if period.budget_year.agency.has_settlement:
        tables += [
            _settlement_figures(period=period),
            _settlement_breakdowns(period=period),
            _municipalities(period=period),
        ]
    return tables
