"""Reads that compose the goals, budget and settlement apps into the context of a report.

Every figure the report prints comes from here or from the apps' selectors; the templates
only format. The number of queries is fixed whatever the number of requirements, rows or
posts (pinned in tests/imdi_reporting/reports/test_queries.py).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget.choices import (
    AllocationKind,
    ChapterKind,
    FootnoteScope,
    StatisticRole,
    StatisticTable,
)
from budget.models import Authorisation, Commentary, Footnote, Post, ReportedFigure
from budget.selectors import (
    PostFigures,
    budget_overview,
    execution_chart,
    grant_statistics,
    post_disposition,
    share,
    subpost_attachment,
)
from goals.charts import Series, line_chart, numbered_charts
from goals.choices import STATUS_BADGE, PeriodState
from goals.formatting import format_int
from goals.models import (
    Activity,
    CoverLetter,
    Deliverable,
    Indicator,
    IndicatorValue,
    MainGoal,
    OrganisationalUnit,
    OtherReportingAnswer,
    OtherReportingTopic,
    PeriodReport,
    PriorityArea,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingAnswer,
    SpecialReportingRequirement,
    StatisticalTable,
    StatusUpdate,
)
from imdi_reporting.models import FrozenReport
from imdi_reporting.reports.queue import queued_freezes
from settlement import selectors as settlement

PARTS = ("full", "form", "accounts")

ALLOCATION_LABELS = {
    AllocationKind.ALLOCATION_LETTER: gettext_lazy("Allocation letter"),
    AllocationKind.CARRIED_OVER: gettext_lazy("Carried over from %(year)s"),
    AllocationKind.RNB: gettext_lazy("Revised national budget (RNB)"),
    AllocationKind.REALLOCATION: gettext_lazy("Reallocation"),
    AllocationKind.SUPPLEMENTARY_LETTER: gettext_lazy("Supplementary allocation letter"),
}


# --- Small pieces -------------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph or a bullet list of a stored text."""

    kind: str  # "p" or "ul"
    lines: list[str]


def blocks(text: str) -> list[Block]:
    """Stored prose to paragraphs and lists: blank lines part paragraphs, "- " starts an
    item, and other line breaks inside a paragraph are kept."""
    result: list[Block] = []
    for chunk in (text or "").strip().split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            result.append(Block("ul", [line.lstrip()[2:].strip() for line in lines]))
        else:
            result.append(Block("p", lines))
    return result


@dataclass
class Table:
    """A statistical table with its computed total column, and a sum row only when the table
    declares that its rows do not overlap."""

    title: str
    columns: list[str]
    rows: list[tuple[str, int, list[int]]]
    totals: list[int]
    grand_total: int
    rows_summable: bool = False

    @property
    def has_sum_row(self) -> bool:
        return self.rows_summable and len(self.rows) > 1

    @property
    def has_total_column(self) -> bool:
        return len(self.columns) > 1


def statistical_table(table: StatisticalTable) -> Table:
    rows = []
    for row in table.rows.all():
        values = [int(v) for v in row.values]
        rows.append((row.label, sum(values), values))
    totals = [sum(r[2][i] for r in rows) for i in range(len(table.columns))]
    return Table(table.title, list(table.columns), rows, totals, sum(totals), table.rows_summable)


def table_shares(table: Table) -> list[tuple[str, int, list[tuple[int, Decimal | None]]]]:
    return [
        (label, total, [(v, share(Decimal(v), Decimal(total))) for v in values])
        for label, total, values in table.rows
    ]


# --- Parts I-V ----------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """An indicator with its target, direction and the values of the year's periods up to
    the report's; progress is the latest value's share of the target."""

    indicator: Indicator
    values: list[IndicatorValue]

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[-1] if self.values else None

    @property
    def progress(self) -> Decimal | None:
        target = self.indicator.target
        if self.latest is None or not target:
            return None
        return share(self.latest.value, target)

    @property
    def places(self) -> int:
        numbers = [v.value for v in self.values] + [self.indicator.target]
        whole = all(n is None or n == n.to_integral_value() for n in numbers)
        return 0 if whole else 1


@dataclass
class DeliverableRow:
    """A deliverable with its due date and the date it was met, judged at the report's end:
    met, met late, overdue or not yet due."""

    deliverable: Deliverable
    state: str

    @property
    def state_label(self) -> str:
        return str(DELIVERABLE_STATES[self.state])


DELIVERABLE_STATES = {
    "met": gettext_lazy("Met"),
    "late": gettext_lazy("Met after the due date"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("Not yet due"),
}


def deliverable_row(deliverable: Deliverable, end) -> DeliverableRow:
    met_on = deliverable.met_on if deliverable.met_on and deliverable.met_on <= end else None
    if met_on is not None:
        state = "met" if met_on <= deliverable.due else "late"
    else:
        state = "overdue" if deliverable.due < end else "open"
    return DeliverableRow(deliverable, state)


@dataclass
class RequirementSection:
    requirement: ResultRequirement
    narrative: RequirementNarrative | None
    specials: list[tuple[SpecialReportingRequirement, SpecialReportingAnswer | None]]
    tables: list[Table]
    settlement: "SettlementFigures | None" = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    deliverables: list[DeliverableRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"krav-{self.requirement.code}"


@dataclass
class GoalSection:
    goal: MainGoal
    requirements: list[RequirementSection]
    specials: list[tuple[SpecialReportingRequirement, SpecialReportingAnswer | None, list[Table]]]

    @property
    def anchor(self) -> str:
        return f"mal-{self.goal.code}"


@dataclass
class FormRow:
    activity: Activity
    update: StatusUpdate | None
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def badge(self) -> str:
        return STATUS_BADGE.get(self.update.status, "neutral") if self.update else "neutral"

    @property
    def status_label(self) -> str:
        return self.update.get_status_display() if self.update else ""


@dataclass
class FormCell:
    """A cell of the form's first column (a requirement, a priority item, a special
    reporting requirement or an other-reporting topic) with the rows under it."""

    code: str
    heading: str
    texts: list[str]
    unit: str
    special_texts: list[str] = field(default_factory=list)
    rows: list[FormRow] = field(default_factory=list)


@dataclass
class FormGroup:
    title: str
    cells: list[FormCell]

    @property
    def row_count(self) -> int:
        return sum(len(c.rows) for c in self.cells)


# --- Settlement (beside R1-1) -----------------------------------------------------------


@dataclass
class SettlementFigures:
    figures: dict
    within: dict
    chart: object
    months: list[dict]

    @property
    def forecast_difference(self) -> int | None:
        forecast = self.figures["forecast"]
        return None if forecast is None else self.figures["settled"] - forecast

    @property
    def over_limit_share(self) -> Decimal | None:
        return share(
            Decimal(self.figures["waiting_over_limit"]),
            Decimal(self.figures["ready_in_reception"] or 0),
        )


def settlement_figures(*, period: ReportingPeriod) -> SettlementFigures:
    start, end = period.start, period.end
    agency = period.budget_year.agency
    months = settlement.settled_by_month(agency=agency, start=start, end=end)
    forecast = settlement.forecast_at(agencies=[agency], at=end)[agency.pk]
    settlement.forecast_path(months=months, forecast=forecast, year_start=start)
    labels = [f"{m['month']:%m.%Y}" for m in months]
    chart = line_chart(
        title=_("Settled in total against the forecast, by month"),
        description=_(
            "Settled persons, cumulative from %(start)s, and the forecast spread evenly "
            "over the months up to its cut-off date."
        )
        % {"start": f"{start:%d.%m.%Y}"},
        categories=labels,
        series=[
            Series(_("Settled (cumulative)"), [m["cumulative"] for m in months]),
            Series(_("Forecast"), [m.get("forecast") for m in months]),
        ],
        format_value=format_int,
    )
    return SettlementFigures(
        figures=settlement.report_figures(agencies=[agency], start=start, end=end)[agency.pk],
        within=settlement.settled_within_limit(agency=agency, start=start, end=end),
        chart=chart,
        months=months,
    )


# --- Part VI ------------------------------------------------------------------------------


@dataclass
class PostSection:
    figures: PostFigures
    commentary: list[Commentary]
    authorisation: Authorisation | None = None
    parts: object = None
    year: int = 0
    stated: dict[str, Decimal] = field(default_factory=dict)

    @property
    def post(self) -> Post:
        return self.figures.post

    @property
    def anchor(self) -> str:
        return f"post-{self.post.chapter.number}-{self.post.number}"

    @property
    def allocation_lines(self) -> list[tuple[str, Decimal]]:
        previous = {"year": self.year - 1}
        # The allocation letter first, then what changed it, as the report lists them.
        entries = sorted(
            self.figures.allocations, key=lambda a: a.kind != AllocationKind.ALLOCATION_LETTER
        )
        return [
            (
                str(ALLOCATION_LABELS.get(a.kind, a.kind)).replace(
                    "%(year)s", str(previous["year"])
                ),
                a.amount,
            )
            for a in entries
        ]

    @property
    def has_table(self) -> bool:
        return self.figures.sum_appropriation is not None and self.figures.has_accounts

    @property
    def has_salary(self) -> bool:
        return "salary" in self.figures.accounts

    @property
    def income(self) -> Decimal | None:
        return self.figures.accounts.get("income") if self.figures.is_income else None

    @property
    def authorisation_remaining(self) -> Decimal | None:
        if self.authorisation is None:
            return None
        return self.authorisation.limit - self.authorisation.charged


@dataclass
class ChapterSection:
    chapter: object
    posts: list[PostSection]
    other: bool

    @property
    def anchor(self) -> str:
        return f"kapittel-{self.chapter.number}"


@dataclass
class Accounts:
    overview: object
    chapters: list[ChapterSection]
    attachment: object
    attachment_post: Post | None
    line_footnotes: list[Footnote]
    statistics: list
    statistics_footnotes: list[Footnote]
    dispositions: list[tuple[Post, object, list[Commentary]]]
    chart: object

    @property
    def own_chapters(self) -> list[ChapterSection]:
        return [c for c in self.chapters if not c.other]

    @property
    def other_chapters(self) -> list[ChapterSection]:
        return [c for c in self.chapters if c.other]


STATISTIC_LABELS = {
    StatisticTable.YEAR1_CURRENT: (gettext_lazy("Year 1 grant for %(year)s"), 0),
    StatisticTable.YEAR1_PREVIOUS: (gettext_lazy("Year 1 grant for %(year)s"), 1),
    StatisticTable.YEARS2TO5_CURRENT: (gettext_lazy("Years 2-5 grant for %(year)s"), 0),
    StatisticTable.YEARS2TO5_PREVIOUS: (gettext_lazy("Years 2-5 grant for %(year)s"), 1),
    StatisticTable.ELDERLY: (gettext_lazy("Elderly grant"), 0),
    StatisticTable.DISABILITY: (gettext_lazy("Disability grant"), 0),
}


def statistics_label(table: str, year: int) -> str:
    label, back = STATISTIC_LABELS.get(table, (table, 0))
    return str(label).replace("%(year)s", str(year - back))


def statistics_rows(table) -> list[tuple[str, str, list[tuple[int | None, int | None]]]]:
    """Attachment 2's rows as (computed, stated) per column: sums and remainders are
    computed; where the report stated another figure, that figure comes along."""
    rows = []
    for label, role, values in table.rows:
        if role in (StatisticRole.TOTAL, StatisticRole.REMAINDER):
            cells = []
            for column, stated in zip(table.columns, values, strict=True):
                computed = table.computed(role, column)
                cells.append((computed, stated if stated != computed else None))
        else:
            cells = [(value, None) for value in values]
        rows.append((label, role, cells))
    return rows


def lines_rest(subpost) -> Decimal:
    """A sub-post's rest as the sum of its lines' rests (budget - amount on each line that
    has a rest); lines paid without a budget line of their own (term payments) have none.
    Where no line has a rest, the sub-post's budget minus its amount."""
    rests = [lf.computed_rest for lf in subpost.lines if lf.line.rest is not None]
    return sum(rests, Decimal(0)) if rests else subpost.rest


def accounts_context(*, period: ReportingPeriod) -> Accounts:
    overview = budget_overview(period=period)
    commentary: dict[int, list[Commentary]] = defaultdict(list)
    part_commentary: dict[int, list[Commentary]] = defaultdict(list)
    for note in Commentary.objects.filter(period=period).order_by("post", "position"):
        (part_commentary if note.part_id else commentary)[note.post_id].append(note)
    subpost_posts = set(
        Post.objects.filter(subposts__lines__period=period).values_list("pk", flat=True)
    )
    part_posts = list(
        Post.objects.filter(parts__period=period)
        .select_related("chapter")
        .distinct()
        .order_by("chapter__number", "number")
    )
    chapters = _chapter_sections(
        period=period,
        overview=overview,
        commentary=commentary,
        own_posts=subpost_posts | {post.pk for post in part_posts},
    )
    attachment_post = (
        Post.objects.select_related("chapter").filter(pk__in=subpost_posts).order_by("pk").first()
    )
    attachment = (
        subpost_attachment(period=period, post=attachment_post) if attachment_post else None
    )
    footnotes = list(Footnote.objects.filter(period=period).order_by("post", "scope", "position"))
    dispositions = [
        (post, post_disposition(period=period, post=post), part_commentary[post.pk])
        for post in part_posts
    ]
    for section in (p for c in chapters for p in c.posts):
        for post, disposition, _notes in dispositions:
            if post.pk == section.post.pk:
                section.parts = disposition
    # A post gets an attachment of its own when its parts are also booked one by one.
    dispositions = [d for d in dispositions if d[1].booked is not None]
    chart = execution_chart(overview=overview)
    return Accounts(
        overview=overview,
        chapters=chapters,
        attachment=attachment,
        attachment_post=attachment_post,
        line_footnotes=[f for f in footnotes if f.scope == FootnoteScope.LINES],
        statistics=[
            (statistics_label(t.table, period.budget_year.year), t, statistics_rows(t))
            for t in grant_statistics(period=period)
        ],
        statistics_footnotes=[f for f in footnotes if f.scope == FootnoteScope.STATISTICS],
        dispositions=dispositions,
        chart=chart,
    )


# --- The whole report ---------------------------------------------------------------------


@dataclass
class Report:
    period: ReportingPeriod
    part: str
    unit: OrganisationalUnit | None
    texts: PeriodReport | None = None
    letter: CoverLetter | None = None
    priority_area: PriorityArea | None = None
    goals: list[GoalSection] = field(default_factory=list)
    other: list[tuple[OtherReportingTopic, OtherReportingAnswer | None]] = field(
        default_factory=list
    )
    form: list[FormGroup] = field(default_factory=list)
    accounts: Accounts | None = None

    @property
    def agency(self):
        return self.period.budget_year.agency

    @property
    def agency_name(self) -> str:
        return self.agency.name

    @property
    def is_draft(self) -> bool:
        return self.period.state == PeriodState.OPEN

    @property
    def title(self) -> str:
        if self.texts and self.texts.front_page_title:
            return self.texts.front_page_title
        return _("Report %(start)s-%(end)s") % {
            "start": f"{self.period.start:%d.%m.%Y}",
            "end": f"{self.period.end:%d.%m.%Y}",
        }

    @property
    def form_row_count(self) -> int:
        return sum(g.row_count for g in self.form)


def _chapter_sections(
    *,
    period: ReportingPeriod,
    overview,
    commentary: dict[int, list[Commentary]],
    own_posts: set[int],
) -> list[ChapterSection]:
    """Part VI's chapters with the posts that have something to show, the agency's own
    first. An expense chapter is the agency's own when it bears the agency's name or holds
    a post with an attachment; an income chapter when it is credited to one of those."""
    authorisations = {a.post_id: a for a in Authorisation.objects.filter(period=period)}
    stated: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for figure in ReportedFigure.objects.filter(period=period, subpost__isnull=True):
        stated[figure.post_id][figure.measure] = figure.value
    own_expense = {
        c.chapter.pk
        for c in overview.expense_chapters
        if c.chapter.name == period.budget_year.agency.name
        or any(p.post.pk in own_posts for p in c.posts)
    }
    own_expense_posts = {
        p.post.pk for c in overview.chapters if c.chapter.pk in own_expense for p in c.posts
    }
    chapters = []
    for chapter_figures in overview.chapters:
        chapter = chapter_figures.chapter
        if chapter.kind == ChapterKind.EXPENSE:
            other = chapter.pk not in own_expense
        else:
            other = not any(
                p.post.credited_against_id in own_expense_posts for p in chapter_figures.posts
            )
        posts = [
            PostSection(
                figures=pf,
                commentary=commentary[pf.post.pk],
                authorisation=authorisations.get(pf.post.pk),
                year=period.budget_year.year,
                stated=stated[pf.post.pk],
            )
            for pf in chapter_figures.posts
            if commentary[pf.post.pk] or pf.has_accounts or pf.post.pk in authorisations
        ]
        if posts:
            chapters.append(ChapterSection(chapter=chapter, posts=posts, other=other))
    chapters.sort(key=lambda c: (c.other, c.chapter.number))
    return chapters


def indicator_rows(*, period: ReportingPeriod) -> list[IndicatorRow]:
    """The year's indicators with their values in its periods up to this one's end. Two
    queries."""
    values = IndicatorValue.objects.filter(
        period__budget_year_id=period.budget_year_id, period__end__lte=period.end
    ).order_by("period__end", "period__start")
    indicators = Indicator.objects.filter(budget_year_id=period.budget_year_id).prefetch_related(
        Prefetch("values", queryset=values.select_related("period"))
    )
    return [IndicatorRow(i, list(i.values.all())) for i in indicators]


def _requirement_of(indicator: Indicator, specials: dict[int, int | None]) -> int | None:
    if indicator.requirement_id:
        return indicator.requirement_id
    return specials.get(indicator.special_id) if indicator.special_id else None


def _unit_code(unit, agency) -> str:
    return unit.code if unit is not None else agency.code


def _form(
    period: ReportingPeriod, goals: list[MainGoal], unit, indicators: list[IndicatorRow]
) -> list[FormGroup]:
    budget_year = period.budget_year
    by_activity: dict[int, list[IndicatorRow]] = defaultdict(list)
    for row in indicators:
        if row.indicator.activity_id:
            by_activity[row.indicator.activity_id].append(row)
    agency = budget_year.agency
    updates = {u.activity_id: u for u in StatusUpdate.objects.filter(period=period)}
    specials_by_requirement: dict[int, list[SpecialReportingRequirement]] = defaultdict(list)
    for goal in goals:
        for requirement in goal.requirements.all():
            specials_by_requirement[requirement.pk] = list(requirement.special_reporting.all())
    activities = Activity.objects.filter(budget_year=budget_year).select_related(
        "requirement__main_goal",
        "requirement__responsible_unit",
        "priority_item__area__responsible_unit",
        "special__main_goal",
        "special__responsible_unit",
        "other_topic__responsible_unit",
    )
    goal_titles = {g.pk: g for g in goals}
    groups: dict[str, FormGroup] = {}
    cells: dict[tuple[str, int], FormCell] = {}
    for activity in activities:
        group_key, title, cell_key, make = _form_place(
            activity,
            agency=agency,
            year=budget_year.year,
            goal_titles=goal_titles,
            specials=specials_by_requirement,
        )
        cell = cells.get(cell_key)
        if cell is None:
            cell = cells[cell_key] = make()
            if unit is not None and cell.unit != unit.code:
                continue
            groups.setdefault(group_key, FormGroup(title=title, cells=[])).cells.append(cell)
        cell.rows.append(
            FormRow(
                activity=activity,
                update=updates.get(activity.pk),
                indicators=by_activity[activity.pk],
            )
        )
    return [g for g in groups.values() if g.row_count]


def _form_place(
    activity: Activity,
    *,
    agency,
    year: int,
    goal_titles: dict[int, MainGoal],
    specials: dict[int, list[SpecialReportingRequirement]],
) -> tuple[str, str, tuple[str, int], Callable[[], FormCell]]:
    """Where an activity goes in the form: its group's key and title, the key of its cell
    (activities of the same requirement, item, special or topic share one), and how to
    make that cell the first time it is needed."""
    if activity.priority_item_id:
        item = activity.priority_item
        title = _("Priority area %(year)s") % {"year": year}
        return (
            "priority",
            f"{title}: {item.area.title}",
            ("priority", item.pk),
            lambda: FormCell(
                code=f"{item.letter})",
                heading=item.text,
                texts=[],
                unit=_unit_code(item.area.responsible_unit, agency),
            ),
        )
    if activity.requirement_id:
        return _requirement_place(activity.requirement, goal_titles=goal_titles, specials=specials)
    if activity.special_id:
        return _special_place(activity.special, agency=agency)
    topic = activity.other_topic
    return (
        "other",
        _("Other reporting"),
        ("other", topic.pk),
        lambda: FormCell(
            code="",
            heading=topic.title,
            texts=[topic.text] if topic.text else [],
            unit=_unit_code(topic.responsible_unit, agency),
        ),
    )


def _requirement_place(
    requirement: ResultRequirement,
    *,
    goal_titles: dict[int, MainGoal],
    specials: dict[int, list[SpecialReportingRequirement]],
) -> tuple[str, str, tuple[str, int], Callable[[], FormCell]]:
    goal = goal_titles.get(requirement.main_goal_id, requirement.main_goal)
    return (
        f"goal-{goal.pk}",
        f"{goal.code}: {goal.title}",
        ("requirement", requirement.pk),
        lambda: FormCell(
            code=requirement.code,
            heading=requirement.text,
            texts=[],
            special_texts=[s.text for s in specials.get(requirement.pk, [])],
            unit=requirement.responsible_unit.code,
        ),
    )


def _special_place(
    special: SpecialReportingRequirement, *, agency
) -> tuple[str, str, tuple[str, int], Callable[[], FormCell]]:
    goal = special.main_goal
    return (
        f"goal-{goal.pk}",
        f"{goal.code}: {goal.title}",
        ("special", special.pk),
        lambda: FormCell(
            code=special.code,
            heading=_("Special reporting for %(goal)s without a link to a requirement")
            % {"goal": special.main_goal.code},
            texts=[special.text],
            unit=_unit_code(special.responsible_unit, agency),
        ),
    )


def _full_parts(*, report: Report, goals: list[MainGoal], indicators: list[IndicatorRow]) -> None:
    """Parts I-IV of the full report: the letter, the priority area, the requirements with
    their narratives, special reporting, tables, settlement figures, indicators and
    deliverables, and other reporting."""
    period = report.period
    budget_year = period.budget_year
    report.letter = (
        CoverLetter.objects.filter(period=period).prefetch_related("signatories").first()
    )
    report.priority_area = (
        PriorityArea.objects.filter(budget_year=budget_year)
        .select_related("responsible_unit")
        .prefetch_related("items")
        .first()
    )
    # The settlement figures go with the requirement the budget year names for them,
    # and only for an agency with the settlement module.
    figures_under = budget_year.settlement_requirement_id
    if not budget_year.agency.has_settlement:
        figures_under = None
    report.goals = _goal_sections(
        period=period,
        goals=goals,
        indicators=_indicators_by_requirement(goals=goals, indicators=indicators),
        figures_under=figures_under,
        figures=settlement_figures(period=period) if figures_under else None,
    )
    other_answers = {a.topic_id: a for a in OtherReportingAnswer.objects.filter(period=period)}
    report.other = [
        (topic, other_answers.get(topic.pk))
        for topic in OtherReportingTopic.objects.filter(budget_year=budget_year)
        if topic.pk in other_answers
    ]


def _tables_by_owner(*, period: ReportingPeriod) -> dict[tuple[str, int], list[Table]]:
    tables_by: dict[tuple[str, int], list[Table]] = defaultdict(list)
    for table in StatisticalTable.objects.filter(period=period).prefetch_related("rows"):
        key = (
            ("requirement", table.requirement_id)
            if table.requirement_id
            else ("special", table.special_id)
        )
        tables_by[key].append(statistical_table(table))
    return tables_by


def _indicators_by_requirement(
    *, goals: list[MainGoal], indicators: list[IndicatorRow]
) -> dict[int, list[IndicatorRow]]:
    special_owner = {
        s.pk: s.requirement_id
        for goal in goals
        for r in goal.requirements.all()
        for s in r.special_reporting.all()
    }
    indicators_by: dict[int, list[IndicatorRow]] = defaultdict(list)
    for row in indicators:
        owner = _requirement_of(row.indicator, special_owner)
        if owner is not None:
            indicators_by[owner].append(row)
    return indicators_by


def _goal_sections(
    *,
    period: ReportingPeriod,
    goals: list[MainGoal],
    indicators: dict[int, list[IndicatorRow]],
    figures_under: int | None,
    figures,
) -> list[GoalSection]:
    narratives = {n.requirement_id: n for n in RequirementNarrative.objects.filter(period=period)}
    answers = {a.special_id: a for a in SpecialReportingAnswer.objects.filter(period=period)}
    tables_by = _tables_by_owner(period=period)
    sections = []
    for goal in goals:
        requirements = [
            RequirementSection(
                requirement=requirement,
                narrative=narratives.get(requirement.pk),
                specials=[(s, answers.get(s.pk)) for s in requirement.special_reporting.all()],
                tables=tables_by[("requirement", requirement.pk)],
                settlement=figures if requirement.pk == figures_under else None,
                indicators=indicators[requirement.pk],
                deliverables=[
                    deliverable_row(d, period.end) for d in requirement.deliverables.all()
                ],
            )
            for requirement in goal.requirements.all()
        ]
        sections.append(
            GoalSection(
                goal=goal,
                requirements=requirements,
                specials=[
                    (s, answers.get(s.pk), tables_by[("special", s.pk)])
                    for s in goal.own_special_reporting
                ],
            )
        )
    return sections


def report_context(
    *, period: ReportingPeriod, part: str = "full", unit: OrganisationalUnit | None = None
) -> Report:
    """Everything the report of a period shows. part is full, form or accounts; a unit
    limits the form to that unit's rows."""
    with numbered_charts("report"):
        return _report_context(period=period, part=part, unit=unit)


def _report_context(
    *, period: ReportingPeriod, part: str, unit: OrganisationalUnit | None
) -> Report:
    budget_year = period.budget_year
    report = Report(period=period, part=part, unit=unit)
    report.texts = PeriodReport.objects.filter(period=period).first()
    goals = list(
        MainGoal.objects.filter(budget_year=budget_year).prefetch_related(
            Prefetch(
                "requirements",
                queryset=ResultRequirement.objects.select_related(
                    "responsible_unit"
                ).prefetch_related(
                    Prefetch(
                        "special_reporting",
                        queryset=SpecialReportingRequirement.objects.order_by("position"),
                    ),
                    "deliverables",
                ),
            ),
            Prefetch(
                "special_reporting",
                queryset=SpecialReportingRequirement.objects.filter(
                    requirement__isnull=True
                ).order_by("position"),
                to_attr="own_special_reporting",
            ),
        )
    )
    indicators = indicator_rows(period=period) if part in ("full", "form") else []
    if part in ("full", "form"):
        report.form = _form(period, goals, unit, indicators)
    if part == "full":
        _full_parts(report=report, goals=goals, indicators=indicators)
    if part in ("full", "accounts"):
        report.accounts = accounts_context(period=period)
    return report


# --- The stored PDFs of submitted periods -------------------------------------------------


@dataclass
class StoredState:
    """Whether the PDF of a part of a submitted period's current submission is stored yet."""

    part: str
    version: int | None
    # A freeze task waits for the worker; otherwise the copy is made at the first download.
    queued: bool = False

    @property
    def stored(self) -> bool:
        return self.version is not None

    @property
    def preparing(self) -> bool:
        return not self.stored and self.queued


def stored_states(*, periods: list[ReportingPeriod]) -> dict[int, list[StoredState]]:
    """Per submitted period, each part's stored version, or None while none is stored, and
    whether a freeze is queued. One query and one cache read."""
    submitted = [p for p in periods if p.state != PeriodState.OPEN and p.submitted_at]
    stored: dict[tuple[int, str], int] = {}
    for period_id, part, version, submitted_at in FrozenReport.objects.filter(
        period__in=submitted
    ).values_list("period_id", "part", "version", "submitted_at"):
        period = next(p for p in submitted if p.pk == period_id)
        if submitted_at == period.submitted_at:
            stored[(period_id, part)] = version
    queued = queued_freezes(periods=submitted)
    return {
        p.pk: [StoredState(part, stored.get((p.pk, part)), p.pk in queued) for part in PARTS]
        for p in submitted
    }


@dataclass
class IndexRow:
    period: ReportingPeriod
    states: dict[str, StoredState]

    @property
    def preparing(self) -> bool:
        return any(s.preparing for s in self.states.values())


def index_rows(*, periods: list[ReportingPeriod]) -> list[IndexRow]:
    """The reports page: each period with, once submitted, how far its stored PDFs are."""
    states = stored_states(periods=periods)
    return [IndexRow(period, {s.part: s for s in states.get(period.pk, [])}) for period in periods]
