"""Query filters shared by the goals endpoints: year, period, main goal, requirement, unit."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from rest_framework import exceptions

from goals.choices import PeriodKind, PeriodState, Status, WorkflowState
from goals.models import (
    Activity,
    Deliverable,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
    parse_period_slug,
)

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2200}


def filter_period_slug(queryset: QuerySet, prefix: str, slug: str) -> QuerySet:
    parsed = parse_period_slug(slug)
    if parsed is None:
        raise exceptions.ValidationError(
            {"period": "A period key such as ABC-2006-H1, ABC-2006 or 2006-H1."}
        )
    queryset = queryset.filter(
        **{f"{prefix}budget_year__year": parsed.year, f"{prefix}kind": parsed.kind}
    )
    if parsed.agency:
        queryset = queryset.filter(**{f"{prefix}budget_year__agency__code": parsed.agency})
    return queryset


def responsible_unit_q(code: str, prefix: str = "") -> Q:
    """Rows whose parent's ANSV unit has this code, through each of the four parents."""
    return (
        Q(**{f"{prefix}requirement__responsible_unit__code": code})
        | Q(**{f"{prefix}special__responsible_unit__code": code})
        | Q(
            **{
                f"{prefix}special__responsible_unit__isnull": True,
                f"{prefix}special__requirement__responsible_unit__code": code,
            }
        )
        | Q(**{f"{prefix}other_topic__responsible_unit__code": code})
        | Q(**{f"{prefix}priority_item__area__responsible_unit__code": code})
    )


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter: "2006.5" is refused, not read as a year."""

    field_class = forms.IntegerField


def year_filter(field_name: str) -> django_filters.NumberFilter:
    return IntegerFilter(field_name=field_name, help_text="Budget year, e.g. 2006.", **YEAR_BOUNDS)


def period_filter(prefix: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method=lambda qs, _name, value: filter_period_slug(qs, prefix, value),
        help_text=(
            "Period key with the agency code: ABC-2006-H1 or ABC-2006 (the year); "
            "2006-H1 alone matches that period of every agency the caller may read."
        ),
    )


class ReportingPeriodFilter(django_filters.FilterSet):
    year = year_filter("budget_year__year")
    agency = django_filters.CharFilter(
        field_name="budget_year__agency__code", help_text="Agency code."
    )
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, help_text="Period kind.")
    state = django_filters.ChoiceFilter(choices=PeriodState.choices, help_text="Period state.")

    class Meta:
        model = ReportingPeriod
        fields = ["year", "agency", "kind", "state"]


class MainGoalFilter(django_filters.FilterSet):
    year = year_filter("budget_year__year")
    code = django_filters.CharFilter(help_text="Main goal code (HM1 ...).")

    class Meta:
        model = MainGoal
        fields = ["year", "code"]


class ResultRequirementFilter(django_filters.FilterSet):
    year = year_filter("main_goal__budget_year__year")
    main_goal = django_filters.CharFilter(
        field_name="main_goal__code", help_text="Main goal code (HM1 ...)."
    )
    unit = django_filters.CharFilter(
        field_name="responsible_unit__code",
        help_text="Responsible unit (ANSV) code, e.g. NE.",
    )
    code = django_filters.CharFilter(help_text="Requirement code (R1-1 ...).")

    class Meta:
        model = ResultRequirement
        fields = ["year", "main_goal", "unit", "code"]


def parented_filters(prefix: str = "") -> dict:
    return {
        "year": year_filter(f"{prefix}budget_year__year"),
        "main_goal": django_filters.CharFilter(
            method=lambda qs, _n, value: qs.filter(
                Q(**{f"{prefix}requirement__main_goal__code": value})
                | Q(**{f"{prefix}special__main_goal__code": value})
                | Q(**{f"{prefix}special__requirement__main_goal__code": value})
            ),
            help_text="Main goal code (HM1 ...), through the requirement or special reporting.",
        ),
        "requirement": django_filters.CharFilter(
            field_name=f"{prefix}requirement__code",
            help_text="Result requirement code (R1-1 ...).",
        ),
        "unit": django_filters.CharFilter(
            method=lambda qs, _n, value: qs.filter(responsible_unit_q(value, prefix)),
            help_text="Responsible unit (ANSV) code, e.g. NE.",
        ),
    }


class ActivityFilter(django_filters.FilterSet):
    locals().update(parented_filters())

    class Meta:
        model = Activity
        fields = ["year", "main_goal", "requirement", "unit"]


class IndicatorFilter(django_filters.FilterSet):
    locals().update(parented_filters())
    code = django_filters.CharFilter(help_text="Indicator code.")

    class Meta:
        model = Indicator
        fields = ["year", "main_goal", "requirement", "unit", "code"]


class IndicatorValueFilter(django_filters.FilterSet):
    locals().update(parented_filters("indicator__"))
    period = period_filter("period__")
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="Indicator code.")

    class Meta:
        model = IndicatorValue
        fields = ["year", "period", "main_goal", "requirement", "unit", "indicator"]


class StatusUpdateFilter(django_filters.FilterSet):
    locals().update(parented_filters("activity__"))
    period = period_filter("period__")
    status = django_filters.ChoiceFilter(choices=Status.choices, help_text="Goal attainment.")
    state = django_filters.ChoiceFilter(choices=WorkflowState.choices, help_text="Workflow state.")

    class Meta:
        model = StatusUpdate
        fields = ["year", "period", "main_goal", "requirement", "unit", "status", "state"]


class RequirementScopedFilter(django_filters.FilterSet):
    year = year_filter("period__budget_year__year")
    period = period_filter("period__")
    main_goal = django_filters.CharFilter(
        field_name="requirement__main_goal__code",
        help_text="Main goal code (HM1 ...).",
    )
    requirement = django_filters.CharFilter(
        field_name="requirement__code", help_text="Result requirement code."
    )
    unit = django_filters.CharFilter(
        field_name="requirement__responsible_unit__code",
        help_text="Responsible unit (ANSV) code, e.g. NE.",
    )


class NarrativeFilter(RequirementScopedFilter):
    class Meta:
        model = RequirementNarrative
        fields = ["year", "period", "main_goal", "requirement", "unit"]


class FeedbackFilter(RequirementScopedFilter):
    class Meta:
        model = Feedback
        fields = ["year", "period", "main_goal", "requirement", "unit"]


class DeliverableFilter(django_filters.FilterSet):
    year = year_filter("requirement__main_goal__budget_year__year")
    requirement = django_filters.CharFilter(
        field_name="requirement__code", help_text="Requirement code (R1-1 ...)."
    )
    unit = django_filters.CharFilter(
        field_name="requirement__responsible_unit__code",
        help_text="Responsible unit (ANSV) code, e.g. NE.",
    )

    class Meta:
        model = Deliverable
        fields = ["year", "requirement", "unit"]
