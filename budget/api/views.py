from datetime import date

import django_filters
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
from budget.selectors import LineFigures, period_controls, post_figures
from goals.api.filters import filter_period_slug, year_filter
from goals.models import ReportingPeriod, parse_period_slug
from goals.selectors import periods_visible_to

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2200}

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        description="Period key (2006-H1, 2006 ...). Default: the latest period the caller "
        "may read, of `year` and ending on or before `date` when those are given.",
    ),
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


def resolve_period(request: Request) -> ReportingPeriod:
    """The reporting period whose end the figures are computed at, chosen by the query:
    ?period=2006-H1, or the latest readable period of ?year= ending by ?date=."""
    periods = periods_visible_to(user=request.user)
    params = request.query_params
    if "period" in params:
        parsed = parse_period_slug(params["period"])
        if parsed is None:
            raise exceptions.ValidationError({"period": "A period key such as IMDi-2006-H1."})
        periods = periods.filter(budget_year__year=parsed.year, kind=parsed.kind)
        if parsed.agency:
            periods = periods.filter(budget_year__agency__code=parsed.agency)
    if "year" in params:
        periods = periods.filter(budget_year__year=_parse_int(params["year"], "year"))
    if "date" in params:
        try:
            at = date.fromisoformat(params["date"])
        except ValueError:
            raise exceptions.ValidationError({"date": "A date, YYYY-MM-DD."}) from None
        periods = periods.filter(end__lte=at)
    period = periods.order_by("-end", "-start", "budget_year__agency__code").first()
    if period is None:
        raise exceptions.NotFound("No reporting period you may read matches.")
    return period


class ChapterFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ChapterKind.choices, help_text="expense or income.")
    number = django_filters.CharFilter(help_text="Chapter number (0651 ...).")

    class Meta:
        model = Chapter
        fields = ["kind", "number"]


class ChapterViewSet(viewsets.ReadOnlyModelViewSet):
    """Chapters (kapitler) of the state budget."""

    serializer_class = ChapterSerializer
    filterset_class = ChapterFilter
    ordering_fields = ["number"]
    ordering = ["number", "pk"]

    def get_queryset(self):
        return Chapter.objects.select_related("ministry").order_by(*self.ordering)


class PostFilter(django_filters.FilterSet):
    chapter = django_filters.CharFilter(
        field_name="chapter__number", help_text="Chapter number (0651 ...)."
    )
    kind = django_filters.ChoiceFilter(
        field_name="chapter__kind", choices=ChapterKind.choices, help_text="expense or income."
    )

    class Meta:
        model = Post
        fields = ["chapter", "kind"]


@extend_schema(parameters=PERIOD_PARAMETERS)
class PostViewSet(viewsets.ReadOnlyModelViewSet):
    """Posts with appropriation, accounts, remaining budget and linear spend at the end of a
    reporting period. Amounts are whole kroner as strings."""

    serializer_class = PostFiguresSerializer
    filterset_class = PostFilter
    ordering_fields: list[str] = []
    ordering = ["chapter__number", "number", "pk"]

    def get_queryset(self):
        return Post.objects.select_related("chapter").order_by(*self.ordering)

    def _figures(self, posts: list[Post]):
        return post_figures(period=resolve_period(self.request), posts=posts)

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        figures = self._figures(list(page))
        return self.get_paginated_response(self.get_serializer(figures, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        (figures,) = self._figures([self.get_object()])
        return Response(self.get_serializer(figures).data)


class SubPostFilter(django_filters.FilterSet):
    chapter = django_filters.CharFilter(
        field_name="post__chapter__number", help_text="Chapter number."
    )
    post = django_filters.CharFilter(method="filter_post", help_text="Post code: 0651.60.")

    class Meta:
        model = SubPost
        fields = ["chapter", "post"]

    def filter_post(self, queryset, name, value):
        chapter, _, number = value.partition(".")
        return queryset.filter(post__chapter__number=chapter, post__number=number)


class SubPostViewSet(viewsets.ReadOnlyModelViewSet):
    """Sub-posts (underposter) of posts."""

    serializer_class = SubPostSerializer
    filterset_class = SubPostFilter
    ordering_fields = ["code"]
    ordering = ["post__chapter__number", "post__number", "code", "pk"]

    def get_queryset(self):
        return SubPost.objects.select_related("post__chapter").order_by(*self.ordering)


class SubPostLineFilter(SubPostFilter):
    chapter = django_filters.CharFilter(
        field_name="subpost__post__chapter__number", help_text="Chapter number."
    )
    subpost = django_filters.CharFilter(
        field_name="subpost__code", help_text="Sub-post code (6010 ...)."
    )
    year = year_filter("period__budget_year__year")
    period = django_filters.CharFilter(
        method="filter_period", help_text="Period key (2006-H1 ...)."
    )
    kind = django_filters.ChoiceFilter(choices=LineKind.choices, help_text="Line kind.")

    class Meta:
        model = SubPostLine
        fields = ["chapter", "post", "subpost", "year", "period", "kind"]

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
        ).filter(period__in=periods_visible_to(user=self.request.user))
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
