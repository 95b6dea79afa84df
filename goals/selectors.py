import calendar
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from goals.charts import Chart, Series, line_chart
from goals.choices import (
    STATUS_BADGE,
    WORKFLOW_BADGE,
    IndicatorDirection,
    PeriodKind,
    PeriodState,
    Status,
    WorkflowState,
)
from goals.formatting import format_decimal
from goals.models import (
    Activity,
    BudgetYear,
    CacheGeneration,
    ChangeRecord,
    CoverLetter,
    Deliverable,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    OrganisationalUnit,
    OtherReportingAnswer,
    OtherReportingTopic,
    PeriodEvent,
    PeriodReport,
    PriorityArea,
    PriorityItem,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingAnswer,
    SpecialReportingRequirement,
    StatisticalTable,
    StatusUpdate,
    UserProfile,
    parse_period_slug,
)
from goals.paging import paged
from goals.structure import may_edit, responsible_unit_of

# Seconds a cached roll-up is kept at most; a write retires it at once (bump_generation).
ROLLUP_TIMEOUT = 3600
MISSING = object()


def cached_rollup(*, agency_id: int, key: tuple, compute: Callable[[], Any]) -> Any:
    """compute() cached under the agency's current generation, the key and the language
    (roll-ups carry translated labels). One query for the generation; without a generation
    row (an agency never written since the cache came) nothing is cached."""
    token = (
        CacheGeneration.objects.filter(agency_id=agency_id).values_list("token", flat=True).first()
    )
    if token is None:
        return compute()
    name = ":".join(["rollup", str(agency_id), token, get_language() or "", *map(str, key)])
    value = cache.get(name, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(name, value, ROLLUP_TIMEOUT)
    return value


def user_profile(*, user: AbstractBaseUser | AnonymousUser) -> UserProfile | None:
    """The user's profile with its ministry, agency and unit, fetched once per request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_profile_cache"):
        user._profile_cache = (
            UserProfile.objects.select_related("ministry", "agency", "unit")
            .filter(user=user)
            .first()
        )
    return user._profile_cache


def periods_visible_to(
    *, user: AbstractBaseUser | AnonymousUser, drafts: bool = False
) -> QuerySet[ReportingPeriod]:
    """Periods the user may read: ministry readers see submitted periods only. With
    drafts=True the open periods are left in whatever the user's permission; the caller
    then answers for them (see readable_periods)."""
    periods = ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
    if not user.is_authenticated:
        return periods.none()
    if not drafts and not user.has_perm("goals.view_draft_period"):
        periods = periods.exclude(state=PeriodState.OPEN)
    profile = user_profile(user=user)
    if user.is_superuser or profile is None:
        return periods if user.is_superuser else periods.none()
    if profile.agency_id is not None:
        return periods.filter(budget_year__agency_id=profile.agency_id)
    return periods.filter(budget_year__agency__ministry_id=profile.ministry_id)


def periods_by_slug(
    *,
    slug: str,
    user: AbstractBaseUser | AnonymousUser,
    agency_code: str | None = None,
    drafts: bool = False,
) -> QuerySet[ReportingPeriod]:
    """The readable periods a slug may mean: one for a full address, several for a short
    one ('2006-H1') when the user may read several agencies that share the year."""
    parsed = parse_period_slug(slug)
    if parsed is None:
        return ReportingPeriod.objects.none()
    periods = periods_visible_to(user=user, drafts=drafts).filter(
        budget_year__year=parsed.year, kind=parsed.kind
    )
    agency_code = parsed.agency or agency_code
    if agency_code:
        periods = periods.filter(budget_year__agency__code=agency_code)
    return periods.order_by("budget_year__agency__code")


def choose_period(periods: list[ReportingPeriod], chosen: str | None) -> ReportingPeriod | None:
    """The period a chooser's value names among ``periods``: its full address, or the
    short form when only one of them has it; None when nothing matches."""
    if not chosen:
        return None
    exact = [p for p in periods if p.slug == chosen]
    short = [p for p in periods if p.short_slug == chosen]
    if exact:
        return exact[0]
    return short[0] if len(short) == 1 else None


def readable_periods(
    *, slug: str, user: AbstractBaseUser | AnonymousUser, agency_code: str | None = None
) -> list[ReportingPeriod]:
    """periods_by_slug, read with the open periods; those are left out afterwards if the
    user may not read drafts. So the permission is asked only when an open period matched,
    and a submitted report (its stored PDF is the most requested address) costs no
    permission query."""
    matches = list(periods_by_slug(slug=slug, user=user, agency_code=agency_code, drafts=True))
    if any(p.state == PeriodState.OPEN for p in matches) and not user.has_perm(
        "goals.view_draft_period"
    ):
        return [p for p in matches if p.state != PeriodState.OPEN]
    return matches


def get_period(
    *, slug: str, user: AbstractBaseUser | AnonymousUser, agency_code: str | None = None
) -> ReportingPeriod | None:
    """The period this address names that the user may read, or None.

    A short address ('2006-H1', the links of earlier versions) still works while it is
    unambiguous for this user; when several readable agencies share it, it names none
    and the caller offers the choice (see ``periods_by_slug``).
    """
    matches = readable_periods(slug=slug, user=user, agency_code=agency_code)
    return matches[0] if len(matches) == 1 else None


# --- Export: the loaded content in the fixture format (docs: fixtures/goals/*.yaml) ----------


def _number(value: Decimal | None) -> int | str | None:
    """Whole numbers as YAML integers; others as exact decimal text ("6.1"), not floats."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else str(value.normalize())


def _unit_code(unit, agency) -> str:
    return unit.code if unit is not None else agency.code


def export_letter(*, budget_year: BudgetYear) -> dict[str, Any]:
    """The allocation letter as loaded, in the structure of letter_<year>.yaml."""
    agency = budget_year.agency
    data: dict[str, Any] = {"agency": agency.code, "year": budget_year.year}
    if budget_year.settlement_requirement_id is not None:
        data["settlement_requirement"] = budget_year.settlement_requirement.code
    area = (
        PriorityArea.objects.filter(budget_year=budget_year)
        .select_related("responsible_unit")
        .prefetch_related("items")
        .first()
    )
    if area is not None:
        data["priority_area"] = {
            "title": area.title,
            "responsible": _unit_code(area.responsible_unit, agency),
            "items": [{"letter": i.letter, "text": i.text} for i in area.items.all()],
        }
    data["main_goals"] = _export_main_goals(budget_year=budget_year)
    data["other_reporting"] = [
        {
            "code": t.code,
            "title": t.title,
            "text": t.text,
            **({"responsible_unit": t.responsible_unit.code} if t.responsible_unit else {}),
        }
        for t in OtherReportingTopic.objects.filter(budget_year=budget_year).select_related(
            "responsible_unit"
        )
    ]
    return data


def _export_main_goals(*, budget_year: BudgetYear) -> list[dict]:
    """The main goals with their requirements and the special reporting under each."""
    specials = list(
        SpecialReportingRequirement.objects.filter(budget_year=budget_year).select_related(
            "responsible_unit"
        )
    )
    goals = MainGoal.objects.filter(budget_year=budget_year).prefetch_related(
        Prefetch(
            "requirements",
            queryset=ResultRequirement.objects.select_related("responsible_unit").prefetch_related(
                "deliverables"
            ),
        )
    )
    return [
        {
            "code": goal.code,
            "title": goal.title,
            "requirements": [
                {
                    "code": r.code,
                    "text": r.text,
                    "responsible_unit": r.responsible_unit.code,
                    "deliverables": [_export_deliverable(d) for d in r.deliverables.all()],
                    "special_reporting": _special_rows(specials, requirement=r.pk),
                }
                for r in goal.requirements.all()
            ],
            "special_reporting": _special_rows(specials, main_goal=goal.pk, requirement=None),
        }
        for goal in goals
    ]


def _export_deliverable(deliverable: Deliverable) -> dict:
    return {
        "due": deliverable.due,
        "title": deliverable.title,
        **({"met_on": deliverable.met_on} if deliverable.met_on else {}),
    }


def _special_rows(specials: list[SpecialReportingRequirement], **match) -> list[dict]:
    """The special reporting whose foreign keys have the given ids (None: no parent)."""
    rows = []
    for s in specials:
        if all(getattr(s, f"{k}_id") == v for k, v in match.items()):
            row = {"code": s.code, "text": s.text}
            if s.responsible_unit is not None:
                row["responsible_unit"] = s.responsible_unit.code
            rows.append(row)
    return rows


def export_report(*, period: ReportingPeriod) -> dict[str, Any]:
    """A period's report texts, in the structure of report_<period>.yaml."""
    data: dict[str, Any] = {"agency": period.budget_year.agency.code, "period": period.short_slug}
    report = PeriodReport.objects.filter(period=period).first()
    if report is not None:
        data["front_page"] = {
            "title": report.front_page_title,
            "heading": report.front_page_heading,
            "introduction": report.front_page_introduction,
        }
        data["reading_guide"] = report.reading_guide
        data["reading_guide_place_date"] = report.reading_guide_place_date
        data["reading_guide_signature"] = {
            "name": report.reading_guide_signatory_name,
            "title": report.reading_guide_signatory_title,
        }
    letter = CoverLetter.objects.filter(period=period).prefetch_related("signatories").first()
    if letter is not None:
        data["cover_letter"] = {
            "their_reference": letter.their_reference,
            "our_reference": letter.our_reference,
            "date": letter.date,
            "title": letter.title,
            "body": letter.body,
            "closing": letter.closing,
            "signatories": [{"name": s.name, "title": s.title} for s in letter.signatories.all()],
            "attachments": list(letter.attachments),
            "case_officers": letter.case_officers,
        }
    if report is not None:
        data["priority_area_narrative"] = report.priority_area_narrative
    data["requirement_narratives"] = {
        n.requirement.code: {
            "measures_done": n.measures_done,
            "status": n.status,
            "next_priorities": n.next_priorities,
        }
        for n in RequirementNarrative.objects.filter(period=period)
        .select_related("requirement__main_goal")
        .order_by("requirement__main_goal__position", "requirement__position")
    }
    data["special_reporting_answers"] = {
        a.special.code: a.text
        for a in SpecialReportingAnswer.objects.filter(period=period)
        .select_related("special")
        .order_by("special__position")
    }
    data["other_reporting_answers"] = {
        a.topic.code: a.text
        for a in OtherReportingAnswer.objects.filter(period=period)
        .select_related("topic")
        .order_by("topic__position")
    }
    if report is not None:
        data["resource_priorities"] = report.resource_priorities
    return data


_PARENTS = ("requirement", "priority_item", "special", "other_topic")


def export_form(*, period: ReportingPeriod) -> dict[str, Any]:
    """The period's reporting form, indicators and tables, as in form_<period>.yaml."""
    budget_year = period.budget_year
    rows = _export_form_rows(period=period)
    indicators = [
        _export_indicator(indicator)
        for indicator in Indicator.objects.filter(budget_year=budget_year)
        .select_related(*_PARENTS, "activity")
        .prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.select_related(
                    "period__budget_year__agency"
                ).order_by("period__end", "period__start"),
            )
        )
    ]
    tables = _export_tables(period=period)
    return {
        "agency": budget_year.agency.code,
        "period": period.short_slug,
        "form_rows": rows,
        "indicators": indicators,
        "tables": tables,
    }


def _export_form_rows(*, period: ReportingPeriod) -> list[dict]:
    """Every activity of the year with its status update in the period, if any."""
    budget_year = period.budget_year
    updates = {
        u.activity_id: u
        for u in StatusUpdate.objects.filter(period=period, activity__budget_year=budget_year)
    }
    rows = []
    for activity in Activity.objects.filter(budget_year=budget_year).select_related(*_PARENTS):
        update = updates.get(activity.pk)
        rows.append(
            {
                "parent": activity.parent_key,
                "activity": activity.activity,
                "indicator": activity.indicator_text,
                "status": update.status if update else None,
                "attainment": update.attainment if update else "",
                "measures": update.measures_planned if update else "",
            }
        )
    return rows


def _export_indicator(indicator: Indicator) -> dict[str, Any]:
    """One indicator with its values, which are expected prefetched in period order."""
    item: dict[str, Any] = {"code": indicator.code, "parent": indicator.parent_key}
    if indicator.activity is not None:
        item["activity"] = indicator.activity.activity
    item.update(
        {
            "name": indicator.name,
            "unit": indicator.unit,
            "target": _number(indicator.target),
            "target_date": indicator.target_date,
            "direction": indicator.direction,
            "baseline": indicator.baseline_text or _number(indicator.baseline),
            "values": [
                {
                    "period": v.period.short_slug,
                    "value": _number(v.value),
                    "measured_on": v.measured_on,
                }
                for v in indicator.values.all()
            ],
            "note": indicator.note,
        }
    )
    return item


def _export_tables(*, period: ReportingPeriod) -> list[dict]:
    return [
        {
            "code": t.code,
            "parent": t.parent_key,
            "title": t.title,
            "columns": list(t.columns),
            **({"rows_summable": True} if t.rows_summable else {}),
            "rows": [{"label": r.label, "values": list(r.values)} for r in t.rows.all()],
        }
        for t in StatisticalTable.objects.filter(period=period)
        .select_related(*_PARENTS)
        .prefetch_related("rows")
    ]


# --- Pages ------------------------------------------------------------------------------------

# Worst first: a requirement shows the most serious status among its activities.
_STATUS_SEVERITY = [Status.DEVIATION, Status.NOT_STARTED, Status.ON_TRACK, Status.ACHIEVED]


@dataclass
class StatusBadge:
    value: str
    label: str
    css: str


def status_badge(value: str | None) -> StatusBadge | None:
    if not value:
        return None
    return StatusBadge(value, Status(value).label, STATUS_BADGE[Status(value)])


def workflow_badge(value: str | None) -> StatusBadge | None:
    if not value:
        return None
    return StatusBadge(value, WorkflowState(value).label, WORKFLOW_BADGE[WorkflowState(value)])


@dataclass
class RequirementRow:
    requirement: ResultRequirement
    activities: int = 0
    answered: int = 0
    approved: int = 0
    worst: StatusBadge | None = None


def _requirement_id(activity_requirement_id, special_requirement_id):
    return activity_requirement_id or special_requirement_id


def requirement_progress(
    *, period: ReportingPeriod, requirements: list[ResultRequirement]
) -> dict[int, RequirementRow]:
    """Per requirement: how many form rows it has, how many are answered and approved in the
    period, and the most serious status. Two queries whatever the size."""
    rows = {r.pk: RequirementRow(r) for r in requirements}
    ids = list(rows)
    # Query 1: the year's activities under the requirements or their special reporting.
    under = Q(requirement_id__in=ids) | Q(special__requirement_id__in=ids)
    activities = Activity.objects.filter(under, budget_year_id=period.budget_year_id).values_list(
        "pk", "requirement_id", "special__requirement_id"
    )
    owner = {}
    for pk, req_id, special_req_id in activities:
        req = _requirement_id(req_id, special_req_id)
        if req in rows:
            owner[pk] = req
            rows[req].activities += 1
    # Query 2: the period's updates of those activities.
    worst: dict[int, int] = {}
    updates = StatusUpdate.objects.filter(
        Q(activity__requirement_id__in=ids) | Q(activity__special__requirement_id__in=ids),
        period=period,
    )
    for activity_id, status, state in updates.values_list("activity_id", "status", "state"):
        req = owner.get(activity_id)
        if req is None:
            continue
        rows[req].answered += 1
        rows[req].approved += state == WorkflowState.APPROVED
        rank = _STATUS_SEVERITY.index(status)
        worst[req] = min(worst.get(req, rank), rank)
    for req, rank in worst.items():
        rows[req].worst = status_badge(_STATUS_SEVERITY[rank])
    return rows


def requirements_for(*, budget_year_id: int, unit_id: int | None = None) -> list:
    requirements = ResultRequirement.objects.filter(
        main_goal__budget_year_id=budget_year_id
    ).select_related("main_goal", "responsible_unit")
    if unit_id is not None:
        requirements = requirements.filter(responsible_unit_id=unit_id)
    return list(requirements.order_by("main_goal__position", "position", "code"))


def requirement_list(*, period: ReportingPeriod) -> list[dict]:
    """Main goals with their requirements and progress in the period (3 queries)."""
    requirements = requirements_for(budget_year_id=period.budget_year_id)
    return _by_goal(requirements, requirement_progress(period=period, requirements=requirements))


def requirement_list_page(*, period: ReportingPeriod, query: QueryDict) -> dict:
    """One page of requirement_list (query's ?side=N), grouped by main goal, with its pager:
    4 queries whatever the number of requirements (the count, the page's requirements with
    goal and unit, their activities and their updates in the period)."""
    requirements = (
        ResultRequirement.objects.filter(main_goal__budget_year_id=period.budget_year_id)
        .select_related("main_goal", "responsible_unit")
        .order_by("main_goal__position", "position", "code", "pk")
    )
    pager = paged(requirements, query=query)
    shown = list(pager.page.object_list)
    return {
        "groups": _by_goal(shown, requirement_progress(period=period, requirements=shown)),
        "pager": pager,
    }


def _by_goal(requirements: list[ResultRequirement], progress: dict) -> list[dict]:
    groups: dict[int, dict] = {}
    for requirement in requirements:
        goal = requirement.main_goal
        group = groups.setdefault(goal.pk, {"goal": goal, "rows": []})
        group["rows"].append(progress[requirement.pk])
    return list(groups.values())


def previous_period(
    *, period: ReportingPeriod, user: AbstractBaseUser | AnonymousUser
) -> ReportingPeriod | None:
    """The agency's period that ended last before this one ends (2006 -> 2006-H1), among
    those the user may read: a ministry reader's "previous period" is never a draft."""
    return (
        periods_visible_to(user=user)
        .filter(budget_year__agency_id=period.budget_year.agency_id, end__lt=period.end)
        .order_by("-end", "start")
        .first()
    )


def visible_values(
    *, period: ReportingPeriod, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[IndicatorValue]:
    """Indicator values up to this period's end, of the periods the user may read only
    (a subquery, so the prefetch that uses it costs no extra query)."""
    return (
        IndicatorValue.objects.filter(
            period__end__lte=period.end,
            period__in=periods_visible_to(user=user).values("pk"),
        )
        .select_related("period__budget_year__agency")
        .order_by("period__end")
    )


@dataclass
class FormRow:
    activity: Activity
    update: StatusUpdate | None
    previous: StatusUpdate | None

    @property
    def status(self) -> StatusBadge | None:
        return status_badge(self.update.status if self.update else None)

    @property
    def state(self) -> StatusBadge | None:
        return workflow_badge(self.update.state if self.update else None)


def form_rows(
    *,
    period: ReportingPeriod,
    previous: ReportingPeriod | None,
    activities: QuerySet[Activity],
) -> list[FormRow]:
    """Activities with this period's and the previous period's update (2 queries)."""
    activities = list(activities.select_related(*_PARENTS).order_by("position"))
    ids = [a.pk for a in activities]
    periods = [period.pk] + ([previous.pk] if previous else [])
    updates = {
        (u.activity_id, u.period_id): u
        for u in StatusUpdate.objects.filter(
            activity_id__in=ids, period_id__in=periods
        ).select_related("updated_by")
    }
    return [
        FormRow(
            a,
            updates.get((a.pk, period.pk)),
            updates.get((a.pk, previous.pk)) if previous else None,
        )
        for a in activities
    ]


def activities_of_requirement(*, requirement: ResultRequirement) -> QuerySet[Activity]:
    return Activity.objects.filter(Q(requirement=requirement) | Q(special__requirement=requirement))


@dataclass
class TableView:
    table: StatisticalTable
    columns: list[str]
    rows: list[dict]
    totals: list[dict]
    grand_total: int
    across: bool

    @property
    def has_sum_row(self) -> bool:
        return self.table.rows_summable and len(self.rows) > 1


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)) if whole else None


def table_view(table: StatisticalTable) -> TableView:
    """Totals and shares of a statistical table, computed from the stored counts.

    With several columns a cell's share is of its row total (women of all with the right
    and duty); with one column it is of the column total (women of all interpreters)."""
    stored = list(table.rows.all())
    totals = [sum(row.values[i] for row in stored) for i in range(len(table.columns))]
    across = len(table.columns) > 1
    rows = []
    for row in stored:
        total = sum(row.values)
        rows.append(
            {
                "label": row.label,
                "cells": [
                    {"value": v, "share": _share(v, total if across else totals[i])}
                    for i, v in enumerate(row.values)
                ],
                "total": total,
            }
        )
    grand = sum(totals)
    return TableView(
        table=table,
        columns=list(table.columns),
        rows=rows,
        totals=[{"value": t, "share": _share(t, grand) if across else None} for t in totals],
        grand_total=grand,
        across=across,
    )


def requirement_detail(
    *, period: ReportingPeriod, code: str, user: AbstractBaseUser | AnonymousUser
) -> dict | None:
    """Everything the requirement page shows, in a fixed number of queries."""
    requirement = (
        ResultRequirement.objects.filter(main_goal__budget_year_id=period.budget_year_id, code=code)
        .select_related("main_goal", "responsible_unit")
        .prefetch_related("deliverables")
        .first()
    )  # queries 1-2
    if requirement is None:
        return None
    specials = _special_answers(period=period, requirement=requirement)  # queries 3-4
    previous = previous_period(period=period, user=user)  # query 5
    rows = form_rows(
        period=period,
        previous=previous,
        activities=activities_of_requirement(requirement=requirement),
    )  # queries 6-7
    figures = _requirement_figures(period=period, requirement=requirement, user=user)  # 8-11
    texts = _requirement_texts(period=period, requirement=requirement)  # queries 12-15
    warnings = consistency_warnings(period=period, requirements=[requirement])  # queries 16-19
    return {
        "requirement": requirement,
        "warnings": warnings,
        "specials": specials,
        "previous": previous,
        "rows": rows,
        **figures,
        **texts,
    }


def _special_answers(*, period: ReportingPeriod, requirement: ResultRequirement) -> list[dict]:
    """The requirement's special reporting, each with its answer in the period (2 queries)."""
    specials = (
        SpecialReportingRequirement.objects.filter(requirement=requirement)
        .select_related("responsible_unit")
        .prefetch_related(
            Prefetch("answers", queryset=SpecialReportingAnswer.objects.filter(period=period))
        )
    )
    return [{"special": s, "answer": next(iter(s.answers.all()), None)} for s in specials]


def _requirement_figures(
    *,
    period: ReportingPeriod,
    requirement: ResultRequirement,
    user: AbstractBaseUser | AnonymousUser,
) -> dict:
    """The indicators, with the values the user may read, and the period's tables (4 queries)."""
    parent_filter = Q(requirement=requirement) | Q(special__requirement=requirement)
    indicators = list(
        Indicator.objects.filter(parent_filter)
        .select_related("activity")
        .prefetch_related(Prefetch("values", queryset=visible_values(period=period, user=user)))
    )
    tables = [
        table_view(t)
        for t in StatisticalTable.objects.filter(parent_filter, period=period).prefetch_related(
            "rows"
        )
    ]
    return {"indicators": with_history_charts(indicators), "tables": tables}


def _requirement_texts(*, period: ReportingPeriod, requirement: ResultRequirement) -> dict:
    """The narrative, the comments with their replies and the history (4 queries)."""
    narrative = (
        RequirementNarrative.objects.filter(requirement=requirement, period=period)
        .select_related("updated_by")
        .first()
    )
    feedback = list(
        Feedback.objects.filter(requirement=requirement, period=period, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=Feedback.objects.select_related("author")))
    )
    # The period's changes and those of the year's rows (texts, targets) it reports on.
    history = list(
        ChangeRecord.objects.filter(
            Q(period=period) | Q(period__isnull=True), requirement=requirement
        ).select_related("changed_by")[:200]
    )
    return {"narrative": narrative, "feedback": feedback, "history": history}


def may_change_reporting(
    *,
    user: AbstractBaseUser | AnonymousUser,
    period: ReportingPeriod,
    unit: OrganisationalUnit | None,
    permission: str,
) -> bool:
    """Whether a page offers its edit controls; the services check the same again on save."""
    return (
        not period.is_locked
        and user.has_perm(permission)
        and may_edit(user=user, unit=unit, agency=period.budget_year.agency)
    )


def activity_at(*, period: ReportingPeriod, position: int) -> Activity | None:
    """The form row at this position in the period's year, with what finds its unit."""
    return (
        Activity.objects.filter(budget_year_id=period.budget_year_id, position=position)
        .select_related(
            "requirement__responsible_unit",
            "special__responsible_unit",
            "special__requirement__responsible_unit",
            "priority_item__area__responsible_unit",
            "other_topic__responsible_unit",
        )
        .first()
    )


def requirement_in(*, period: ReportingPeriod, code: str) -> ResultRequirement | None:
    return ResultRequirement.objects.filter(
        main_goal__budget_year_id=period.budget_year_id, code=code
    ).first()


def feedback_on(
    *, pk: int, requirement: ResultRequirement, period: ReportingPeriod
) -> Feedback | None:
    return Feedback.objects.filter(pk=pk, requirement=requirement, period=period).first()


def deliverable_in(*, period: ReportingPeriod, code: str, pk: int) -> Deliverable | None:
    """A deliverable of the requirement with this code in the period's year."""
    return Deliverable.objects.filter(
        pk=pk,
        requirement__code=code,
        requirement__main_goal__budget_year_id=period.budget_year_id,
    ).first()


def update_of(*, activity: Activity, period: ReportingPeriod) -> StatusUpdate | None:
    return StatusUpdate.objects.filter(activity=activity, period=period).first()


def update_in(*, period: ReportingPeriod, pk: str | None) -> StatusUpdate | None:
    """The period's update with this id, as the approval form posts it."""
    return StatusUpdate.objects.filter(pk=pk, period=period).first()


def status_update_page(
    *, period: ReportingPeriod, activity: Activity, user: AbstractBaseUser | AnonymousUser
) -> dict:
    """The status update form of one row: its update in this period and the previous one."""
    update = (
        StatusUpdate.objects.filter(activity=activity, period=period)
        .select_related("updated_by")
        .first()
    )
    before = previous_period(period=period, user=user)
    previous = (
        StatusUpdate.objects.filter(activity=activity, period=before).first() if before else None
    )
    unit = responsible_unit_of(parent=activity.parent)
    return {
        "period": period,
        "activity": activity,
        "unit": unit,
        "update": update,
        "previous": previous,
        "previous_period": before,
        "may_edit": may_change_reporting(
            user=user, period=period, unit=unit, permission="goals.change_statusupdate"
        ),
        "status_badge": status_badge(update.status if update else None),
        "state_badge": workflow_badge(update.state if update else None),
    }


def narrative_page(
    *, period: ReportingPeriod, code: str, user: AbstractBaseUser | AnonymousUser
) -> dict | None:
    """The narrative form of a requirement in the period; None for an unknown code."""
    requirement = (
        ResultRequirement.objects.filter(main_goal__budget_year_id=period.budget_year_id, code=code)
        .select_related("responsible_unit", "main_goal")
        .first()
    )
    if requirement is None:
        return None
    narrative = (
        RequirementNarrative.objects.filter(requirement=requirement, period=period)
        .select_related("updated_by")
        .first()
    )
    return {
        "period": period,
        "requirement": requirement,
        "narrative": narrative,
        "may_edit": may_change_reporting(
            user=user,
            period=period,
            unit=requirement.responsible_unit,
            permission="goals.change_requirementnarrative",
        ),
    }


@dataclass
class UnitProgress:
    unit: OrganisationalUnit | None
    activities: int = 0
    counts: dict = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.activities - sum(self.counts.values())


def approval_overview(*, period: ReportingPeriod) -> dict:
    """Per responsible unit, how far its form rows have come; the updates waiting, each as
    a card with requirement, unit, author, time and the change since its last version; the
    period's event log and the changes of the period itself."""
    activities = list(
        Activity.objects.filter(budget_year_id=period.budget_year_id).select_related(
            "requirement__responsible_unit",
            "special__responsible_unit",
            "special__requirement__responsible_unit",
            "other_topic__responsible_unit",
            "priority_item__area__responsible_unit",
        )
    )  # query 1

    unit_of = {a.pk: responsible_unit_of(parent=a.parent) for a in activities}
    by_pk = {a.pk: a for a in activities}
    progress: dict = {}
    for activity in activities:
        unit = unit_of[activity.pk]
        key = unit.code if unit else ""
        progress.setdefault(key, UnitProgress(unit)).activities += 1
    updates = list(
        StatusUpdate.objects.filter(period=period)
        .select_related("updated_by")
        .order_by("activity__position")
    )  # query 2
    waiting = []
    for update in updates:
        update.activity = by_pk[update.activity_id]
        unit = unit_of.get(update.activity_id)
        entry = progress.setdefault(unit.code if unit else "", UnitProgress(unit))
        entry.counts[update.state] = entry.counts.get(update.state, 0) + 1
        if update.state == WorkflowState.READY:
            waiting.append(update)
    units = [
        {
            "unit": p.unit,
            "activities": p.activities,
            "missing": p.missing,
            "states": [
                {"badge": workflow_badge(state), "count": p.counts.get(state, 0)}
                for state in WorkflowState.values
            ],
        }
        for _key, p in sorted(progress.items())
    ]
    events = list(
        PeriodEvent.objects.filter(period=period).select_related("actor")[:EVENTS_SHOWN]
    )  # query 3
    unapproved = sum(1 for u in updates if u.state != WorkflowState.APPROVED)
    return {
        "units": units,
        "waiting": approval_cards(updates=waiting, unit_of=unit_of),  # query 4
        "events": events,
        "period_changes": period_changes(period=period),  # query 5
        "unapproved": unapproved,
    }


# The event log on the approval page: the latest entries (the admin lists them all).
EVENTS_SHOWN = 200


def approval_cards(*, updates: list[StatusUpdate], unit_of: dict) -> list[dict]:
    """Each waiting update with what the approver needs: requirement, unit, author, time,
    and its text against the previous version as a word diff (one query for all)."""
    previous: dict[int, str] = {}
    if updates:
        content_type = ContentType.objects.get_for_model(StatusUpdate)  # cached
        records = ChangeRecord.objects.filter(
            content_type=content_type,
            object_id__in=[u.pk for u in updates],
            field="attainment",
        ).order_by("object_id", "-changed_at", "-pk")
        for object_id, old in records.values_list("object_id", "old"):
            previous.setdefault(object_id, old)
    cards = []
    for update in updates:
        parent = update.activity.parent
        old = previous.get(update.pk)
        cards.append(
            {
                "update": update,
                "parent_code": getattr(parent, "code", None) or getattr(parent, "letter", ""),
                "unit": unit_of.get(update.activity_id),
                "diff": word_diff(old=old or "", new=update.attainment)
                if old is not None
                else None,
            }
        )
    return cards


def word_diff(*, old: str, new: str) -> list[dict]:
    """The words of ``new`` against ``old``: runs of kept, inserted and deleted words, to
    be rendered (escaped) by the template as text, <ins> and <del>."""
    old_words, new_words = old.split(), new.split()
    runs = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append({"kind": "same", "text": " ".join(new_words[b1:b2])})
            continue
        if a2 > a1:
            runs.append({"kind": "deleted", "text": " ".join(old_words[a1:a2])})
        if b2 > b1:
            runs.append({"kind": "inserted", "text": " ".join(new_words[b1:b2])})
    return runs


# How many changes a page lists (the admin lists them all, read-only).
CHANGES_SHOWN = 200


def changes_shown_on(*, anchor: str, period: ReportingPeriod | None = None) -> list[ChangeRecord]:
    """The changes a page lists (budget post, settlement), newest first, in one query: those
    of the period and of rows of no period; for a submitted period only those made up to
    its submission, which is what its pages show."""
    records = ChangeRecord.objects.filter(anchor=anchor)
    if period is not None:
        records = records.filter(Q(period=period) | Q(period__isnull=True))
        if period.is_locked and period.submitted_at is not None:
            records = records.filter(changed_at__lte=period.submitted_at)
    return list(records.select_related("changed_by")[:CHANGES_SHOWN])


def period_changes(*, period: ReportingPeriod) -> list[ChangeRecord]:
    """Changes of the period itself (its dates, deadline and state), newest first."""
    return list(
        ChangeRecord.objects.filter(anchor=f"goals.period:{period.pk}").select_related(
            "changed_by"
        )[:EVENTS_SHOWN]
    )


def my_requirements(
    *, period: ReportingPeriod, unit: OrganisationalUnit, user: AbstractBaseUser | AnonymousUser
) -> dict:
    """A unit editor's requirements in the period with deliverables and form rows."""
    requirements = list(
        ResultRequirement.objects.filter(
            main_goal__budget_year_id=period.budget_year_id, responsible_unit=unit
        )
        .select_related("main_goal", "responsible_unit")
        .prefetch_related("deliverables")
        .order_by("main_goal__position", "position")
    )  # queries 1-2
    previous = previous_period(period=period, user=user)  # query 3
    rows = form_rows(
        period=period,
        previous=previous,
        activities=Activity.objects.filter(
            Q(requirement__in=requirements) | Q(special__requirement__in=requirements)
        ),
    )  # queries 4-5
    by_requirement: dict[int, list] = {r.pk: [] for r in requirements}
    for row in rows:
        owner = row.activity.requirement or row.activity.special.requirement
        by_requirement[owner.pk].append(row)
    return {
        "previous": previous,
        "items": [{"requirement": r, "rows": by_requirement[r.pk]} for r in requirements],
    }


@dataclass
class SubmissionCheck:
    """What is not done in a period before it goes to the ministry."""

    unanswered: list  # activities without a status update, with `.unit` set
    unapproved: list  # status updates not approved
    missing_narratives: list  # requirements without a narrative text
    warnings: list = field(default_factory=list)  # consistency warnings (ConsistencyWarning)

    @property
    def is_complete(self) -> bool:
        return not (self.unanswered or self.unapproved or self.missing_narratives or self.warnings)

    @property
    def unanswered_by_unit(self) -> list[dict]:
        groups: dict[str, list] = {}
        for activity in self.unanswered:
            groups.setdefault(activity.unit.code if activity.unit else "", []).append(activity)
        return [{"code": code, "rows": rows} for code, rows in sorted(groups.items())]


def submission_check(*, period: ReportingPeriod, warnings: bool = True) -> SubmissionCheck:
    """Unanswered form rows, unapproved updates, requirements without a narrative and,
    unless ``warnings`` is False, requirements whose status contradicts their evidence."""

    activities = list(
        Activity.objects.filter(budget_year_id=period.budget_year_id).select_related(
            "requirement__responsible_unit",
            "special__responsible_unit",
            "special__requirement__responsible_unit",
            "other_topic__responsible_unit",
            "priority_item__area__responsible_unit",
        )
    )  # query 1
    updates = list(
        StatusUpdate.objects.filter(period=period)
        .select_related("activity")
        .order_by("activity__position")
    )  # query 2
    answered = {u.activity_id for u in updates}
    unanswered = []
    for activity in activities:
        if activity.pk not in answered:
            activity.unit = responsible_unit_of(parent=activity.parent)
            unanswered.append(activity)
    written = RequirementNarrative.objects.filter(period=period).exclude(
        status="", measures_done="", next_priorities=""
    )
    missing = list(
        ResultRequirement.objects.filter(main_goal__budget_year_id=period.budget_year_id)
        .exclude(pk__in=written.values("requirement_id"))
        .select_related("main_goal")
        .order_by("main_goal__position", "position")
    )  # query 3
    return SubmissionCheck(
        unanswered=unanswered,
        unapproved=[u for u in updates if u.state != WorkflowState.APPROVED],
        missing_narratives=missing,
        warnings=consistency_warnings(period=period) if warnings else [],  # queries 4-8
    )


@dataclass
class WorkList:
    """What waits for one person on the start page, by role; each item links to its page."""

    period: ReportingPeriod | None = None
    unanswered: list = field(default_factory=list)  # editor: activities of the unit
    returned: list = field(default_factory=list)  # updates sent back, with their reason
    deliverables: list = field(default_factory=list)  # editor: the unit's deliverables
    ready_by_unit: list = field(default_factory=list)  # approver: {"unit", "count"}
    answered: int = 0
    rows: int = 0
    returned_count: int = 0
    submissions: list = field(default_factory=list)  # ministry: submitted periods
    awaiting_reply: list = field(default_factory=list)  # comments without a reply
    replies: list = field(default_factory=list)  # ministry: the directorate's replies

    @property
    def ready(self) -> int:
        return sum(item["count"] for item in self.ready_by_unit)


def _unit_activities(*, period: ReportingPeriod, unit: OrganisationalUnit) -> QuerySet[Activity]:
    """The form rows a unit answers for (its ANSV, as ``goals.structure.responsible_unit_of``)."""
    return Activity.objects.filter(budget_year_id=period.budget_year_id).filter(
        Q(requirement__responsible_unit=unit)
        | Q(special__responsible_unit=unit)
        | Q(special__responsible_unit__isnull=True, special__requirement__responsible_unit=unit)
        | Q(other_topic__responsible_unit=unit)
        | Q(priority_item__area__responsible_unit=unit)
    )


def _editor_work(work: WorkList, *, unit: OrganisationalUnit) -> None:
    period = work.period
    activities = list(_unit_activities(period=period, unit=unit).order_by("position"))  # 1
    updates = {
        u.activity_id: u
        for u in StatusUpdate.objects.filter(period=period, activity__in=activities)  # 2
    }
    for activity in activities:
        update = updates.get(activity.pk)
        if update is None:
            work.unanswered.append(activity)
        elif update.state == WorkflowState.RETURNED:
            update.activity = activity
            work.returned.append(update)
    work.rows, work.answered = len(activities), len(updates)
    work.returned_count = len(work.returned)
    work.deliverables = list(
        Deliverable.objects.filter(
            requirement__responsible_unit=unit,
            requirement__main_goal__budget_year_id=period.budget_year_id,
            due__lte=period.end,
        )
        .select_related("requirement")
        .order_by("due")
    )  # 3


# The start page lists at most this many returned updates (the count covers all).
RETURNED_SHOWN = 20


def _approver_work(work: WorkList) -> None:
    """Counts by the database, so that the work list does not grow with the form: the
    year's form rows (1), the period's updates and how many are returned (2), the ready
    updates per responsible unit (3), those units (4, when any is ready) and the first
    RETURNED_SHOWN returned updates with their activity (5)."""
    period = work.period
    work.rows = Activity.objects.filter(budget_year_id=period.budget_year_id).count()
    updates = StatusUpdate.objects.filter(period=period)
    counts = updates.aggregate(
        answered=Count("pk"), returned=Count("pk", filter=Q(state=WorkflowState.RETURNED))
    )
    work.answered, work.returned_count = counts["answered"], counts["returned"]
    # responsible_unit_of in SQL: an activity has one parent, so at most one path is set.
    unit = Coalesce(
        "activity__requirement__responsible_unit",
        "activity__special__responsible_unit",
        "activity__special__requirement__responsible_unit",
        "activity__other_topic__responsible_unit",
        "activity__priority_item__area__responsible_unit",
    )
    ready = dict(
        updates.filter(state=WorkflowState.READY)
        .annotate(unit_id=unit)
        .values("unit_id")
        .annotate(count=Count("pk"))
        .values_list("unit_id", "count")
    )
    units = OrganisationalUnit.objects.in_bulk([pk for pk in ready if pk is not None])
    entries = [{"unit": units.get(pk), "count": count} for pk, count in ready.items()]
    work.ready_by_unit = sorted(entries, key=lambda e: e["unit"].code if e["unit"] else "")
    if work.returned_count:
        work.returned = list(
            updates.filter(state=WorkflowState.RETURNED)
            .select_related("activity")
            .order_by("activity__position")[:RETURNED_SHOWN]
        )


def _open_comments(*, periods: list[ReportingPeriod]) -> list[Feedback]:
    return list(
        Feedback.objects.filter(period__in=periods, parent__isnull=True, replies__isnull=True)
        .select_related("requirement", "period__budget_year__agency", "author")
        .order_by("-created_at")[:20]
    )


def work_list(*, user: AbstractBaseUser, periods: list[ReportingPeriod]) -> WorkList:
    """The start page's work list: an editor's unanswered and returned rows and deadlines;
    the approver's waiting updates per unit and the period's completeness; the ministry's
    new submissions, comments awaiting a reply and replies. ``periods`` are those the
    user may read."""
    work = WorkList()
    open_periods = sorted(
        (p for p in periods if p.state == PeriodState.OPEN), key=lambda p: p.deadline
    )
    work.period = open_periods[0] if open_periods else None
    profile = user_profile(user=user)
    if user.has_perm("goals.approve_statusupdate"):
        if work.period is not None:
            _approver_work(work)
        work.awaiting_reply = _open_comments(periods=periods)
    elif user.has_perm("goals.change_statusupdate"):
        if work.period is not None and profile is not None and profile.unit is not None:
            _editor_work(work, unit=profile.unit)
    elif user.has_perm("goals.add_feedback"):
        submitted = [p for p in periods if p.submitted_at is not None]
        work.submissions = sorted(submitted, key=lambda p: p.submitted_at, reverse=True)[:5]
        work.awaiting_reply = _open_comments(periods=periods)
        work.replies = list(
            Feedback.objects.filter(period__in=periods, parent__author=user)
            .select_related("requirement", "period__budget_year__agency", "author")
            .order_by("-created_at")[:10]
        )
    return work


def notifications_of(*, user: AbstractBaseUser, limit: int = 50) -> list:
    """The user's newest notifications, unread ones marked by ``read_at`` None."""
    return list(user.notifications.select_related("period")[:limit])


SEARCH_LIMIT = 25


@dataclass
class SearchHit:
    kind: str
    title: str
    excerpt: str
    url_name: str
    url_args: tuple
    period: ReportingPeriod | None = None


def excerpt(text: str, query: str, *, width: int = 90) -> str:
    """The words around the first match, so a hit shows why it matched."""
    text = " ".join(text.split())
    at = text.lower().find(query.lower())
    if at < 0:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    start, end = max(0, at - width), min(len(text), at + len(query) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _contains(query: str, *fields: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    return condition


def _letter_hits(*, latest: dict, query: str) -> list[SearchHit]:
    """Requirements and form rows of the budget years, linked in their latest readable period."""
    hits: list[SearchHit] = []
    requirements = ResultRequirement.objects.filter(
        Q(code__iexact=query) | Q(text__icontains=query), main_goal__budget_year__in=list(latest)
    ).select_related("main_goal")[:SEARCH_LIMIT]  # query 2
    for r in requirements:
        period = latest[r.main_goal.budget_year_id]
        args = (period.slug, r.code)
        hits.append(
            SearchHit(
                _("Result requirement"),
                r.code,
                excerpt(r.text, query),
                "goals:requirement-detail",
                args,
                period,
            )
        )
    activities = Activity.objects.filter(
        _contains(query, "activity", "indicator_text"), budget_year__in=list(latest)
    )[:SEARCH_LIMIT]  # query 3
    for a in activities:
        period = latest[a.budget_year_id]
        text = f"{a.activity}\n{a.indicator_text}"
        hits.append(
            SearchHit(
                _("Form row"),
                a.activity[:80] or a.indicator_text[:80],
                excerpt(text, query),
                "goals:edit-status-update",
                (period.slug, a.position),
                period,
            )
        )
    return hits


def _report_hits(*, periods: list, query: str) -> list[SearchHit]:
    """Status updates, narratives and feedback of the readable periods."""
    hits: list[SearchHit] = []
    fields = ("attainment", "deviation", "measures_done", "measures_planned")
    updates = StatusUpdate.objects.filter(
        _contains(query, *fields), period__in=periods
    ).select_related("activity", "period__budget_year__agency")[:SEARCH_LIMIT]  # query 4
    for u in updates:
        text = " ".join(getattr(u, name) for name in fields)
        hits.append(
            SearchHit(
                _("Status update"),
                u.activity.activity[:80] or u.activity.indicator_text[:80],
                excerpt(text, query),
                "goals:edit-status-update",
                (u.period.slug, u.activity.position),
                u.period,
            )
        )
    fields = ("status", "measures_done", "next_priorities")
    narratives = RequirementNarrative.objects.filter(
        _contains(query, *fields), period__in=periods
    ).select_related("requirement", "period__budget_year__agency")[:SEARCH_LIMIT]  # query 5
    for n in narratives:
        text = " ".join(getattr(n, name) for name in fields)
        hits.append(
            SearchHit(
                _("Reporting"),
                n.requirement.code,
                excerpt(text, query),
                "goals:requirement-detail",
                (n.period.slug, n.requirement.code),
                n.period,
            )
        )
    feedback = Feedback.objects.filter(text__icontains=query, period__in=periods).select_related(
        "requirement", "period__budget_year__agency"
    )[:SEARCH_LIMIT]  # query 6
    for f in feedback:
        hits.append(
            SearchHit(
                _("Feedback"),
                f.requirement.code,
                excerpt(f.text, query),
                "goals:requirement-detail",
                (f.period.slug, f.requirement.code),
                f.period,
            )
        )
    return hits


def search(*, user: AbstractBaseUser, query: str) -> list[SearchHit]:
    """Requirements, form rows, status texts, narratives and feedback matching ``query`` in
    the periods the user may read (``periods_visible_to``); at most SEARCH_LIMIT of each."""
    periods = list(periods_visible_to(user=user).order_by("-end"))  # query 1
    latest = {}
    for period in periods:
        latest.setdefault(period.budget_year_id, period)
    return _letter_hits(latest=latest, query=query) + _report_hits(periods=periods, query=query)


def today():
    return timezone.localdate()


def _section_extras(
    *, period: ReportingPeriod, parent_filter: Q, user: AbstractBaseUser | AnonymousUser
) -> dict:
    """Form rows, indicators and tables under some parent (6 queries)."""
    previous = previous_period(period=period, user=user)
    rows = form_rows(
        period=period, previous=previous, activities=Activity.objects.filter(parent_filter)
    )
    indicators = list(
        Indicator.objects.filter(parent_filter).prefetch_related(
            Prefetch("values", queryset=visible_values(period=period, user=user))
        )
    )
    tables = [
        table_view(t)
        for t in StatisticalTable.objects.filter(parent_filter, period=period).prefetch_related(
            "rows"
        )
    ]
    return {
        "previous": previous,
        "rows": rows,
        "indicators": with_history_charts(indicators),
        "tables": tables,
    }


def section_detail(
    *, period: ReportingPeriod, code: str, user: AbstractBaseUser | AnonymousUser
) -> dict | None:
    """The parts that are not a result requirement: a main goal's own special reporting
    (HM1-S1..), the priority area (code "satsing") and an other-reporting topic."""
    year_id = period.budget_year_id
    if code == "satsing":
        area = (
            PriorityArea.objects.filter(budget_year_id=year_id)
            .select_related("responsible_unit")
            .prefetch_related("items")
            .first()
        )
        if area is None:
            return None
        report = PeriodReport.objects.filter(period=period).first()
        return {
            "kind": "priority",
            "title": area.title,
            "items": list(area.items.all()),
            "responsible": area.responsible_unit,
            "answer": report.priority_area_narrative if report else "",
            **_section_extras(period=period, parent_filter=Q(priority_item__area=area), user=user),
        }
    goal = MainGoal.objects.filter(budget_year_id=year_id, code=code).first()
    if goal is not None:
        specials = list(
            SpecialReportingRequirement.objects.filter(main_goal=goal)
            .select_related("responsible_unit")
            .prefetch_related(
                Prefetch("answers", queryset=SpecialReportingAnswer.objects.filter(period=period))
            )
        )
        return {
            "kind": "goal",
            "goal": goal,
            "title": f"{goal.code}: {goal.title}",
            "specials": [
                {"special": s, "answer": next(iter(s.answers.all()), None)} for s in specials
            ],
            **_section_extras(period=period, parent_filter=Q(special__main_goal=goal), user=user),
        }
    topic = (
        OtherReportingTopic.objects.filter(budget_year_id=year_id, code=code)
        .select_related("responsible_unit")
        .first()
    )
    if topic is not None:
        answer = OtherReportingAnswer.objects.filter(topic=topic, period=period).first()
        return {
            "kind": "other",
            "topic": topic,
            "title": topic.title,
            "text": topic.text,
            "responsible": topic.responsible_unit,
            "answer": answer.text if answer else "",
            **_section_extras(period=period, parent_filter=Q(other_topic=topic), user=user),
        }
    return None


def other_sections(*, period: ReportingPeriod) -> dict:
    """What the list page links to besides the requirements (2 queries)."""
    return {
        "priority_area": PriorityArea.objects.filter(budget_year_id=period.budget_year_id).first(),
        "topics": list(OtherReportingTopic.objects.filter(budget_year_id=period.budget_year_id)),
    }


def indicator_history_chart(*, indicator: Indicator) -> Chart | None:
    """The indicator's measured values across periods (after its baseline) against its
    target, as a small line chart; None when nothing has been measured yet. Expects the
    values prefetched in period order."""
    values = list(indicator.values.all())
    if not values:
        return None
    categories = [value.period.short_slug for value in values]
    measured: list = [value.value for value in values]
    if indicator.baseline is not None:
        categories.insert(0, _("Baseline"))
        measured.insert(0, indicator.baseline)
    series = [Series(_("Measured"), measured)]
    if indicator.target is not None:
        series.append(Series(_("Target"), [indicator.target] * len(categories)))
        description = _("%(name)s: measured value per period against the target %(target)s.") % {
            "name": indicator.name,
            "target": format_decimal(indicator.target, 0),
        }
    else:
        description = _("%(name)s: measured value per period.") % {"name": indicator.name}
    return line_chart(
        title=indicator.name,
        description=description,
        categories=categories,
        series=series,
        width=420,
        height=220,
    )


def with_history_charts(indicators: list[Indicator]) -> list[Indicator]:
    """Attach each indicator's history chart (no queries: the values are prefetched)."""
    for indicator in indicators:
        indicator.history_chart = indicator_history_chart(indicator=indicator)
    return indicators


# --- A new year from last year ---------------------------------------------------------------


def one_year_later(day: date) -> date:
    """The same day a year on. A month's last day stays its last day, so that 29 February
    becomes 28 February, and a period ending 28 February ends on the 29th in a leap year."""
    year = day.year + 1
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, day.month, calendar.monthrange(year, day.month)[1])
    return day.replace(year=year)


def carried_target_date(day: date | None, *, year: int) -> date | None:
    """A target date inside the old year moves with the year; a later one (a target for
    some future year) is kept as it is."""
    return one_year_later(day) if day is not None and day.year == year else day


@dataclass
class NextYearSource:
    """A budget year's letter and reporting form as loaded: what the next year is made of.

    Only what belongs to the year is here; the periods' data (updates, narratives,
    values, tables, feedback) stays with the periods of the old year.
    """

    budget_year: BudgetYear
    next_exists: bool
    main_goals: list[MainGoal]
    requirements: list[ResultRequirement]
    priority_areas: list[PriorityArea]
    priority_items: list[PriorityItem]
    specials: list[SpecialReportingRequirement]
    other_topics: list[OtherReportingTopic]
    activities: list[Activity]
    indicators: list[Indicator]
    periods: list[ReportingPeriod]
    deliverables: int

    @property
    def year(self) -> int:
        return self.budget_year.year + 1


def next_year_source(*, budget_year: BudgetYear) -> NextYearSource:
    """Everything of ``budget_year`` that the next year carries (11 queries, whatever the
    size of the year)."""
    of_year = {"budget_year": budget_year}
    return NextYearSource(
        budget_year=budget_year,
        next_exists=BudgetYear.objects.filter(
            agency_id=budget_year.agency_id, year=budget_year.year + 1
        ).exists(),
        main_goals=list(MainGoal.objects.filter(**of_year)),
        requirements=list(
            ResultRequirement.objects.filter(main_goal__budget_year=budget_year).order_by(
                "main_goal__position", "position", "code"
            )
        ),
        priority_areas=list(PriorityArea.objects.filter(**of_year)),
        priority_items=list(PriorityItem.objects.filter(area__budget_year=budget_year)),
        specials=list(SpecialReportingRequirement.objects.filter(**of_year)),
        other_topics=list(OtherReportingTopic.objects.filter(**of_year)),
        activities=list(Activity.objects.filter(**of_year).order_by("position")),
        indicators=list(Indicator.objects.filter(**of_year)),
        periods=list(ReportingPeriod.objects.filter(**of_year).order_by("end", "start")),
        deliverables=Deliverable.objects.filter(
            requirement__main_goal__budget_year=budget_year
        ).count(),
    )


@dataclass
class PreviewKind:
    label: str
    codes: list[str]

    @property
    def count(self) -> int:
        return len(self.codes)


@dataclass
class PlannedPeriod:
    slug: str
    kind: str
    start: date
    end: date
    deadline: date


def new_year_preview(*, source: NextYearSource) -> dict:
    """What creating the next year from ``source`` makes, for the page and the dry run."""
    agency = source.budget_year.agency
    settlement = next(
        (r for r in source.requirements if r.pk == source.budget_year.settlement_requirement_id),
        None,
    )
    kinds = [
        PreviewKind(_("Main goals"), [g.code for g in source.main_goals]),
        PreviewKind(_("Result requirements"), [r.code for r in source.requirements]),
        PreviewKind(_("Priority areas"), [str(a.position) for a in source.priority_areas]),
        PreviewKind(_("Priority items"), [i.letter for i in source.priority_items]),
        PreviewKind(_("Special reporting requirements"), [s.code for s in source.specials]),
        PreviewKind(_("Other reporting topics"), [t.code for t in source.other_topics]),
        PreviewKind(_("Form rows (activities)"), [str(a.position) for a in source.activities]),
        PreviewKind(_("Indicators"), [i.code for i in source.indicators]),
    ]
    periods = [
        PlannedPeriod(
            slug=f"{agency.code}-{source.year}"
            + ("" if p.kind == PeriodKind.YEAR else f"-{p.kind}"),
            kind=p.get_kind_display(),
            start=one_year_later(p.start),
            end=one_year_later(p.end),
            deadline=one_year_later(p.deadline),
        )
        for p in source.periods
    ]
    return {
        "agency": agency,
        "source_year": source.budget_year.year,
        "year": source.year,
        "exists": source.next_exists,
        "kinds": kinds,
        "periods": periods,
        # Indicator has no field for "proposed": the page lists the carried targets instead,
        # so that whoever reads the new letter confirms or corrects each one.
        "target_proposals": [
            {
                "code": i.code,
                "name": i.name,
                "target": i.target,
                "direction": i.get_direction_display(),
                "unit": i.unit,
                "target_date": carried_target_date(i.target_date, year=source.budget_year.year),
            }
            for i in source.indicators
            if i.target is not None
        ],
        "settlement_requirement": settlement.code if settlement else None,
        "deliverables_left": source.deliverables,
    }


def latest_budget_year(*, user: AbstractBaseUser | AnonymousUser) -> BudgetYear | None:
    """The last budget year of the user's agency: the year the next one is made from."""
    profile = user_profile(user=user)
    if profile is None or profile.agency_id is None:
        return None
    return (
        BudgetYear.objects.select_related("agency")
        .filter(agency_id=profile.agency_id)
        .order_by("-year")
        .first()
    )


def new_year_page(*, budget_year: BudgetYear | None) -> dict:
    """The new-year page: the preview of the year after ``budget_year``, if any."""
    if budget_year is None:
        return {"budget_year": None}
    source = next_year_source(budget_year=budget_year)
    return {"budget_year": budget_year, **new_year_preview(source=source)}


def first_period(*, budget_year: BudgetYear) -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.select_related("budget_year__agency")
        .filter(budget_year=budget_year)
        .order_by("end", "start")
        .first()
    )


# --- Consistency of a requirement's status with its evidence -----------------------------


class ConsistencyRule:
    """The checks of a requirement's status (the most serious of its form rows, as the
    overview shows it) against its indicators and deadlines."""

    NOT_STARTED_WITH_PROGRESS = "not-started-with-progress"
    ON_TRACK_WITH_OVERDUE = "on-track-with-overdue"
    ACHIEVED_BELOW_TARGET = "achieved-below-target"

    LABELS = {
        NOT_STARTED_WITH_PROGRESS: gettext_lazy("“Not started”, but an indicator has moved"),
        ON_TRACK_WITH_OVERDUE: gettext_lazy(
            "“On track” or “Achieved”, but a deliverable is overdue"
        ),
        ACHIEVED_BELOW_TARGET: gettext_lazy("“Achieved”, but an indicator is short of its target"),
    }


@dataclass(frozen=True)
class ConsistencyWarning:
    requirement: ResultRequirement
    rule: str
    message: str

    @property
    def rule_label(self) -> str:
        return str(ConsistencyRule.LABELS[self.rule])


def _moved(indicator: Indicator, value: Decimal) -> bool:
    start = indicator.baseline if indicator.baseline is not None else Decimal(0)
    if indicator.direction in (IndicatorDirection.DECREASE, IndicatorDirection.AT_MOST):
        return value < start
    return value > start


def _short_of_target(indicator: Indicator, value: Decimal) -> bool:
    if indicator.target is None:
        return False
    if indicator.direction in (IndicatorDirection.DECREASE, IndicatorDirection.AT_MOST):
        return value > indicator.target
    return value < indicator.target


def _indicator_warning(requirement, rule: str, label: str, value) -> "ConsistencyWarning":
    """A status that contradicts where one of the requirement's indicators stands."""
    target = value.indicator.target
    return ConsistencyWarning(
        requirement,
        rule,
        _(
            "%(code)s is “%(status)s”, but the indicator “%(indicator)s” "
            "stands at %(value)s against the target %(target)s."
        )
        % {
            "code": requirement.code,
            "status": label,
            "indicator": value.indicator.name,
            "value": format_decimal(value.value, _places(value.value)),
            "target": format_decimal(target, _places(target)) if target is not None else "-",
        },
    )


def consistency_warnings(
    *, period: ReportingPeriod, requirements: list[ResultRequirement] | None = None
) -> list[ConsistencyWarning]:
    """Requirements whose status contradicts their own indicators or deadlines in the
    period, each with the rule that fired. Deadlines are judged at the period's end, or
    today while it lasts. Five queries whatever the number of requirements."""
    if requirements is None:
        requirements = requirements_for(budget_year_id=period.budget_year_id)  # query 1
    by_pk = {r.pk: r for r in requirements}
    progress = requirement_progress(period=period, requirements=requirements)  # queries 2-3
    deliverables = Deliverable.objects.filter(requirement_id__in=by_pk).order_by("due")
    values = IndicatorValue.objects.filter(
        period=period,
        indicator__budget_year_id=period.budget_year_id,
    ).select_related("indicator__special")
    reference = min(period.end, today())
    overdue: dict[int, list[Deliverable]] = {}
    for deliverable in deliverables:  # query 4
        if deliverable.due < reference and deliverable.met_on is None:
            overdue.setdefault(deliverable.requirement_id, []).append(deliverable)
    measured: dict[int, list[IndicatorValue]] = {}
    for value in values:  # query 5
        indicator = value.indicator
        owner = indicator.requirement_id or (
            indicator.special.requirement_id if indicator.special_id else None
        )
        if owner in by_pk:
            measured.setdefault(owner, []).append(value)
    found = []
    for pk, requirement in by_pk.items():
        status = progress[pk].worst.value if progress[pk].worst else None
        found += _rules(requirement, status, overdue.get(pk, []), measured.get(pk, []), reference)
    return found


def _rules(requirement, status, overdue, measured, reference) -> list[ConsistencyWarning]:
    found = []
    label = Status(status).label if status else ""
    if status == Status.NOT_STARTED:
        for value in measured:
            if _moved(value.indicator, value.value):
                found.append(
                    _indicator_warning(
                        requirement, ConsistencyRule.NOT_STARTED_WITH_PROGRESS, label, value
                    )
                )
                break
    if status in (Status.ON_TRACK, Status.ACHIEVED) and overdue:
        found.append(
            ConsistencyWarning(
                requirement,
                ConsistencyRule.ON_TRACK_WITH_OVERDUE,
                _(
                    "%(code)s is “%(status)s”, but %(count)s deliverable(s) due before "
                    "%(date)s have no date met: %(titles)s."
                )
                % {
                    "code": requirement.code,
                    "status": label,
                    "count": len(overdue),
                    "date": f"{reference:%d.%m.%Y}",
                    "titles": "; ".join(f"{d.title} ({d.due:%d.%m.%Y})" for d in overdue),
                },
            )
        )
    if status == Status.ACHIEVED:
        for value in measured:
            target_date = value.indicator.target_date
            due = target_date is None or target_date <= reference
            if due and _short_of_target(value.indicator, value.value):
                found.append(
                    _indicator_warning(
                        requirement, ConsistencyRule.ACHIEVED_BELOW_TARGET, label, value
                    )
                )
                break
    return found


def _places(value: Decimal | None) -> int:
    return 0 if value is None or value == value.to_integral_value() else 1
