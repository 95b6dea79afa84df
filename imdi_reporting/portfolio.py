"""The ministry's portfolio (porteføljeoversikt): one row per agency of the ministry, from
each agency's latest submitted period.

Queries: the periods, the requirements, their updates, the deliverables and the budget
figures of all the agencies at once; nothing grows with the number of agencies,
requirements, activities or posts.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from budget.selectors import Overview as BudgetFigures
from budget.selectors import budget_overviews
from goals.choices import PeriodState, Status
from goals.models import Agency, Deliverable, ReportingPeriod, ResultRequirement, StatusUpdate
from goals.selectors import periods_visible_to, user_profile
from imdi_reporting.choices import NOT_REPORTED, STATUS_SEVERITY
from imdi_reporting.selectors import worst_status


@dataclass
class AgencyRow:
    agency: Agency
    periods: list[ReportingPeriod]
    status_counts: dict[str, int] = field(default_factory=dict)
    overdue_deliverables: int = 0
    budget: BudgetFigures | None = None

    @property
    def latest(self) -> ReportingPeriod | None:
        return self.periods[0] if self.periods else None

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        """(status, label, count) from the worst to the best, 'not reported' last."""
        labels = {**{s: Status(s).label for s in STATUS_SEVERITY}, NOT_REPORTED: None}
        return [
            (status, labels[status], self.status_counts.get(status, 0))
            for status in [*STATUS_SEVERITY, NOT_REPORTED]
        ]

    @property
    def linear_deviation(self) -> Decimal | None:
        """Accounts minus linear spend over the expense posts: negative is mindreforbruk."""
        if self.budget is None:
            return None
        posts = [p for chapter in self.budget.expense_chapters for p in chapter.posts]
        deviations = [p.deviation for p in posts if p.deviation is not None]
        return sum(deviations, Decimal(0)) if deviations else None


def may_see_portfolio(*, user) -> bool:
    profile = user_profile(user=user)
    return user.is_superuser or (profile is not None and profile.ministry_id is not None)


def portfolio(*, user) -> list[AgencyRow]:
    """Per agency the user may read (a ministry's readers: its agencies), the submitted
    periods, the latest one's requirement statuses, overdue deliverables and budget."""
    periods = list(
        periods_visible_to(user=user)
        .exclude(state=PeriodState.OPEN)
        .order_by("budget_year__agency__code", "-end", "kind")
    )
    rows: dict[int, AgencyRow] = {}
    for period in periods:
        agency = period.budget_year.agency
        rows.setdefault(agency.pk, AgencyRow(agency=agency, periods=[])).periods.append(period)
    latest = {row.latest.pk: row for row in rows.values()}
    _count_statuses(latest)
    _count_overdue(latest)
    budgets = budget_overviews(periods=[row.latest for row in rows.values()])
    for row in rows.values():
        row.budget = budgets[row.latest.pk]
    return list(rows.values())


def _count_statuses(latest: dict[int, AgencyRow]) -> None:
    year_of = {row.latest.budget_year_id: row for row in latest.values()}
    requirements = ResultRequirement.objects.filter(main_goal__budget_year_id__in=year_of)
    statuses: dict[int, list[str]] = {pk: [] for pk in requirements.values_list("pk", flat=True)}
    owner = dict(requirements.values_list("pk", "main_goal__budget_year_id"))
    updates = StatusUpdate.objects.filter(
        period_id__in=latest, activity__requirement__isnull=False
    ).exclude(status="")
    for requirement_id, status in updates.values_list("activity__requirement_id", "status"):
        statuses[requirement_id].append(status)
    counts: dict[int, Counter] = defaultdict(Counter)
    for requirement_id, found in statuses.items():
        counts[owner[requirement_id]][worst_status(found)] += 1
    for year_id, row in year_of.items():
        row.status_counts = dict(counts[year_id])


def _count_overdue(latest: dict[int, AgencyRow]) -> None:
    """Deliverables due by the end of the latest submitted period whose requirement is
    not achieved (deliverables carry no date of delivery of their own)."""
    for row in latest.values():
        row.overdue_deliverables = 0
    by_year = {row.latest.budget_year_id: row for row in latest.values()}
    achieved = set(
        StatusUpdate.objects.filter(period_id__in=latest, status=Status.ACHIEVED).values_list(
            "activity__requirement_id", flat=True
        )
    )
    not_achieved = set(
        StatusUpdate.objects.filter(period_id__in=latest)
        .exclude(status=Status.ACHIEVED)
        .values_list("activity__requirement_id", flat=True)
    )
    deliverables = Deliverable.objects.filter(
        requirement__main_goal__budget_year_id__in=by_year
    ).values_list("requirement_id", "requirement__main_goal__budget_year_id", "due")
    for requirement_id, year_id, due in deliverables:
        row = by_year[year_id]
        done = requirement_id in achieved and requirement_id not in not_achieved
        if due <= row.latest.end and not done:
            row.overdue_deliverables += 1
