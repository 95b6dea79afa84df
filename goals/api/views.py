from django.db.models import Prefetch, Q, QuerySet
from rest_framework import viewsets

from goals.api import filters
from goals.api.serializers import (
    ActivitySerializer,
    FeedbackSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    MainGoalSerializer,
    NarrativeSerializer,
    ReportingPeriodSerializer,
    ResultRequirementSerializer,
    StatusUpdateSerializer,
)
from goals.models import (
    Activity,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)
from goals.selectors import periods_visible_to, user_profile

# What a parented row needs to name its parent and its ANSV unit without further queries.
PARENT_RELATIONS = (
    "budget_year",
    "requirement__responsible_unit",
    "priority_item__area__responsible_unit",
    "special__responsible_unit",
    "special__requirement__responsible_unit",
    "other_topic__responsible_unit",
)


def agency_scope(user, prefix: str) -> Q | None:
    """Which agencies' content the user reads: their own agency, or their ministry's
    agencies. None means nothing."""
    if user.is_superuser:
        return Q()
    profile = user_profile(user=user)
    if profile is None:
        return None
    if profile.agency_id is not None:
        return Q(**{f"{prefix}agency_id": profile.agency_id})
    return Q(**{f"{prefix}agency__ministry_id": profile.ministry_id})


def scoped(queryset: QuerySet, user, prefix: str) -> QuerySet:
    scope = agency_scope(user, prefix)
    return queryset.none() if scope is None else queryset.filter(scope)


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting periods the caller may read, with links to their reports; ministry readers
    see submitted periods only."""

    serializer_class = ReportingPeriodSerializer
    filterset_class = filters.ReportingPeriodFilter
    ordering_fields = ["end", "start", "deadline"]
    ordering = ["budget_year__agency__code", "end", "kind", "pk"]

    def get_queryset(self):
        return periods_visible_to(user=self.request.user).order_by(*self.ordering)


class MainGoalViewSet(viewsets.ReadOnlyModelViewSet):
    """Main goals (hovedmål) of the allocation letters the caller may read."""

    serializer_class = MainGoalSerializer
    filterset_class = filters.MainGoalFilter
    ordering_fields = ["code", "position"]
    ordering = ["budget_year__agency__code", "budget_year__year", "position", "code", "pk"]

    def get_queryset(self):
        goals = MainGoal.objects.select_related("budget_year__agency")
        return scoped(goals, self.request.user, "budget_year__").order_by(*self.ordering)


class ResultRequirementViewSet(viewsets.ReadOnlyModelViewSet):
    """Result requirements (resultatkrav) with their main goal and responsible unit (ANSV)."""

    serializer_class = ResultRequirementSerializer
    filterset_class = filters.ResultRequirementFilter
    ordering_fields = ["code", "position"]
    ordering = [
        "main_goal__budget_year__agency__code",
        "main_goal__budget_year__year",
        "main_goal__position",
        "position",
        "code",
        "pk",
    ]

    def get_queryset(self):
        requirements = ResultRequirement.objects.select_related(
            "main_goal__budget_year", "responsible_unit"
        )
        return scoped(requirements, self.request.user, "main_goal__budget_year__").order_by(
            *self.ordering
        )


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Activities: the rows of the reporting form (part V), the same in every period of a
    year."""

    serializer_class = ActivitySerializer
    filterset_class = filters.ActivityFilter
    ordering_fields = ["position"]
    ordering = ["budget_year__agency__code", "budget_year__year", "position", "pk"]

    def get_queryset(self):
        activities = Activity.objects.select_related(*PARENT_RELATIONS)
        return scoped(activities, self.request.user, "budget_year__").order_by(*self.ordering)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators with target and their measured values in the periods the caller may read."""

    serializer_class = IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    ordering_fields = ["code", "position"]
    ordering = ["budget_year__agency__code", "budget_year__year", "position", "code", "pk"]

    def get_queryset(self):
        values = IndicatorValue.objects.filter(
            period__in=periods_visible_to(user=self.request.user)
        ).select_related("indicator", "period__budget_year", "updated_by")
        indicators = Indicator.objects.select_related(*PARENT_RELATIONS).prefetch_related(
            Prefetch(
                "values",
                queryset=values.order_by("period__end", "period__start", "pk"),
                to_attr="visible_values",
            )
        )
        return scoped(indicators, self.request.user, "budget_year__").order_by(*self.ordering)


def in_visible_periods(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(period__in=periods_visible_to(user=user))


class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Measured indicator values (måleverdier) per period."""

    serializer_class = IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilter
    ordering_fields = ["updated_at"]
    ordering = ["indicator__budget_year__year", "indicator__position", "period__end", "pk"]

    def get_queryset(self):
        values = IndicatorValue.objects.select_related(
            "indicator", "period__budget_year", "updated_by"
        )
        return in_visible_periods(values, self.request.user).order_by(*self.ordering)


class StatusUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Status updates: an activity's goal attainment in a period, with its workflow state."""

    serializer_class = StatusUpdateSerializer
    filterset_class = filters.StatusUpdateFilter
    ordering_fields = ["updated_at"]
    ordering = ["period__budget_year__year", "period__end", "activity__position", "pk"]

    def get_queryset(self):
        updates = StatusUpdate.objects.select_related(
            "period__budget_year",
            "updated_by",
            *(f"activity__{relation}" for relation in PARENT_RELATIONS),
        )
        return in_visible_periods(updates, self.request.user).order_by(*self.ordering)


class NarrativeViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting on result requirements (part II): status, measures and next priorities."""

    serializer_class = NarrativeSerializer
    filterset_class = filters.NarrativeFilter
    ordering_fields = ["updated_at"]
    ordering = [
        "period__budget_year__year",
        "period__end",
        "requirement__main_goal__position",
        "requirement__position",
        "pk",
    ]

    def get_queryset(self):
        narratives = RequirementNarrative.objects.select_related(
            "period__budget_year", "requirement", "updated_by"
        )
        return in_visible_periods(narratives, self.request.user).order_by(*self.ordering)


class FeedbackViewSet(viewsets.ReadOnlyModelViewSet):
    """The ministry's comments on requirements in a period, and the directorate's replies."""

    serializer_class = FeedbackSerializer
    filterset_class = filters.FeedbackFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "pk"]

    def get_queryset(self):
        feedback = Feedback.objects.select_related("period__budget_year", "requirement", "author")
        return in_visible_periods(feedback, self.request.user).order_by(*self.ordering)
