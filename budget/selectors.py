"""Reads and roll-ups: appropriation, accounts, remaining budget, linear spend, sub-post and
disposition sums, and the control list of reported against computed figures.

Money is Decimal whole kroner. Every function here runs a fixed number of queries whatever
the number of posts and lines.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import QueryDict
from django.utils.translation import gettext as _

from budget.choices import (
    AccountsCategory,
    ChapterKind,
    FootnoteScope,
    LinearBasis,
    LineKind,
    Measure,
    StatisticRole,
    StatisticTable,
)
from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Authorisation,
    BudgetProfile,
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
from goals.charts import Chart, Series, bar_chart
from goals.formatting import format_date, format_percent
from goals.models import Agency, ReportingPeriod
from goals.paging import paged
from goals.selectors import cached_rollup, user_profile

ZERO = Decimal(0)
SHARE_PLACES = Decimal("0.0001")


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def share(part: Decimal | None, total: Decimal | None) -> Decimal | None:
    if part is None or not total:
        return None
    return (part / total).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def agencies_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Agency]:
    """Agencies whose budget the user may read: their own agency, the agencies of their
    ministry for a ministry reader, every agency for a superuser. No query of its own
    beyond the (cached) profile."""
    if not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    profile = user_profile(user=user)
    if profile is None:
        return Agency.objects.none()
    if profile.agency_id is not None:
        return Agency.objects.filter(pk=profile.agency_id)
    return Agency.objects.filter(ministry_id=profile.ministry_id)


def agency_basis(period: ReportingPeriod) -> str:
    """The linear-spend convention of the period's agency (months unless it says days)."""
    return period.budget_year.agency.linear_basis


def whole_months(period: ReportingPeriod) -> int:
    """Whole months of the budget year passed at the period's end."""
    end = period.end
    return end.month - (0 if end.day == calendar.monthrange(end.year, end.month)[1] else 1)


def elapsed_share(*, period: ReportingPeriod, basis: str | None = None) -> Decimal:
    """Share of the budget year passed at the period's end by the agency's convention (or
    the basis given): whole months elapsed / 12, or days elapsed / days in the year."""
    basis = basis or agency_basis(period)
    year = period.budget_year.year
    if basis == LinearBasis.MONTHS:
        return Decimal(whole_months(period)) / Decimal(12)
    days_in_year = 366 if calendar.isleap(year) else 365
    elapsed = (period.end - date(year, 1, 1)).days + 1
    return Decimal(elapsed) / Decimal(days_in_year)


# --- Posts -----------------------------------------------------------------------------


@dataclass
class PostFigures:
    """A post's appropriation, accounts and what follows from them at a period's end.

    The figures that follow are computed once per object (a page reads each of them many
    times per post); figures_at_periods fills the fields before any of them is read."""

    post: Post
    allocations: list[AllocationEntry] = field(default_factory=list)
    accounts: dict[str, Decimal] = field(default_factory=dict)
    credited_income: Decimal = ZERO
    elapsed: Decimal = ZERO
    linear_basis: str = LinearBasis.MONTHS
    profile_expected: Decimal | None = None
    period: ReportingPeriod | None = None

    @property
    def is_income(self) -> bool:
        return self.post.chapter.kind == ChapterKind.INCOME

    @cached_property
    def sum_appropriation(self) -> Decimal | None:
        if not self.allocations:
            return None
        return sum((a.amount for a in self.allocations), ZERO)

    @cached_property
    def refunds(self) -> Decimal:
        """Refunds booked on the post plus income credited against it, as a negative cost."""
        return self.accounts.get(AccountsCategory.REFUNDS, ZERO) - self.credited_income

    @cached_property
    def salary_total(self) -> Decimal:
        return self.accounts.get(AccountsCategory.SALARY, ZERO) + self.refunds

    @cached_property
    def has_accounts(self) -> bool:
        return bool(self.accounts) or bool(self.credited_income)

    @cached_property
    def accounts_total(self) -> Decimal | None:
        if not self.has_accounts:
            return None
        if self.is_income:
            return self.accounts.get(AccountsCategory.INCOME, ZERO)
        return (
            self.salary_total
            + self.accounts.get(AccountsCategory.PURCHASES, ZERO)
            + self.accounts.get(AccountsCategory.PAYMENTS, ZERO)
            - self.accounts.get(AccountsCategory.INCOME, ZERO)
        )

    @cached_property
    def remaining(self) -> Decimal | None:
        if self.sum_appropriation is None or self.accounts_total is None:
            return None
        return self.sum_appropriation - self.accounts_total

    @cached_property
    def share_spent(self) -> Decimal | None:
        return share(self.accounts_total, self.sum_appropriation)

    @property
    def basis(self) -> str:
        """What the expected spend is measured by: the post's periodised budget where it has
        one for the year, else the agency's months or days."""
        return LinearBasis.PROFILE if self.profile_expected is not None else self.linear_basis

    @property
    def basis_label(self) -> str:
        return str(dict(LinearBasis.choices)[self.basis])

    @cached_property
    def expected_linear(self) -> Decimal | None:
        """What the post should have spent by the period's end: its periodised budget's
        months so far, else a linear spread of the appropriation."""
        if self.sum_appropriation is None:
            return None
        if self.profile_expected is not None:
            return self.profile_expected
        return whole(self.sum_appropriation * self.elapsed)

    @cached_property
    def deviation(self) -> Decimal | None:
        """Accounts minus the linear spend: positive is merforbruk, negative mindreforbruk."""
        if self.expected_linear is None or self.accounts_total is None:
            return None
        return self.accounts_total - self.expected_linear

    @property
    def accounts_rows(self) -> list[tuple[str, Decimal, bool]]:
        """(label, amount, is_subtotal) in the order the report prints the accounts."""
        labels = dict(AccountsCategory.choices)
        rows: list[tuple[str, Decimal, bool]] = []
        has_salary = AccountsCategory.SALARY in self.accounts
        if has_salary:
            rows.append(
                (labels[AccountsCategory.SALARY], self.accounts[AccountsCategory.SALARY], False)
            )
        if has_salary or self.refunds:
            rows.append((labels[AccountsCategory.REFUNDS], self.refunds, False))
        if has_salary:
            rows.append((_("Salaries in total"), self.salary_total, True))
        for category in (
            AccountsCategory.PURCHASES,
            AccountsCategory.PAYMENTS,
            AccountsCategory.INCOME,
        ):
            if category in self.accounts:
                rows.append((labels[category], self.accounts[category], False))
        return rows

    @property
    def ahead_of_linear(self) -> bool:
        return self.deviation is not None and self.deviation > 0


class PostTotals:
    """Sums over a set of posts. A figure that no post has stays None, so a chapter or a
    whole budget without accounts shows no accounts rather than zero."""

    def _posts(self) -> list[PostFigures]:
        raise NotImplementedError

    def _total(self, name: str) -> Decimal | None:
        values = [getattr(p, name) for p in self._posts() if getattr(p, name) is not None]
        return sum(values, ZERO) if values else None

    @property
    def sum_appropriation(self) -> Decimal | None:
        return self._total("sum_appropriation")

    @property
    def accounts_total(self) -> Decimal | None:
        return self._total("accounts_total")

    @property
    def remaining(self) -> Decimal | None:
        return self._total("remaining")

    @property
    def share_spent(self) -> Decimal | None:
        spent = [p for p in self._posts() if p.remaining is not None]
        if not spent:
            return None
        return share(
            sum((p.accounts_total for p in spent), ZERO),
            sum((p.sum_appropriation for p in spent), ZERO),
        )


@dataclass
class ChapterFigures(PostTotals):
    chapter: Chapter
    posts: list[PostFigures]

    def _posts(self) -> list[PostFigures]:
        return self.posts


@dataclass
class Overview(PostTotals):
    """Totals over the expense chapters; income chapters are listed apart."""

    period: ReportingPeriod
    chapters: list[ChapterFigures]
    elapsed: Decimal
    linear_basis: str = LinearBasis.MONTHS

    @property
    def basis_label(self) -> str:
        return str(dict(LinearBasis.choices)[self.linear_basis])

    @property
    def expense_chapters(self) -> list[ChapterFigures]:
        return [c for c in self.chapters if c.chapter.kind == ChapterKind.EXPENSE]

    @property
    def income_chapters(self) -> list[ChapterFigures]:
        return [c for c in self.chapters if c.chapter.kind == ChapterKind.INCOME]

    def _posts(self) -> list[PostFigures]:
        return [p for c in self.expense_chapters for p in c.posts]

    def post(self, code: str) -> PostFigures | None:
        for chapter in self.chapters:
            for figures in chapter.posts:
                if figures.post.code == code:
                    return figures
        return None


def post_figures(
    *,
    period: ReportingPeriod,
    posts: list[Post] | None = None,
    basis: str | None = None,
) -> list[PostFigures]:
    """Figures of the given posts (default: all of the period's agency) at the period's
    end. Posts of other agencies are left out. Three queries (two with posts given)."""
    return figures_at_periods(periods=[period], posts=posts, basis=basis)


def _allocations(periods: list[ReportingPeriod], post_ids) -> QuerySet[AllocationEntry]:
    """The posts' allocation entries of the periods' years, each with the post's periodised
    budget to its period's end where it has one (one query, whatever the number of posts)."""
    months = Case(
        *[When(budget_year_id=p.budget_year_id, then=Value(whole_months(p))) for p in periods],
        default=Value(0),
    )
    profile = BudgetProfile.objects.filter(
        post=OuterRef("post"), budget_year=OuterRef("budget_year")
    )
    to_date = (
        profile.filter(month__lte=months)
        .values("post")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return (
        AllocationEntry.objects.filter(
            Q(date__isnull=True) | Q(date__lte=max(p.end for p in periods)),
            budget_year_id__in=[p.budget_year_id for p in periods],
            post_id__in=post_ids,
        )
        .annotate(has_profile=Exists(profile), profile_to_date=Subquery(to_date))
        .order_by("date", "kind", "sequence")
    )


def figures_at_periods(
    *,
    periods: list[ReportingPeriod],
    posts: list[Post] | None = None,
    basis: str | None = None,
) -> list[PostFigures]:
    """Post figures for several agencies at once, each post at its own agency's period (one
    period per agency). Three queries (two with posts given), whatever the agencies."""
    by_agency = {p.budget_year.agency_id: p for p in periods}
    if posts is None:
        posts = list(
            Post.objects.select_related("chapter").filter(chapter__agency_id__in=by_agency)
        )
    figures: dict[int, PostFigures] = {}
    for post in posts:
        period = by_agency.get(post.chapter.agency_id)
        if period is None:
            continue  # a period's figures use its own agency's posts only
        convention = basis or agency_basis(period)
        figures[post.pk] = PostFigures(
            post=post,
            elapsed=elapsed_share(period=period, basis=convention),
            linear_basis=convention,
            period=period,
        )
    if not figures:
        return []
    for entry in _allocations(periods, list(figures)):
        target = figures[entry.post_id]
        if entry.budget_year_id != target.period.budget_year_id or (
            entry.date is not None and entry.date > target.period.end
        ):
            continue
        target.allocations.append(entry)
        if entry.has_profile:
            target.profile_expected = entry.profile_to_date or ZERO
    # Income posts credited against one of our posts count as refunds there. Summed, so in
    # no order: the entries' own ordering would join their chapter, period, year and agency.
    accounts = (
        AccountsEntry.objects.filter(period__in=[p.pk for p in periods])
        .filter(Q(post_id__in=figures) | Q(post__credited_against_id__in=figures))
        .order_by()
    )
    for entry in accounts.values(
        "post_id", "post__credited_against_id", "period_id", "category", "amount"
    ):
        target = figures.get(entry["post_id"])
        if target is not None and target.period.pk == entry["period_id"]:
            target.accounts[entry["category"]] = (
                target.accounts.get(entry["category"], ZERO) + entry["amount"]
            )
        credited = figures.get(entry["post__credited_against_id"])
        if (
            credited is not None
            and credited.period.pk == entry["period_id"]
            and entry["category"] == AccountsCategory.INCOME
        ):
            credited.credited_income += entry["amount"]
    return list(figures.values())


def budget_overview(
    *, period: ReportingPeriod, basis: str | None = None, post_ids: list[int] | None = None
) -> Overview:
    """Every chapter and post of the period's agency (or the posts of post_ids only) with
    figures at the period's end. Three queries (none for no post_ids)."""
    basis = basis or agency_basis(period)
    posts = None
    if post_ids is not None:
        posts = list(Post.objects.select_related("chapter").filter(pk__in=post_ids))
    return _overview(
        period=period, figures=post_figures(period=period, posts=posts, basis=basis), basis=basis
    )


def budget_overviews(*, periods: list[ReportingPeriod]) -> dict[int, Overview]:
    """budget_overview of several agencies' periods (one period per agency), by period id,
    each at its agency's basis. Three queries, whatever the number of agencies."""
    by_period: dict[int, list[PostFigures]] = defaultdict(list)
    for figures in figures_at_periods(periods=periods):
        by_period[figures.period.pk].append(figures)
    return {
        period.pk: _overview(
            period=period, figures=by_period[period.pk], basis=agency_basis(period)
        )
        for period in periods
    }


def _overview(*, period: ReportingPeriod, figures: list[PostFigures], basis: str) -> Overview:
    by_chapter: dict[int, list[PostFigures]] = defaultdict(list)
    chapters: dict[int, Chapter] = {}
    for post in figures:
        chapters[post.post.chapter_id] = post.post.chapter
        by_chapter[post.post.chapter_id].append(post)
    return Overview(
        period=period,
        chapters=[
            ChapterFigures(chapter=chapters[pk], posts=by_chapter[pk])
            for pk in sorted(chapters, key=lambda pk: chapters[pk].number)
        ],
        elapsed=elapsed_share(period=period, basis=basis),
        linear_basis=basis,
    )


# --- The budget page: totals in SQL, the chapters a page at a time -----------------------

CHAPTERS_PER_PAGE = 20


@dataclass
class ExpenseTotals:
    """Overview's totals over the expense chapters, summed by the database."""

    sum_appropriation: Decimal | None
    accounts_total: Decimal | None
    remaining: Decimal | None
    share_spent: Decimal | None


@dataclass
class ExpensePostSums:
    """Per expense post of the period's agency, by post id: the appropriation at the period's
    end (posts with allocations, in the budget's order) and the accounts of the period
    (posts with entries or credited income), both by PostFigures' rules."""

    appropriation: dict[int, Decimal]
    accounts: dict[int, Decimal]


def _expense_post(*, period: ReportingPeriod, via: str) -> Q:
    """Rows whose post (at the path via) is an expense post of the period's agency: a join,
    cheaper than "post in the agency's expense posts", a semi-join per row."""
    return Q(
        **{
            f"{via}__chapter__agency_id": period.budget_year.agency_id,
            f"{via}__chapter__kind": ChapterKind.EXPENSE,
        }
    )


def expense_post_sums(*, period: ReportingPeriod) -> ExpensePostSums:
    """The database sums per post (_EXPENSE_POSTS_SQL, one query, a row per post and no
    model objects): the appropriations in the budget's order, then the accounts."""
    appropriation: dict[int, Decimal] = {}
    accounts: dict[int, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(_EXPENSE_POST_ROWS_SQL, _expense_posts_parameters(period))
        for kind, _chapter, _post, post_id, amount in cursor.fetchall():
            (appropriation if kind == "a" else accounts)[post_id] = Decimal(amount)
    return ExpensePostSums(appropriation=appropriation, accounts=accounts)


def expense_totals(*, period: ReportingPeriod) -> ExpenseTotals:
    """The same sums as budget_overview(period).sum_appropriation, .accounts_total,
    .remaining and .share_spent, summed per post and then in total by the database: one
    query that returns one row, whatever the number of posts."""
    with connection.cursor() as cursor:
        cursor.execute(_EXPENSE_TOTALS_SQL, _expense_posts_parameters(period))
        appropriation, accounts, remaining, spent_accounts, spent_appropriation, spent = (
            cursor.fetchone()
        )
    return ExpenseTotals(
        sum_appropriation=_decimal(appropriation),
        accounts_total=_decimal(accounts),
        remaining=_decimal(remaining) if spent else None,
        share_spent=share(_decimal(spent_accounts), _decimal(spent_appropriation))
        if spent
        else None,
    )


def _decimal(value) -> Decimal | None:
    # SQLite sums whole kroner as int, PostgreSQL as Decimal.
    return None if value is None else Decimal(value)


# The sums per expense post of the period's agency, by PostFigures' rules: a post's
# appropriation is its allocations to the period's end; its accounts are its own entries of
# the period (salaries, refunds, purchases and payments less income) less the income
# credited against it, for a post with entries of its own or with credited income that
# does not sum to zero. Only the models' table names are put into the text; every value is
# a parameter.
_EXPENSE_POSTS_SQL = f"""
WITH appropriation AS (
    SELECT e.post_id, SUM(e.amount) AS amount
    FROM {AllocationEntry._meta.db_table} e
    JOIN {Post._meta.db_table} p ON p.id = e.post_id
    JOIN {Chapter._meta.db_table} c ON c.id = p.chapter_id
    WHERE c.agency_id = %(agency)s AND c.kind = %(expense)s
      AND e.budget_year_id = %(year)s AND (e.date IS NULL OR e.date <= %(end)s)
    GROUP BY e.post_id
), movement AS (
    SELECT e.post_id AS post_id, 1 AS own,
        CASE WHEN e.category IN (%(salary)s, %(refunds)s, %(purchases)s, %(payments)s)
            THEN e.amount WHEN e.category = %(income)s THEN -e.amount ELSE 0 END AS amount
    FROM {AccountsEntry._meta.db_table} e
    JOIN {Post._meta.db_table} p ON p.id = e.post_id
    JOIN {Chapter._meta.db_table} c ON c.id = p.chapter_id
    WHERE c.agency_id = %(agency)s AND c.kind = %(expense)s AND e.period_id = %(period)s
    UNION ALL
    SELECT p.credited_against_id, 0, -e.amount
    FROM {AccountsEntry._meta.db_table} e
    JOIN {Post._meta.db_table} p ON p.id = e.post_id
    JOIN {Post._meta.db_table} t ON t.id = p.credited_against_id
    JOIN {Chapter._meta.db_table} c ON c.id = t.chapter_id
    WHERE c.agency_id = %(agency)s AND c.kind = %(expense)s AND e.period_id = %(period)s
      AND e.category = %(income)s
), accounts AS (
    SELECT post_id, SUM(amount) AS amount
    FROM movement
    GROUP BY post_id
    HAVING MAX(own) = 1 OR SUM(CASE WHEN own = 0 THEN amount ELSE 0 END) <> 0
)
"""  # noqa: S608

# Each post's appropriation (in the budget's order) and accounts, a row each.
_EXPENSE_POST_ROWS_SQL = f"""{_EXPENSE_POSTS_SQL}
SELECT 'a', c.number, p.number, a.post_id, a.amount
FROM appropriation a
JOIN {Post._meta.db_table} p ON p.id = a.post_id
JOIN {Chapter._meta.db_table} c ON c.id = p.chapter_id
UNION ALL
SELECT 's', '', '', post_id, amount FROM accounts
ORDER BY 1, 2, 3, 4
"""  # noqa: S608

# All appropriations, all accounts, and over the posts that have both, the remainder and
# the two sums of the share.
_EXPENSE_TOTALS_SQL = f"""{_EXPENSE_POSTS_SQL}
SELECT (SELECT SUM(amount) FROM appropriation), (SELECT SUM(amount) FROM accounts),
    SUM(a.amount - s.amount), SUM(s.amount), SUM(a.amount), COUNT(*)
FROM appropriation a JOIN accounts s ON s.post_id = a.post_id
"""  # noqa: S608


def _expense_posts_parameters(period: ReportingPeriod) -> dict:
    return {
        "agency": period.budget_year.agency_id,
        "expense": ChapterKind.EXPENSE,
        "year": period.budget_year_id,
        "end": period.end,
        "period": period.pk,
        "salary": AccountsCategory.SALARY,
        "refunds": AccountsCategory.REFUNDS,
        "purchases": AccountsCategory.PURCHASES,
        "payments": AccountsCategory.PAYMENTS,
        "income": AccountsCategory.INCOME,
    }


def expense_deviations(*, period: ReportingPeriod) -> dict[int, Decimal]:
    """PostFigures.deviation of each expense post that has a share spent (an appropriation
    other than zero, and accounts), by post id in the budget's order: its accounts less its
    expected spend, from expense_post_sums and the periodised budgets to date. Two queries
    at most, no model objects."""
    sums = expense_post_sums(period=period)
    spent = [pk for pk, amount in sums.appropriation.items() if amount and pk in sums.accounts]
    if not spent:
        return {}
    # A post with a periodised budget for the year expects its months to date (zero
    # before its first month), others a linear share of the appropriation.
    profiled = dict(
        BudgetProfile.objects.filter(
            _expense_post(period=period, via="post"), budget_year_id=period.budget_year_id
        )
        .order_by()
        .values("post_id")
        .annotate(to_date=Sum("amount", filter=Q(month__lte=whole_months(period))))
        .values_list("post_id", "to_date")
    )
    elapsed = elapsed_share(period=period)
    expected = {
        pk: (profiled[pk] or ZERO) if pk in profiled else whole(sums.appropriation[pk] * elapsed)
        for pk in spent
    }
    return {pk: sums.accounts[pk] - expected[pk] for pk in spent}


def budget_page(*, period: ReportingPeriod, query: QueryDict) -> dict:
    """The budget page: CHAPTERS_PER_PAGE chapters (expense chapters first) with their posts'
    figures, the chart of those posts, the pager and the expense totals of all chapters.
    Cached per page under the agency's generation; a count query besides, and when not
    cached: the page's chapters' posts, their allocations and accounts, the totals."""
    # Exists rather than a join to the posts made distinct: the count then need not sort
    # every chapter's columns.
    chapters = Chapter.objects.filter(
        Exists(Post.objects.filter(chapter_id=OuterRef("pk"))),
        agency_id=period.budget_year.agency_id,
    )
    pager = paged(range(chapters.count()), query=query, per_page=CHAPTERS_PER_PAGE)
    shown = pager.page.object_list

    def compute() -> dict:
        basis = agency_basis(period)
        page_chapters = chapters.order_by("kind", "number")[shown.start : shown.stop]
        posts = list(
            Post.objects.select_related("chapter").filter(
                chapter__in=list(page_chapters.values_list("pk", flat=True))
            )
        )
        overview = _overview(
            period=period,
            figures=figures_at_periods(periods=[period], posts=posts, basis=basis),
            basis=basis,
        )
        return {
            "overview": overview,
            "totals": expense_totals(period=period),
            "execution_chart": execution_chart(overview=overview),
        }

    page = cached_rollup(
        agency_id=period.budget_year.agency_id,
        key=("budget_page", period.pk, pager.page.number),
        compute=compute,
    )
    return {**page, "pager": pager}


# --- Sub-posts (attachment 1) ----------------------------------------------------------


@dataclass
class LineFigures:
    line: SubPostLine
    budget_adjustment: Decimal | None = None

    @property
    def computed_amount(self) -> Decimal | None:
        """Persons x rate; for a term payment that divided by the number of terms."""
        line = self.line
        if line.persons is None or line.rate is None:
            return None
        product = Decimal(line.persons) * line.rate
        if line.kind == LineKind.TERM_PAYMENT:
            product = whole(product / line.terms)
        return product

    @property
    def computed_budget(self) -> Decimal | None:
        """Budget persons x budget rate, plus what the marked footnotes add or take away."""
        line = self.line
        if line.budget_persons is None or line.budget_rate is None:
            return None
        return Decimal(line.budget_persons) * line.budget_rate + (self.budget_adjustment or ZERO)

    @property
    def computed_rest(self) -> Decimal:
        return (self.line.budget_amount or ZERO) - (self.line.amount or ZERO)


@dataclass
class SubPostFigures:
    subpost: SubPost
    lines: list[LineFigures]
    reported: dict[str, Decimal]

    def _lines_with(self, name: str) -> list[Decimal]:
        return [getattr(lf.line, name) for lf in self.lines if getattr(lf.line, name) is not None]

    @property
    def persons(self) -> int | None:
        values = self._lines_with("persons")
        return sum(values) if values else None

    @property
    def budget_persons(self) -> int | None:
        values = self._lines_with("budget_persons")
        return sum(values) if values else None

    @property
    def amount(self) -> Decimal:
        return sum(self._lines_with("amount"), ZERO)

    @property
    def budget_is_itemised(self) -> bool:
        return bool(self._lines_with("budget_amount"))

    @property
    def budget(self) -> Decimal:
        """The lines' budgets; where the report gives the budget on the sum row only, that."""
        if self.budget_is_itemised:
            return sum(self._lines_with("budget_amount"), ZERO)
        return self.reported.get(Measure.SUBPOST_BUDGET, ZERO)

    @property
    def rest(self) -> Decimal:
        return self.budget - self.amount


@dataclass
class Attachment:
    """Attachment 1 of a post: its sub-posts, their lines, footnotes and totals."""

    subposts: list[SubPostFigures]
    footnotes: list[Footnote]
    reported: dict[str, ReportedFigure]

    @property
    def amount(self) -> Decimal:
        return sum((s.amount for s in self.subposts), ZERO)

    @property
    def budget(self) -> Decimal:
        return sum((s.budget for s in self.subposts), ZERO)

    @property
    def rest(self) -> Decimal:
        return self.budget - self.amount


def subpost_attachment(*, period: ReportingPeriod, post: Post) -> Attachment:
    """Sub-posts of a post with their lines in the period. Four queries."""
    return subpost_attachments(period=period, post_ids=[post.pk])[post.pk]


def subpost_attachments(*, period: ReportingPeriod, post_ids: list[int]) -> dict[int, Attachment]:
    """Attachments of several posts at once, by post id. Four queries."""
    subposts: dict[int, list[SubPost]] = defaultdict(list)
    for subpost in SubPost.objects.filter(post_id__in=post_ids).order_by("code"):
        subposts[subpost.post_id].append(subpost)
    lines: dict[int, list[SubPostLine]] = defaultdict(list)
    for line in SubPostLine.objects.filter(period=period, subpost__post_id__in=post_ids).order_by(
        "position"
    ):
        lines[line.subpost_id].append(line)
    footnotes: dict[int, list[Footnote]] = defaultdict(list)
    adjustments: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for note in Footnote.objects.filter(period=period, post_id__in=post_ids):
        footnotes[note.post_id].append(note)
        if note.scope == FootnoteScope.LINES and note.budget_adjustment is not None:
            adjustments[(note.post_id, note.marker)] += note.budget_adjustment
    reported_sub: dict[int, dict[str, Decimal]] = defaultdict(dict)
    reported_post: dict[int, dict[str, ReportedFigure]] = defaultdict(dict)
    for figure in ReportedFigure.objects.filter(period=period, post_id__in=post_ids):
        if figure.subpost_id:
            reported_sub[figure.subpost_id][figure.measure] = figure.value
        else:
            reported_post[figure.post_id][figure.measure] = figure
    result = {}
    for post_id in post_ids:
        figures = []
        for subpost in subposts[post_id]:
            if not lines[subpost.pk]:
                continue
            figures.append(
                SubPostFigures(
                    subpost=subpost,
                    lines=[
                        LineFigures(
                            line=line,
                            budget_adjustment=sum(
                                (
                                    adjustments[(post_id, m)]
                                    for m in _markers(line.budget_footnotes)
                                ),
                                ZERO,
                            )
                            if line.budget_footnotes
                            else None,
                        )
                        for line in lines[subpost.pk]
                    ],
                    reported=reported_sub[subpost.pk],
                )
            )
        result[post_id] = Attachment(
            subposts=figures, footnotes=footnotes[post_id], reported=reported_post[post_id]
        )
    return result


def _markers(text: str) -> list[str]:
    """'*' -> ['*']; '* **' -> ['*', '**']."""
    return text.split()


# --- Dispositions (attachments 3 and 4) -------------------------------------------------


@dataclass
class PartFigures:
    part: DispositionPart
    transfers_in: list[DispositionTransfer] = field(default_factory=list)
    transfers_out: list[DispositionTransfer] = field(default_factory=list)
    commentary: list[Commentary] = field(default_factory=list)

    @property
    def computed_budget(self) -> Decimal:
        """Original budget plus what was moved in, minus what was moved out."""
        return (
            self.part.original_budget
            + sum((t.amount for t in self.transfers_in), ZERO)
            - sum((t.amount for t in self.transfers_out), ZERO)
        )

    @property
    def undisposed(self) -> Decimal:
        return self.part.budget - self.part.disposed

    @property
    def unbooked(self) -> Decimal | None:
        if self.part.booked is None:
            return None
        return self.part.budget - self.part.booked


@dataclass
class Disposition:
    parts: list[PartFigures]
    reported: dict[str, Decimal]

    def _sum(self, values) -> Decimal:
        return sum(values, ZERO)

    @property
    def budget(self) -> Decimal:
        return self._sum(p.part.budget for p in self.parts)

    @property
    def disposed(self) -> Decimal:
        return self._sum(p.part.disposed for p in self.parts)

    @property
    def undisposed(self) -> Decimal:
        return self.budget - self.disposed

    @property
    def booked(self) -> Decimal | None:
        if any(p.part.booked is None for p in self.parts):
            return None
        return self._sum(p.part.booked for p in self.parts)


def post_disposition(*, period: ReportingPeriod, post: Post) -> Disposition:
    """The parts of a post with their transfers and commentary. Four queries."""
    return post_dispositions(period=period, post_ids=[post.pk])[post.pk]


def post_dispositions(*, period: ReportingPeriod, post_ids: list[int]) -> dict[int, Disposition]:
    """Dispositions of several posts at once, by post id. Four queries."""
    parts = {
        p.pk: PartFigures(part=p)
        for p in DispositionPart.objects.filter(period=period, post_id__in=post_ids).order_by(
            "position"
        )
    }
    for transfer in DispositionTransfer.objects.filter(period=period, post_id__in=post_ids):
        if transfer.to_part_id in parts:
            parts[transfer.to_part_id].transfers_in.append(transfer)
        if transfer.from_part_id in parts:
            parts[transfer.from_part_id].transfers_out.append(transfer)
    for note in Commentary.objects.filter(
        period=period, post_id__in=post_ids, part__isnull=False
    ).order_by("position"):
        parts[note.part_id].commentary.append(note)
    reported: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for figure in ReportedFigure.objects.filter(
        period=period,
        post_id__in=post_ids,
        measure__in=[
            Measure.PARTS_BUDGET,
            Measure.PARTS_DISPOSED,
            Measure.PARTS_UNDISPOSED,
            Measure.PARTS_BOOKED,
        ],
    ):
        reported[figure.post_id][figure.measure] = figure.value
    by_post: dict[int, list[PartFigures]] = defaultdict(list)
    for part_figures in parts.values():
        by_post[part_figures.part.post_id].append(part_figures)
    return {
        post_id: Disposition(parts=by_post[post_id], reported=reported[post_id])
        for post_id in post_ids
    }


# --- Statistics (attachment 2) ---------------------------------------------------------


@dataclass
class StatisticTableFigures:
    table: str
    label: str
    columns: list[str]
    rows: list[tuple[str, str, list[int | None]]]
    footnote_markers: set[str]

    def column_counts(self, column: str) -> list[int]:
        index = self.columns.index(column)
        return [
            values[index]
            for _label, role, values in self.rows
            if role == StatisticRole.COUNT and values[index] is not None
        ]

    def computed(self, role: str, column: str) -> int | None:
        index = self.columns.index(column)
        if role == StatisticRole.TOTAL:
            return sum(self.column_counts(column))
        if role == StatisticRole.REMAINDER:
            bases = [v[index] for _l, r, v in self.rows if r == StatisticRole.BASE and v[index]]
            if not bases:
                return None
            return sum(bases) - sum(self.column_counts(column))
        return None


def grant_statistics(*, period: ReportingPeriod) -> list[StatisticTableFigures]:
    """Attachment 2 as tables of rows and columns, in the report's order. One query."""
    labels = dict(StatisticTable.choices)
    cells: dict[str, list[GrantStatistic]] = defaultdict(list)
    for cell in GrantStatistic.objects.filter(period=period).order_by("position"):
        cells[cell.table].append(cell)
    tables = []
    for table in StatisticTable.values:
        if not cells[table]:
            continue
        columns: list[str] = []
        rows: dict[str, tuple[str, dict[str, int]]] = {}
        markers: set[str] = set()
        for cell in cells[table]:
            if cell.column_label not in columns:
                columns.append(cell.column_label)
            rows.setdefault(cell.row_label, (cell.role, {}))[1][cell.column_label] = cell.count
            markers.update(_markers(cell.footnotes))
        tables.append(
            StatisticTableFigures(
                table=table,
                label=str(labels[table]),
                columns=columns,
                rows=[
                    (label, role, [values.get(c) for c in columns])
                    for label, (role, values) in rows.items()
                ],
                footnote_markers=markers,
            )
        )
    return tables


# --- Pages -----------------------------------------------------------------------------


@dataclass
class PostDetail:
    figures: PostFigures
    attachment: Attachment
    disposition: Disposition
    authorisation: Authorisation | None
    commentary: list[Commentary]
    statistics: list[StatisticTableFigures]
    reported: dict[str, Decimal]

    @property
    def authorisation_remaining(self) -> Decimal | None:
        if self.authorisation is None:
            return None
        return self.authorisation.limit - self.authorisation.charged


def post_detail(*, period: ReportingPeriod, post: Post) -> PostDetail:
    """Everything the post page shows. A fixed number of queries (see the page's test)."""
    figures = post_figures(period=period, posts=[post])[0]
    attachment = subpost_attachment(period=period, post=post)
    return PostDetail(
        figures=figures,
        attachment=attachment,
        disposition=post_disposition(period=period, post=post),
        authorisation=Authorisation.objects.filter(period=period, post=post).first(),
        commentary=list(
            Commentary.objects.filter(period=period, post=post, part__isnull=True).order_by(
                "position"
            )
        ),
        statistics=grant_statistics(period=period) if attachment.subposts else [],
        reported={m: f.value for m, f in attachment.reported.items()},
    )


# --- Controls --------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """A figure the report states that does not match what the system computes."""

    where: str
    reported: Decimal
    computed: Decimal
    post: str = ""
    key: str = ""

    @property
    def difference(self) -> Decimal:
        return self.reported - self.computed

    def as_dict(self) -> dict:
        return {
            "where": self.where,
            "reported": int(self.reported),
            "computed": int(self.computed),
            "difference": int(self.difference),
        }


class _Collector:
    def __init__(self):
        self.found: list[Control] = []

    def check(self, *, where: str, reported, computed, post: str = "", key: str = "") -> None:
        if reported is None or computed is None:
            return
        reported, computed = Decimal(reported), Decimal(computed)
        if reported != computed:
            self.found.append(
                Control(where=where, reported=reported, computed=computed, post=post, key=key)
            )


def _post_label(post: Post) -> str:
    return _("Chapter %(chapter)s post %(post)s") % {
        "chapter": post.chapter.number,
        "post": post.number,
    }


def period_controls(*, period: ReportingPeriod) -> list[Control]:
    """Every place in the period where a stated total, product or remainder differs from
    the computed one, and where two parts of the report that must agree do not."""
    collector = _Collector()
    posts = list(
        Post.objects.select_related("chapter").filter(
            chapter__agency_id=period.budget_year.agency_id
        )
    )
    figures = {f.post.pk: f for f in post_figures(period=period, posts=posts)}
    reported: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for figure in ReportedFigure.objects.filter(period=period, subpost__isnull=True):
        reported[figure.post_id][figure.measure] = figure.value
    with_lines = set(
        SubPostLine.objects.filter(period=period).values_list("subpost__post_id", flat=True)
    )
    with_parts = set(
        DispositionPart.objects.filter(period=period).values_list("post_id", flat=True)
    )
    attachments = subpost_attachments(period=period, post_ids=sorted(with_lines))
    dispositions = post_dispositions(period=period, post_ids=sorted(with_parts))
    for post in posts:
        label = _post_label(post)
        _post_total_controls(collector, post, figures[post.pk], reported[post.pk], label)
        if post.pk in with_lines:
            _attachment_controls(
                collector, attachments[post.pk], post, figures[post.pk], reported[post.pk], label
            )
        if post.pk in with_parts:
            _disposition_controls(collector, dispositions[post.pk], post, figures[post.pk], label)
    _authorisation_controls(collector, period=period)
    _statistics_controls(collector, period=period)
    return collector.found


def _post_total_controls(collector, post, pf, stated, label) -> None:
    measure_labels = dict(Measure.choices)
    computed = {
        Measure.SUM_APPROPRIATION: pf.sum_appropriation,
        Measure.REFUNDS: pf.refunds,
        Measure.SALARY_TOTAL: pf.salary_total,
        Measure.ACCOUNTS_TOTAL: pf.accounts_total,
        Measure.REMAINING: pf.remaining,
    }
    for measure, value in computed.items():
        collector.check(
            where=f"{label}: {measure_labels[measure]}",
            reported=stated.get(measure),
            computed=value,
            post=post.code,
            key=measure,
        )


def _authorisation_controls(collector, *, period: ReportingPeriod) -> None:
    for authorisation in Authorisation.objects.filter(period=period).select_related(
        "post__chapter"
    ):
        collector.check(
            where=_("%(post)s: authorisation from %(by)s, remaining")
            % {"post": _post_label(authorisation.post), "by": authorisation.granted_by},
            reported=authorisation.remaining,
            computed=authorisation.limit - authorisation.charged,
            post=authorisation.post.code,
            key="authorisation_remaining",
        )


def _statistics_controls(collector, *, period: ReportingPeriod) -> None:
    """The totals and remainders of attachment 2's tables against their own rows."""
    for table in grant_statistics(period=period):
        for row_label, role, values in table.rows:
            if role not in (StatisticRole.TOTAL, StatisticRole.REMAINDER):
                continue
            for column, value in zip(table.columns, values, strict=True):
                collector.check(
                    where=_("Attachment 2, %(table)s, %(row)s (%(column)s)")
                    % {"table": table.label, "row": row_label, "column": column},
                    reported=value,
                    computed=table.computed(role, column),
                    key=f"statistics:{table.table}:{row_label}:{column}",
                )


def _attachment_controls(collector, attachment, post, pf, stated, label) -> None:
    for sf in attachment.subposts:
        code = sf.subpost.code
        _line_controls(collector, sf, post, label)
        where = _("%(post)s, sum %(code)s") % {"post": label, "code": code}
        for measure, computed, what in (
            (Measure.SUBPOST_PERSONS, sf.persons, _("persons")),
            (Measure.SUBPOST_AMOUNT, sf.amount, _("amount")),
            (Measure.SUBPOST_BUDGET, sf.budget if sf.budget_is_itemised else None, _("budget")),
            (Measure.SUBPOST_REST, sf.rest, _("rest (budget - amount)")),
        ):
            collector.check(
                where=f"{where}: {what}",
                reported=sf.reported.get(measure),
                computed=computed,
                post=post.code,
                key=f"{code}:sum:{measure}",
            )
    measure_labels = dict(Measure.choices)
    for measure, computed in (
        (Measure.LINES_AMOUNT, attachment.amount),
        (Measure.LINES_BUDGET, attachment.budget),
        (Measure.LINES_REST, attachment.rest),
    ):
        collector.check(
            where=f"{label}: {measure_labels[measure]}",
            reported=stated.get(measure),
            computed=computed,
            post=post.code,
            key=measure,
        )
    collector.check(
        where=_("%(post)s: attachment lines in total against the accounts") % {"post": label},
        reported=attachment.amount,
        computed=pf.accounts_total,
        post=post.code,
        key="lines_vs_accounts",
    )
    collector.check(
        where=_("%(post)s: attachment budgets in total against the appropriation")
        % {"post": label},
        reported=attachment.budget,
        computed=pf.sum_appropriation,
        post=post.code,
        key="lines_vs_appropriation",
    )


def _line_controls(collector, sf, post, label) -> None:
    """Each line of a sub-post in attachment 1: amount, budget and rest against their parts."""
    code = sf.subpost.code
    for lf in sf.lines:
        line = lf.line
        where = f"{label}, {code} {line.label}"
        collector.check(
            where=_("%(where)s: amount (persons x rate)") % {"where": where},
            reported=line.amount,
            computed=lf.computed_amount,
            post=post.code,
            key=f"{code}:{line.label}:amount",
        )
        collector.check(
            where=_("%(where)s: budget (persons x rate and footnotes)") % {"where": where},
            reported=line.budget_amount,
            computed=lf.computed_budget,
            post=post.code,
            key=f"{code}:{line.label}:budget",
        )
        if line.rest is not None:
            collector.check(
                where=_("%(where)s: rest (budget - amount)") % {"where": where},
                reported=line.rest,
                computed=lf.computed_rest,
                post=post.code,
                key=f"{code}:{line.label}:rest",
            )


def _disposition_controls(collector, disposition, post, pf, label) -> None:
    for part_figures in disposition.parts:
        part = part_figures.part
        where = _("%(post)s, part %(part)s") % {"post": label, "part": part.code}
        collector.check(
            where=_("%(where)s: budget (original budget and transfers)") % {"where": where},
            reported=part.budget,
            computed=part_figures.computed_budget,
            post=post.code,
            key=f"part:{part.code}:budget",
        )
        collector.check(
            where=_("%(where)s: undisposed (budget - disposed)") % {"where": where},
            reported=part.undisposed,
            computed=part_figures.undisposed,
            post=post.code,
            key=f"part:{part.code}:undisposed",
        )
    measure_labels = dict(Measure.choices)
    for measure, computed in (
        (Measure.PARTS_BUDGET, disposition.budget),
        (Measure.PARTS_DISPOSED, disposition.disposed),
        (Measure.PARTS_UNDISPOSED, disposition.undisposed),
        (Measure.PARTS_BOOKED, disposition.booked),
    ):
        collector.check(
            where=f"{label}: {measure_labels[measure]}",
            reported=disposition.reported.get(measure),
            computed=computed,
            post=post.code,
            key=measure,
        )
    collector.check(
        where=_("%(post)s: parts' budgets in total against the appropriation") % {"post": label},
        reported=disposition.budget,
        computed=pf.sum_appropriation,
        post=post.code,
        key="parts_vs_appropriation",
    )
    collector.check(
        where=_("%(post)s: parts booked in total against the accounts") % {"post": label},
        reported=disposition.booked,
        computed=pf.accounts_total,
        post=post.code,
        key="parts_vs_accounts",
    )


def year_controls(*, year: int, agency_code: str | None = None) -> list[Control]:
    """The control list of every reporting period of a budget year."""
    periods = ReportingPeriod.objects.select_related("budget_year__agency").filter(
        budget_year__year=year
    )
    if agency_code:
        periods = periods.filter(budget_year__agency__code=agency_code)
    found = []
    for period in periods.order_by("end"):
        for control in period_controls(period=period):
            found.append(
                Control(
                    where=f"{period.slug}: {control.where}",
                    reported=control.reported,
                    computed=control.computed,
                    post=control.post,
                    key=control.key,
                )
            )
    return found


def export_queryset(*, table: str, period: ReportingPeriod) -> QuerySet:
    """The rows an export of the period shows: its year's allocations or its own accounts
    or lines, of its agency's posts only."""
    from budget.resources import RESOURCES

    queryset = RESOURCES[table]().get_queryset()
    prefix = "subpost__post__chapter" if table == "lines" else "post__chapter"
    queryset = queryset.filter(**{f"{prefix}__agency_id": period.budget_year.agency_id})
    if table == "allocations":
        return queryset.filter(budget_year=period.budget_year)
    return queryset.filter(period=period)


def chapter_detail(*, period: ReportingPeriod, chapter: Chapter) -> ChapterFigures:
    """A chapter's posts with their figures. Four queries."""
    posts = list(Post.objects.select_related("chapter").filter(chapter=chapter))
    return ChapterFigures(chapter=chapter, posts=post_figures(period=period, posts=posts))


def execution_chart(*, overview: Overview, posts: list[PostFigures] | None = None) -> Chart | None:
    """Accounts as a share of the appropriation per expense post (default: all of the
    overview's) against the share of the year elapsed. The budget page, the overview and the
    report all draw this one chart."""
    if posts is None:
        posts = [p for c in overview.expense_chapters for p in c.posts]
    posts = [p for p in posts if p.share_spent is not None]
    if not posts:
        return None
    ahead = [p.post.code for p in posts if p.share_spent > overview.elapsed]
    description = _(
        "Accounts as a share of the appropriation for each expense post at %(end)s, next to "
        "the share of the year elapsed (%(linear)s). Posts above the linear line: %(posts)s."
    ) % {
        "end": format_date(overview.period.end),
        "linear": format_percent(overview.elapsed),
        "posts": ", ".join(ahead) or _("none"),
    }
    return bar_chart(
        title=_("Budget execution by post"),
        description=description,
        categories=[p.post.code for p in posts],
        series=[
            Series(_("Share spent (%)"), [p.share_spent * 100 for p in posts]),
            Series(_("Share of the year elapsed (%)"), [overview.elapsed * 100 for _p in posts]),
        ],
        format_value=lambda value: format_percent(value / 100, 0),
    )
