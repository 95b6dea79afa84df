from datetime import date

import django_filters
from django.db.models import F
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from budget.api.serializers import (
    ChapterSerializer,
    ControlSerializer,
    PostFiguresSerializer,
    SubPostLineSerializer,
    SubPostSerializer,
)
from budget.choices import ChapterKind, LineKind
from budget.models import Chapter, Post, SubPost, SubPostLine
from budget.selectors import (
    LineFigures,
    agencies_visible_to,
    figures_at_periods,
    period_controls,
)
from goals.api.filters import filter_period_slug, year_filter
from goals.models import ReportingPeriod, parse_period_slug
from goals.page_cache import kept_page
from goals.selectors import periods_visible_to

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2200}

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        description="Period key with the agency (ABC-2006-H1, ABC-2006); the short form "
        "(2006-H1) means that period of every agency the caller may read. Default: each "
        "agency's latest period the caller may read, of `year` and ending on or before "
        "`date` when those are given.",
    ),
    OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code."),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="Budget year: the figures at the end of its latest readable period.",
    ),
    OpenApiParameter(
        "date",
        OpenApiTypes.DATE,
        description="The figures at the end of the latest readable period ending on or "
        "before this date.",
    ),
]


def _parse_int(text: str, name: str) -> int:
    if not text.isdigit() or not YEAR_BOUNDS["min_value"] <= int(text) <= 2200:
        raise exceptions.ValidationError({name: "A year between 1990 and 2200."})
    return int(text)


def resolve_periods(request: Request) -> list[ReportingPeriod]:
    """For each agency the caller may read, the reporting period whose end its figures are
    computed at, chosen by the query: ?period=ABC-2006-H1 (or 2006-H1 for every agency),
    ?agency=, or the latest readable period of ?year= ending by ?date=. One query."""
    periods = periods_visible_to(user=request.user)
    params = request.query_params
    if "period" in params:
        parsed = parse_period_slug(params["period"])
        if parsed is None:
            raise exceptions.ValidationError({"period": "A period key such as ABC-2006-H1."})
        periods = periods.filter(budget_year__year=parsed.year, kind=parsed.kind)
        if parsed.agency:
            periods = periods.filter(budget_year__agency__code=parsed.agency)
    if params.get("agency"):
        periods = periods.filter(budget_year__agency__code=params["agency"])
    if "year" in params:
        periods = periods.filter(budget_year__year=_parse_int(params["year"], "year"))
    if "date" in params:
        try:
            at = date.fromisoformat(params["date"])
        except ValueError:
            raise exceptions.ValidationError({"date": "A date, YYYY-MM-DD."}) from None
        periods = periods.filter(end__lte=at)
    latest: dict[int, ReportingPeriod] = {}
    for period in periods.order_by("budget_year__agency__code", "-end", "-start"):
        latest.setdefault(period.budget_year.agency_id, period)
    if not latest:
        raise exceptions.NotFound("No reporting period you may read matches.")
    return list(latest.values())


def resolve_period(request: Request) -> ReportingPeriod:
    """The one period the query names; several agencies' periods need ?agency= or the
    period's full key."""
    periods = resolve_periods(request)
    if len(periods) > 1:
        codes = ", ".join(p.budget_year.agency.code for p in periods)
        raise exceptions.ValidationError(
            {"agency": f"Several agencies match ({codes}); give agency or a full period key."}
        )
    return periods[0]


def agency_filter(field_name: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name=field_name, help_text="Agency code.")


class ChapterFilter(django_filters.FilterSet):
    agency = agency_filter("agency__code")
    kind = django_filters.ChoiceFilter(choices=ChapterKind.choices, help_text="expense or income.")
    number = django_filters.CharFilter(help_text="Chapter number (1234 ...).")

    class Meta:
        model = Chapter
        fields = ["agency", "kind", "number"]


@method_decorator(kept_page, name="list")
class ChapterViewSet(viewsets.ReadOnlyModelViewSet):
    """Chapters (kapitler) of the state budget, of the agencies the caller may read."""

    serializer_class = ChapterSerializer
    filterset_class = ChapterFilter
    ordering_fields = ["number"]
    ordering = ["agency__code", "number", "pk"]

    def get_queryset(self):
        return (
            Chapter.objects.select_related("agency", "ministry")
            .filter(agency__in=agencies_visible_to(user=self.request.user))
            .order_by(*self.ordering)
        )


class PostFilter(django_filters.FilterSet):
    agency = agency_filter("chapter__agency__code")
    chapter = django_filters.CharFilter(
        field_name="chapter__number", help_text="Chapter number (1234 ...)."
    )
    kind = django_filters.ChoiceFilter(
        field_name="chapter__kind", choices=ChapterKind.choices, help_text="expense or income."
    )

    class Meta:
        model = Post
        fields = ["agency", "chapter", "kind"]


@method_decorator(kept_page, name="list")
@extend_schema(parameters=PERIOD_PARAMETERS)
class PostViewSet(viewsets.ReadOnlyModelViewSet):
    """Posts with appropriation, accounts, remaining budget and linear spend at the end of a
    reporting period. Amounts are whole kroner as strings."""

    serializer_class = PostFiguresSerializer
    filterset_class = PostFilter
    ordering_fields: list[str] = []
    ordering = ["chapter__agency__code", "chapter__number", "number", "pk"]

    def get_queryset(self):
        return (
            Post.objects.select_related("chapter__agency")
            .filter(chapter__agency__in=agencies_visible_to(user=self.request.user))
            .order_by(*self.ordering)
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        # Each agency's posts at that agency's period: no post is measured against another
        # agency's period.
        periods = resolve_periods(request)
        queryset = self.filter_queryset(self.get_queryset()).filter(
            chapter__agency_id__in=[p.budget_year.agency_id for p in periods]
        )
        page = self.paginate_queryset(queryset)
        figures = figures_at_periods(periods=periods, posts=list(page))
        return self.get_paginated_response(self.get_serializer(figures, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        figures = figures_at_periods(periods=resolve_periods(request), posts=[self.get_object()])
        if not figures:
            raise exceptions.NotFound("No period of the post's agency matches.")
        return Response(self.get_serializer(figures[0]).data)


class SubPostFilter(django_filters.FilterSet):
    agency = agency_filter("post__chapter__agency__code")
    chapter = django_filters.CharFilter(
        field_name="post__chapter__number", help_text="Chapter number."
    )
    post = django_filters.CharFilter(method="filter_post", help_text="Post code: 1234.60.")

    class Meta:
        model = SubPost
        fields = ["agency", "chapter", "post"]

    def filter_post(self, queryset, name, value):
        chapter, _, number = value.partition(".")
        return queryset.filter(post__chapter__number=chapter, post__number=number)


class SubPostViewSet(viewsets.ReadOnlyModelViewSet):
    """Sub-posts (underposter) of the posts of the agencies the caller may read."""

    serializer_class = SubPostSerializer
    filterset_class = SubPostFilter
    ordering_fields = ["code"]
    ordering = ["post__chapter__agency__code", "post__chapter__number", "post__number", "code"]

    def get_queryset(self):
        return (
            SubPost.objects.select_related("post__chapter")
            .filter(post__chapter__agency__in=agencies_visible_to(user=self.request.user))
            .order_by(*self.ordering, "pk")
        )


class SubPostLineFilter(SubPostFilter):
    agency = agency_filter("subpost__post__chapter__agency__code")
    chapter = django_filters.CharFilter(
        field_name="subpost__post__chapter__number", help_text="Chapter number."
    )
    subpost = django_filters.CharFilter(
        field_name="subpost__code", help_text="Sub-post code (6010 ...)."
    )
    year = year_filter("period__budget_year__year")
    period = django_filters.CharFilter(
        method="filter_period",
        help_text="Period key with the agency (ABC-2006-H1); 2006-H1 alone matches that "
        "period of every agency the caller may read.",
    )
    kind = django_filters.ChoiceFilter(choices=LineKind.choices, help_text="Line kind.")

    class Meta:
        model = SubPostLine
        fields = ["agency", "chapter", "post", "subpost", "year", "period", "kind"]

    def filter_post(self, queryset, name, value):
        chapter, _, number = value.partition(".")
        return queryset.filter(subpost__post__chapter__number=chapter, subpost__post__number=number)

    def filter_period(self, queryset, name, value):
        return filter_period_slug(queryset, "period__", value)


class SubPostLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Lines of attachment 1 (payments per sub-post) in the periods the caller may read."""

    serializer_class = SubPostLineSerializer
    filterset_class = SubPostLineFilter
    ordering_fields = ["position"]
    ordering = [
        "period__budget_year__agency__code",
        "subpost__post__chapter__number",
        "subpost__post__number",
        "subpost__code",
        "period__end",
        "position",
        "pk",
    ]

    def get_queryset(self):
        lines = SubPostLine.objects.select_related(
            "subpost__post__chapter", "period__budget_year__agency"
        ).filter(
            period__in=periods_visible_to(user=self.request.user),
            # A line is its period's agency's: never another agency's post in that period.
            subpost__post__chapter__agency=F("period__budget_year__agency"),
        )
        return lines.order_by(*self.ordering)

    def get_serializer(self, *args, **kwargs):
        # The computed columns come from budget.selectors.LineFigures, per line.
        if args:
            items = args[0] if kwargs.get("many") else [args[0]]
            for line in items:
                line.figures = LineFigures(line=line)
        return super().get_serializer(*args, **kwargs)


class ControlViewSet(viewsets.GenericViewSet):
    """The control list: every figure the period's report states that differs from the
    computed one. For the directorate only (permission budget.view_controls)."""

    serializer_class = ControlSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=ControlSerializer(many=True))
    def list(self, request: Request) -> Response:
        if not request.user.has_perm("budget.view_controls"):
            raise exceptions.PermissionDenied("The control list is for the directorate only.")
        period = resolve_period(request)
        controls = period_controls(period=period)
        return Response(self.get_serializer(controls, many=True).data)
