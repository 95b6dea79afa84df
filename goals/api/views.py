import django_filters
from rest_framework import viewsets

from goals.api.serializers import ReportingPeriodSerializer
from goals.choices import PeriodKind, PeriodState
from goals.models import ReportingPeriod
from goals.selectors import periods_visible_to


class ReportingPeriodFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="budget_year__year", help_text="Budget year.")
    agency = django_filters.CharFilter(
        field_name="budget_year__agency__code", help_text="Agency code."
    )
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, help_text="Period kind.")
    state = django_filters.ChoiceFilter(choices=PeriodState.choices, help_text="Period state.")

    class Meta:
        model = ReportingPeriod
        fields = ["year", "agency", "kind", "state"]


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting periods the caller may read; ministry readers see submitted periods only."""

    serializer_class = ReportingPeriodSerializer
    filterset_class = ReportingPeriodFilter
    ordering_fields = ["end", "start", "deadline"]
    ordering = ["budget_year__agency__code", "end", "kind"]

    def get_queryset(self):
        return periods_visible_to(user=self.request.user).order_by(*self.ordering)
