from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from goals.choices import PeriodKind, PeriodState
from goals.models import (
    Activity,
    BudgetYear,
    CoverLetter,
    Indicator,
    IndicatorValue,
    MainGoal,
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
    UserProfile,
)


def parse_period_slug(slug: str) -> tuple[int, str] | None:
    """'2006-H1' -> (2006, 'H1'); '2006' -> (2006, 'Y'); anything else -> None."""
    year_part, _, kind = slug.partition("-")
    if not year_part.isdigit() or len(year_part) != 4:
        return None
    kind = kind or PeriodKind.YEAR
    if kind not in PeriodKind.values or (kind == PeriodKind.YEAR and "-" in slug):
        return None
    return int(year_part), kind


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


def periods_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ReportingPeriod]:
    """Periods the user may read: ministry readers see submitted periods only."""
    periods = ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
    if not user.is_authenticated:
        return periods.none()
    if not user.has_perm("goals.view_draft_period"):
        periods = periods.exclude(state=PeriodState.OPEN)
    profile = user_profile(user=user)
    if user.is_superuser or profile is None:
        return periods if user.is_superuser else periods.none()
    if profile.agency_id is not None:
        return periods.filter(budget_year__agency_id=profile.agency_id)
    return periods.filter(budget_year__agency__ministry_id=profile.ministry_id)


def get_period(
    *, slug: str, user: AbstractBaseUser | AnonymousUser, agency_code: str | None = None
) -> ReportingPeriod | None:
    """The period with this slug that the user may read, or None."""
    parsed = parse_period_slug(slug)
    if parsed is None:
        return None
    year, kind = parsed
    periods = periods_visible_to(user=user).filter(budget_year__year=year, kind=kind)
    if agency_code:
        periods = periods.filter(budget_year__agency__code=agency_code)
    return periods.order_by("budget_year__agency__code").first()


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
    specials = list(
        SpecialReportingRequirement.objects.filter(budget_year=budget_year).select_related(
            "responsible_unit"
        )
    )

    def special_rows(**match) -> list[dict]:
        rows = []
        for s in specials:
            if all(getattr(s, f"{k}_id") == v for k, v in match.items()):
                row = {"code": s.code, "text": s.text}
                if s.responsible_unit is not None:
                    row["responsible_unit"] = s.responsible_unit.code
                rows.append(row)
        return rows

    goals = MainGoal.objects.filter(budget_year=budget_year).prefetch_related(
        Prefetch(
            "requirements",
            queryset=ResultRequirement.objects.select_related("responsible_unit").prefetch_related(
                "deliverables"
            ),
        )
    )
    data["main_goals"] = [
        {
            "code": goal.code,
            "title": goal.title,
            "requirements": [
                {
                    "code": r.code,
                    "text": r.text,
                    "responsible_unit": r.responsible_unit.code,
                    "deliverables": [
                        {"due": d.due, "title": d.title} for d in r.deliverables.all()
                    ],
                    "special_reporting": special_rows(requirement=r.pk),
                }
                for r in goal.requirements.all()
            ],
            "special_reporting": special_rows(main_goal=goal.pk, requirement=None),
        }
        for goal in goals
    ]
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


def export_report(*, period: ReportingPeriod) -> dict[str, Any]:
    """A period's report texts, in the structure of report_<period>.yaml."""
    data: dict[str, Any] = {"agency": period.budget_year.agency.code, "period": period.slug}
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
    indicators = []
    for indicator in (
        Indicator.objects.filter(budget_year=budget_year)
        .select_related(*_PARENTS, "activity")
        .prefetch_related(
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.select_related("period__budget_year").order_by(
                    "period__end", "period__start"
                ),
            )
        )
    ):
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
                        "period": v.period.slug,
                        "value": _number(v.value),
                        "measured_on": v.measured_on,
                    }
                    for v in indicator.values.all()
                ],
                "note": indicator.note,
            }
        )
        indicators.append(item)
    tables = [
        {
            "code": t.code,
            "parent": t.parent_key,
            "title": t.title,
            "columns": list(t.columns),
            "rows": [{"label": r.label, "values": list(r.values)} for r in t.rows.all()],
        }
        for t in StatisticalTable.objects.filter(period=period)
        .select_related(*_PARENTS)
        .prefetch_related("rows")
    ]
    return {
        "agency": budget_year.agency.code,
        "period": period.slug,
        "form_rows": rows,
        "indicators": indicators,
        "tables": tables,
    }
