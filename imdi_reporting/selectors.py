"""Reads for the start page: the periods a user may open and the overview (Oversikt).

The overview composes goals and budget data for one period. Every function here runs a
fixed number of queries whatever the number of requirements, activities and posts.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budget.selectors import Overview as BudgetFigures
from budget.selectors import budget_overview, execution_chart, expense_deviations
from goals.charts import Chart
from goals.choices import STATUS_BADGE, IndicatorDirection, PeriodState, Status
from goals.models import (
    Deliverable,
    Indicator,
    IndicatorValue,
    MainGoal,
    OrganisationalUnit,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)
from goals.paging import PAGE_PARAMETER, Pager, paged
from goals.selectors import cached_rollup, periods_visible_to
from imdi_reporting.choices import NOT_REPORTED, STATUS_FILTER_CHOICES, STATUS_SEVERITY
from imdi_reporting.forms import OverviewFilterForm
from imdi_reporting.models import ApiToken

# A deliverable is "due soon" when its date lies at most this many days after the
# reference date (see deadline_state).
DUE_SOON_DAYS = 30


class DeadlineState:
    """Deadline state of a deliverable, from the worst to the best."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"
    MET = "met"
    ORDER = [OVERDUE, DUE_SOON, UPCOMING, MET]
    LABELS = {
        OVERDUE: _("Overdue"),
        DUE_SOON: _("Due soon"),
        UPCOMING: _("Upcoming"),
        MET: _("Met"),
    }
    BADGES = {OVERDUE: "bad", DUE_SOON: "warn", UPCOMING: "neutral", MET: "ok"}


def start_page_periods(*, user) -> list[ReportingPeriod]:
    """The periods a user may open, newest first."""
    return list(periods_visible_to(user=user).order_by("-end", "kind"))


def reference_date(*, period: ReportingPeriod, today: date | None = None) -> date:
    """The day deadlines are judged on: today, but never after the period's end.

    A period reports the state at its end, so a closed (or past) period is judged as of
    its last day and keeps the picture its report gave.
    """
    today = today or timezone.localdate()
    return min(today, period.end)


def deadline_state(*, due: date, reference: date, achieved: bool) -> str:
    """Met: the requirement's activities are all achieved (deliverables carry no date of
    delivery of their own, so achievement of the requirement is taken as delivery).
    Overdue: not met and the due date lies before the reference date. Due soon: not met
    and due within DUE_SOON_DAYS from the reference date. Upcoming: due later.
    """
    if achieved:
        return DeadlineState.MET
    if due < reference:
        return DeadlineState.OVERDUE
    if due <= reference + timedelta(days=DUE_SOON_DAYS):
        return DeadlineState.DUE_SOON
    return DeadlineState.UPCOMING


def worst_status(statuses: list[str]) -> str:
    if not statuses:
        return NOT_REPORTED
    return min(statuses, key=STATUS_SEVERITY.index)


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    state: str

    @property
    def label(self):
        return DeadlineState.LABELS[self.state]

    @property
    def badge(self) -> str:
        return DeadlineState.BADGES[self.state]


@dataclass
class IndicatorProgress:
    indicator: Indicator
    value: Decimal | None
    value_period: ReportingPeriod | None

    @property
    def shows_progress(self) -> bool:
        """A bar only makes sense for targets one climbs towards."""
        return (
            self.value is not None
            and self.indicator.target
            and self.indicator.direction
            in (IndicatorDirection.INCREASE, IndicatorDirection.AT_LEAST)
        )

    @property
    def share(self) -> Decimal | None:
        if self.value is None or not self.indicator.target:
            return None
        return (self.value / self.indicator.target).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )

    @property
    def bar_percent(self) -> int | None:
        """The bar's filling in whole percent, capped at 100 (the text gives the real value)."""
        if self.share is None:
            return None
        return min(100, int((self.share * 100).to_integral_value(rounding=ROUND_HALF_UP)))

    @property
    def places(self) -> int:
        """Decimals worth showing: none for counts, one for values such as 6.1."""
        whole = all(
            n is None or n == n.to_integral_value() for n in (self.value, self.indicator.target)
        )
        return 0 if whole else 1


@dataclass
class RequirementRow:
    requirement: ResultRequirement
    status: str
    deliverables: list[DeliverableRow]
    indicators: list[IndicatorProgress]
    activity_count: int
    latest_update: datetime | None
    # The requirement's page (or its place in the report), when there is one.
    url: str | None = None

    @property
    def status_label(self):
        return dict(STATUS_FILTER_CHOICES)[self.status]

    @property
    def status_badge(self) -> str:
        return STATUS_BADGE.get(self.status, "neutral")

    @property
    def deadline(self) -> str | None:
        """The worst deadline state of the requirement's deliverables, None without any."""
        if not self.deliverables:
            return None
        return min((d.state for d in self.deliverables), key=DeadlineState.ORDER.index)

    @property
    def deadline_label(self):
        return DeadlineState.LABELS[self.deadline] if self.deadline else None

    @property
    def deadline_badge(self) -> str:
        return DeadlineState.BADGES[self.deadline] if self.deadline else "neutral"


@dataclass
class GoalGroup:
    main_goal: MainGoal
    rows: list[RequirementRow] = field(default_factory=list)
    # The main goal's requirements left by the filters, on this page and on others.
    total: int = 0

    @property
    def is_part(self) -> bool:
        """Whether some of the main goal's rows are on other pages."""
        return len(self.rows) < self.total


@dataclass
class StatusCount:
    status: str
    label: str
    badge: str
    count: int


@dataclass
class FilteredOverview:
    groups: list[GoalGroup]
    counts: list[StatusCount]


@dataclass
class Overview:
    """What the overview shows whatever the filters and the page: the period, the day
    deadlines are judged on and the filters' choices."""

    period: ReportingPeriod
    reference: date
    main_goals: list[MainGoal]
    units: list[OrganisationalUnit]

    due_soon_days: int = DUE_SOON_DAYS

    @property
    def is_draft(self) -> bool:
        return self.period.state == PeriodState.OPEN


def overview(*, period: ReportingPeriod, today: date | None = None) -> Overview:
    """The period's main goals and units, and its reference date (two queries)."""
    return Overview(
        period=period,
        reference=reference_date(period=period, today=today),
        main_goals=list(MainGoal.objects.filter(budget_year_id=period.budget_year_id)),
        units=list(
            OrganisationalUnit.objects.filter(agency_id=period.budget_year.agency_id).order_by(
                "code"
            )
        ),
    )


def _severity() -> Case:
    """An update's place in STATUS_SEVERITY, 0 the worst."""
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_SEVERITY)),
        output_field=IntegerField(),
    )


@dataclass
class RequirementStatus:
    """A requirement's roll-up of its activities' updates in a period."""

    requirement_id: int
    main_goal_id: int
    status: str
    # How many of its activities have an update (one per period at most), the latest saved.
    activity_count: int = 0
    updated: datetime | None = None


# The overview's order: the main goals as MainGoal orders them, the requirements of each
# as ResultRequirement does.
REQUIREMENT_ORDER = ("main_goal__position", "main_goal__code", "position", "code")


def requirement_statuses(
    *, period: ReportingPeriod, main_goal: str = "", unit: str = ""
) -> list[RequirementStatus]:
    """Each result requirement of the period's year that the main goal and unit filters
    leave, in the overview's order, with the roll-up of its activities' updates in the
    period: its status (worst_status of them, as the least place in STATUS_SEVERITY found
    by the database), how many there are and when one was saved last. Two queries of a
    few values a requirement (none for the second without requirements).

    The updates are grouped in one pass over the period's updates rather than looked up
    per requirement, which costs one scan whatever the planner knows of the tables."""
    requirements = ResultRequirement.objects.filter(main_goal__budget_year_id=period.budget_year_id)
    if main_goal:
        requirements = requirements.filter(main_goal__code=main_goal)
    if unit:
        requirements = requirements.filter(responsible_unit__code=unit)
    ordered = list(requirements.order_by(*REQUIREMENT_ORDER).values_list("pk", "main_goal_id"))
    if not ordered:
        return []
    updates = {
        requirement: rest
        for requirement, *rest in StatusUpdate.objects.filter(
            period_id=period.pk, activity__requirement__isnull=False
        )
        .order_by()
        .values("activity__requirement_id")
        .annotate(severity=Min(_severity()), number=Count("pk"), last=Max("updated_at"))
        .values_list("activity__requirement_id", "severity", "number", "last")
    }
    statuses = []
    for pk, goal in ordered:
        severity, number, last = updates.get(pk, (None, 0, None))
        statuses.append(
            RequirementStatus(
                requirement_id=pk,
                main_goal_id=goal,
                status=NOT_REPORTED if severity is None else STATUS_SEVERITY[severity],
                activity_count=number,
                updated=last,
            )
        )
    return statuses


@dataclass
class Tally:
    """How many requirements there are per (main goal id, status)."""

    counts: Counter[tuple[int, str]]

    def count(self, *, status: str = "", main_goal_id: int | None = None) -> int:
        """The requirements with the status (any without), of the main goal (any without)."""
        return sum(
            number
            for (goal, state), number in self.counts.items()
            if (not status or state == status) and main_goal_id in (None, goal)
        )

    @property
    def per_status(self) -> list[StatusCount]:
        return [
            StatusCount(
                status=value,
                label=label,
                badge=STATUS_BADGE.get(value, "neutral"),
                count=self.count(status=value),
            )
            for value, label in STATUS_FILTER_CHOICES
        ]


def tally(*, statuses: list[RequirementStatus]) -> Tally:
    """The statuses counted per main goal and status (no query)."""
    return Tally(counts=Counter((row.main_goal_id, row.status) for row in statuses))


def page_requirements(*, period: ReportingPeriod, ids: list[int]) -> list[ResultRequirement]:
    """The requirements of ids in that order, with main goal and unit and when the period's
    narrative was saved (narrative_updated). One query, none without ids."""
    narrative = (
        RequirementNarrative.objects.filter(period_id=period.pk, requirement_id=OuterRef("pk"))
        .order_by()
        .values("updated_at")
    )
    found = {
        requirement.pk: requirement
        for requirement in ResultRequirement.objects.filter(pk__in=ids)
        .select_related("main_goal", "responsible_unit")
        .annotate(narrative_updated=Subquery(narrative[:1]))
    }
    return [found[pk] for pk in ids]


def latest_values(
    *, period: ReportingPeriod, user, indicators: list[Indicator]
) -> dict[int, IndicatorValue]:
    """Each indicator's latest value up to the period's end, by indicator id: an annual
    period shows the half-year's value until its own is entered. One query, none without
    indicators."""
    if not indicators:
        return {}
    values = (
        IndicatorValue.objects.filter(
            indicator_id__in=[indicator.pk for indicator in indicators],
            period__budget_year_id=period.budget_year_id,
            period__end__lte=period.end,
            # A ministry reader's overview of a submitted half year must not show the value
            # of a tertial still open (a subquery, no extra query).
            period__in=periods_visible_to(user=user).values("pk"),
        )
        .select_related("period__budget_year__agency")
        .order_by("period__end", "period__start")
    )
    return {value.indicator_id: value for value in values}


def _by_requirement(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.requirement_id].append(row)
    return grouped


def requirement_rows(
    *, period: ReportingPeriod, user, reference: date, statuses: list[RequirementStatus]
) -> list[RequirementRow]:
    """The overview's row of each requirement of statuses: its updates, deadlines,
    indicators and their values. Five queries, none without requirements."""
    if not statuses:
        return []
    ids = [row.requirement_id for row in statuses]
    requirements = page_requirements(period=period, ids=ids)
    deliverables = _by_requirement(
        Deliverable.objects.filter(requirement_id__in=ids).order_by("due", "title")
    )
    indicators = _by_requirement(
        Indicator.objects.filter(requirement_id__in=ids).order_by("position", "code")
    )
    values = latest_values(
        period=period, user=user, indicators=[i for found in indicators.values() for i in found]
    )
    rows = []
    for requirement, row in zip(requirements, statuses, strict=True):
        own = [values.get(indicator.pk) for indicator in indicators[requirement.pk]]
        rows.append(
            RequirementRow(
                requirement=requirement,
                status=row.status,
                deliverables=[
                    DeliverableRow(
                        deliverable=d,
                        state=deadline_state(
                            due=d.due, reference=reference, achieved=row.status == Status.ACHIEVED
                        ),
                    )
                    for d in deliverables[requirement.pk]
                ],
                indicators=[
                    IndicatorProgress(
                        indicator=indicator,
                        value=value.value if value is not None else None,
                        value_period=value.period if value is not None else None,
                    )
                    for indicator, value in zip(indicators[requirement.pk], own, strict=True)
                ],
                activity_count=row.activity_count,
                latest_update=_latest(
                    row.updated,
                    requirement.narrative_updated,
                    *(v.updated_at for v in own if v is not None and v.period_id == period.pk),
                ),
            )
        )
    return rows


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# --- Budget execution summary ------------------------------------------------------------


@dataclass
class BudgetExecutionRow:
    code: str
    name: str
    appropriation: Decimal
    accounts: Decimal
    share_spent: Decimal
    elapsed: Decimal
    deviation: Decimal
    # How the expected spend was computed: the agency's months or days, or the post's
    # periodised budget.
    basis_label: str = ""

    @property
    def deviation_share(self) -> Decimal:
        """Share spent minus share of the year elapsed, in percentage points as a share."""
        return self.share_spent - self.elapsed

    @property
    def ahead(self) -> bool:
        return self.deviation > 0


def budget_execution(*, figures: BudgetFigures) -> list[BudgetExecutionRow]:
    """Expense posts with appropriation and accounts at the period's end (no queries: the
    figures come from budget.selectors.budget_overview)."""
    rows = []
    for chapter in figures.expense_chapters:
        for post in chapter.posts:
            if post.share_spent is None or post.deviation is None:
                continue
            rows.append(
                BudgetExecutionRow(
                    code=post.post.code,
                    name=post.post.name,
                    appropriation=post.sum_appropriation,
                    accounts=post.accounts_total,
                    share_spent=post.share_spent,
                    elapsed=figures.elapsed,
                    deviation=post.deviation,
                    basis_label=post.basis_label,
                )
            )
    return rows


# The accessibility feedback form takes this many reports per client an hour, enough for
# anyone reporting real problems and a brake on spam.
FEEDBACK_PER_HOUR = 5
FEEDBACK_WINDOW_SECONDS = 60 * 60


# The start page's budget table shows at most this many expense posts: when there are
# more, those furthest from linear spending either way (the chart likewise).
BUDGET_ROWS_SHOWN = 20


@dataclass
class BudgetSection:
    rows: list[BudgetExecutionRow]
    chart: Chart | None
    post_count: int

    @property
    def is_selection(self) -> bool:
        return len(self.rows) < self.post_count


def budget_section(*, period: ReportingPeriod) -> BudgetSection:
    """The start page's budget execution: the expense posts (no more than
    BUDGET_ROWS_SHOWN, those deviating most from linear spending, in the budget's order)
    and their chart; cached under the agency's generation, so that a cached page reads
    these few rows and not the whole budget. The database sums every post's figures; only
    the posts shown are read in full."""

    def compute() -> BudgetSection:
        deviations = expense_deviations(period=period)
        # sorted is stable: of posts deviating as much, the first in the budget's order.
        furthest = sorted(deviations, key=lambda pk: abs(deviations[pk]), reverse=True)
        figures = budget_overview(period=period, post_ids=furthest[:BUDGET_ROWS_SHOWN])
        return BudgetSection(
            rows=budget_execution(figures=figures),
            chart=execution_chart(overview=figures),
            post_count=len(deviations),
        )

    return cached_rollup(
        agency_id=period.budget_year.agency_id,
        key=("budget_section", period.pk),
        compute=compute,
    )


@dataclass
class OverviewPage:
    shown: FilteredOverview
    pager: Pager
    # The overview's period, reference day and filter choices, and the form.
    overview: Overview | None = None
    form: "OverviewFilterForm | None" = None


FILTERS = ("main_goal", "unit", "status")


def _filter_form(data: QueryDict, *, periods: list, overview: Overview) -> OverviewFilterForm:
    return OverviewFilterForm(
        data, periods=periods, main_goals=overview.main_goals, units=overview.units
    )


def _filters(form: OverviewFilterForm) -> dict:
    """The form's filters; an unknown choice (an old bookmark, say) is shown as an error
    and ignored."""
    valid = form.is_valid()
    return {name: form.cleaned_data.get(name, "") if valid else "" for name in FILTERS}


def cached_overview_page(
    *, period: ReportingPeriod, user, data: QueryDict, periods: list, url_of: Callable
) -> OverviewPage:
    """The start page's overview: one page of the rows the filters leave, with the status
    counts. Cached per filters and page under the agency's generation, so that a cached
    request reads none of it. Within one agency what a reader may see of other periods
    depends only on whether they may read drafts, so that is part of the key."""
    reference = reference_date(period=period)
    sees_drafts = user.is_superuser or user.has_perm("goals.view_draft_period")
    asked = [data.get(name, "") for name in (*FILTERS, PAGE_PARAMETER)]

    def compute() -> dict:
        summary = overview(period=period, today=reference)
        filters = _filters(_filter_form(data, periods=periods, overview=summary))
        page = overview_page(summary=summary, user=user, filters=filters, query=data, url_of=url_of)
        return {
            "overview": summary,
            "shown": page.shown,
            "count": page.pager.page.paginator.count,
        }

    cached = cached_rollup(
        agency_id=period.budget_year.agency_id,
        key=(
            "overview_page",
            period.pk,
            reference,
            "drafts" if sees_drafts else "submitted",
            hashlib.sha256("\n".join(asked).encode()).hexdigest(),
        ),
        compute=compute,
    )
    return OverviewPage(
        shown=cached["shown"],
        pager=paged(range(cached["count"]), query=data),
        overview=cached["overview"],
        form=_filter_form(data, periods=periods, overview=cached["overview"]),
    )


def overview_page(
    *, summary: Overview, user, filters: dict, query: QueryDict, url_of: Callable
) -> OverviewPage:
    """One page (PAGE_SIZE rows) of the requirements the filters leave, grouped by main goal,
    with the status counts of all that the main goal and unit filters leave; url_of gives
    each row its link. requirement_statuses' two queries, and requirement_rows' five for
    the rows of the page."""
    statuses = requirement_statuses(
        period=summary.period, main_goal=filters["main_goal"], unit=filters["unit"]
    )
    counts = tally(statuses=statuses)
    if filters["status"]:
        statuses = [row for row in statuses if row.status == filters["status"]]
    pager = paged(statuses, query=query)
    groups: dict[int, GoalGroup] = {}
    for row in requirement_rows(
        period=summary.period,
        user=user,
        reference=summary.reference,
        statuses=list(pager.page.object_list),
    ):
        row.url = url_of(row.requirement)
        goal = row.requirement.main_goal
        if goal.pk not in groups:
            groups[goal.pk] = GoalGroup(
                main_goal=goal, total=counts.count(status=filters["status"], main_goal_id=goal.pk)
            )
        groups[goal.pk].rows.append(row)
    return OverviewPage(
        shown=FilteredOverview(groups=list(groups.values()), counts=counts.per_status),
        pager=pager,
    )


def feedback_cache_key(*, client: str) -> str:
    return f"imdi:accessibility-feedback:{client}"


def feedback_limit_reached(*, client: str) -> bool:
    """Whether the client (an IP address) has sent FEEDBACK_PER_HOUR reports this hour."""
    return cache.get(feedback_cache_key(client=client), 0) >= FEEDBACK_PER_HOUR


def api_tokens_of(*, user) -> list[ApiToken]:
    """The user's own API keys, newest first; never another user's."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
