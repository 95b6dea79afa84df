from django.db.models import Prefetch, QuerySet
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from goals.api import filters
from goals.api.pagination import KeysFirstLimitOffsetPagination
from goals.api.parsers import BoundedJSONParser
from goals.api.scope import scoped
from goals.api.serializers import (
    ActivitySerializer,
    DeliverableSerializer,
    FeedbackSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    MainGoalSerializer,
    NarrativeSerializer,
    ReportingPeriodSerializer,
    ResultRequirementSerializer,
    StatusUpdateSerializer,
)
from goals.api.writes import (
    ConflictHandlingMixin,
    DeliverableMetInput,
    FeedbackInput,
    IndicatorValueCreateInput,
    IndicatorValueInput,
    ModelPermissionForWrites,
    NarrativeCreateInput,
    NarrativeInput,
    ReturnInput,
    StatusUpdateCreateInput,
    StatusUpdateInput,
    call_service,
)
from goals.models import (
    Activity,
    Deliverable,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)
from goals.page_cache import kept_page
from goals.selectors import periods_visible_to
from goals.services import (
    add_feedback,
    approve_update,
    mark_ready,
    return_update,
    save_indicator_value,
    save_requirement_narrative,
    save_status_update,
    set_deliverable_met,
)

# What a parented row needs to name its parent and its ANSV unit without further queries.
PARENT_RELATIONS = (
    "budget_year",
    "requirement__responsible_unit",
    "priority_item__area__responsible_unit",
    "special__responsible_unit",
    "special__requirement__responsible_unit",
    "other_topic__responsible_unit",
)


class VersionedWriteViewSet(ConflictHandlingMixin, viewsets.ReadOnlyModelViewSet):
    """Read, plus POST (save by target and period, `version` 0 for a new entry) and PUT
    (save an existing entry) through the goals service named by `save`."""

    http_method_names = ["get", "post", "put", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, ModelPermissionForWrites]
    parser_classes = [BoundedJSONParser]
    create_input: type
    update_input: type
    target: str

    def save(self, **kwargs):
        raise NotImplementedError

    def _run(self, function, **kwargs):
        return call_service(
            function,
            conflict_serializer=self.get_serializer_class(),
            context=self.get_serializer_context(),
            **kwargs,
        )

    def _answer(self, obj, created: bool) -> Response:
        stored = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.get_serializer(stored).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def create(self, request, *args, **kwargs):
        data = self.create_input(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        obj = self._run(self.save, user=request.user, **values)
        return self._answer(obj, created=values["version"] == 0)

    def update(self, request, *args, **kwargs):
        current = self.get_object()
        data = self.update_input(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        obj = self._run(
            self.save,
            user=request.user,
            period=current.period,
            **{self.target: getattr(current, self.target)},
            **data.validated_data,
        )
        return self._answer(obj, created=False)


def write_schema(input_serializer, output_serializer, created: bool):
    responses = {200: output_serializer}
    if created:
        responses[201] = output_serializer
    responses[409] = OpenApiResponse(
        description="Stale `version`: `detail` explains, `current` is the stored version."
    )
    responses[423] = OpenApiResponse(
        description="The period is submitted or locked; `detail` says since when and by whom."
    )
    return extend_schema(request=input_serializer, responses=responses)


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


@method_decorator(kept_page, name="list")
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
        ).select_related("indicator", "period__budget_year__agency", "updated_by")
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


class IndicatorValueViewSet(VersionedWriteViewSet):
    """Measured indicator values (måleverdier) per period. Written by the unit that answers
    for the indicator's parent (ANSV) or an approver, in open periods."""

    serializer_class = IndicatorValueSerializer
    create_input = IndicatorValueCreateInput
    update_input = IndicatorValueInput
    target = "indicator"
    write_permissions = {
        "create": ("goals.change_indicatorvalue",),
        "update": ("goals.change_indicatorvalue",),
    }

    def save(self, **kwargs):
        return save_indicator_value(**kwargs)

    @write_schema(IndicatorValueCreateInput, IndicatorValueSerializer, created=True)
    def create(self, request, *args, **kwargs):
        """Save an indicator's value in a period; `version` 0 creates it."""
        return super().create(request, *args, **kwargs)

    @write_schema(IndicatorValueInput, IndicatorValueSerializer, created=False)
    def update(self, request, *args, **kwargs):
        """Save a new version of the value; send the `version` you read."""
        return super().update(request, *args, **kwargs)

    filterset_class = filters.IndicatorValueFilter
    ordering_fields = ["updated_at"]
    ordering = ["indicator__budget_year__year", "indicator__position", "period__end", "pk"]

    def get_queryset(self):
        values = IndicatorValue.objects.select_related(
            "indicator", "period__budget_year__agency", "updated_by"
        )
        return in_visible_periods(values, self.request.user).order_by(*self.ordering)


@method_decorator(kept_page, name="list")
class StatusUpdateViewSet(VersionedWriteViewSet):
    """Status updates: an activity's goal attainment in a period, with its workflow state.
    Writes follow the pages' rules: the unit that answers for the activity (ANSV) or an
    approver, open periods only, optimistic concurrency by `version`."""

    serializer_class = StatusUpdateSerializer
    create_input = StatusUpdateCreateInput
    update_input = StatusUpdateInput
    target = "activity"
    write_permissions = {
        "create": ("goals.change_statusupdate",),
        "update": ("goals.change_statusupdate",),
        "ready": ("goals.change_statusupdate",),
        "return_to_unit": ("goals.approve_statusupdate",),
        "approve": ("goals.approve_statusupdate",),
    }

    def save(self, **kwargs):
        return save_status_update(**kwargs)

    @write_schema(StatusUpdateCreateInput, StatusUpdateSerializer, created=True)
    def create(self, request, *args, **kwargs):
        """Save the status update of an activity in a period; `version` 0 creates it. Any
        edit sets the workflow state back to draft."""
        return super().create(request, *args, **kwargs)

    @write_schema(StatusUpdateInput, StatusUpdateSerializer, created=False)
    def update(self, request, *args, **kwargs):
        """Save a new version of the status update; send the `version` you read."""
        return super().update(request, *args, **kwargs)

    @write_schema(None, StatusUpdateSerializer, created=False)
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        """Mark a draft or returned update ready for the approver."""
        update = self._run(mark_ready, user=request.user, update=self.get_object())
        return self._answer(update, created=False)

    @write_schema(ReturnInput, StatusUpdateSerializer, created=False)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_unit(self, request, pk=None):
        """Return the update to its unit with a reason (approvers)."""
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        update = self._run(
            return_update,
            user=request.user,
            update=self.get_object(),
            reason=data.validated_data["reason"],
        )
        return self._answer(update, created=False)

    @write_schema(None, StatusUpdateSerializer, created=False)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the update (approvers)."""
        update = self._run(approve_update, user=request.user, update=self.get_object())
        return self._answer(update, created=False)

    filterset_class = filters.StatusUpdateFilter
    ordering_fields = ["updated_at"]
    ordering = ["period__budget_year__year", "period__end", "activity__position", "pk"]
    pagination_class = KeysFirstLimitOffsetPagination

    def get_queryset(self):
        updates = StatusUpdate.objects.select_related(
            "period__budget_year__agency",
            "updated_by",
            *(f"activity__{relation}" for relation in PARENT_RELATIONS),
        )
        return in_visible_periods(updates, self.request.user).order_by(*self.ordering)


class NarrativeViewSet(VersionedWriteViewSet):
    """Reporting on result requirements (part II): status, measures and next priorities.
    Written by the requirement's unit (ANSV) or an approver, in open periods."""

    serializer_class = NarrativeSerializer
    create_input = NarrativeCreateInput
    update_input = NarrativeInput
    target = "requirement"
    write_permissions = {
        "create": ("goals.change_requirementnarrative",),
        "update": ("goals.change_requirementnarrative",),
    }

    def save(self, **kwargs):
        return save_requirement_narrative(**kwargs)

    @write_schema(NarrativeCreateInput, NarrativeSerializer, created=True)
    def create(self, request, *args, **kwargs):
        """Save the narrative of a requirement in a period; `version` 0 creates it."""
        return super().create(request, *args, **kwargs)

    @write_schema(NarrativeInput, NarrativeSerializer, created=False)
    def update(self, request, *args, **kwargs):
        """Save a new version of the narrative; send the `version` you read."""
        return super().update(request, *args, **kwargs)

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
            "period__budget_year__agency", "requirement", "updated_by"
        )
        return in_visible_periods(narratives, self.request.user).order_by(*self.ordering)


class FeedbackViewSet(ConflictHandlingMixin, viewsets.ReadOnlyModelViewSet):
    """The ministry's comments on requirements in a period, and the directorate's replies.
    Comments stay possible after submission: that is when the ministry reads the report."""

    http_method_names = ["get", "post", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, ModelPermissionForWrites]
    parser_classes = [BoundedJSONParser]
    write_permissions = {"create": ("goals.add_feedback", "goals.reply_feedback")}
    serializer_class = FeedbackSerializer

    @extend_schema(request=FeedbackInput, responses={201: FeedbackSerializer})
    def create(self, request, *args, **kwargs):
        """Comment on a requirement in a period (ministry readers), or reply to a comment
        with `parent` (the directorate)."""
        data = FeedbackInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        feedback = call_service(
            add_feedback,
            conflict_serializer=FeedbackSerializer,
            context=self.get_serializer_context(),
            user=request.user,
            **data.validated_data,
        )
        stored = self.get_queryset().get(pk=feedback.pk)
        return Response(self.get_serializer(stored).data, status=status.HTTP_201_CREATED)

    filterset_class = filters.FeedbackFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "pk"]

    def get_queryset(self):
        feedback = Feedback.objects.select_related(
            "period__budget_year__agency", "requirement", "author"
        )
        return in_visible_periods(feedback, self.request.user).order_by(*self.ordering)


class DeliverableViewSet(ConflictHandlingMixin, viewsets.ReadOnlyModelViewSet):
    """Deliverables (leveranser) of the result requirements with their due date and the date
    they were met. The date met is recorded by the requirement's unit (ANSV) or an approver
    in an open period."""

    serializer_class = DeliverableSerializer
    filterset_class = filters.DeliverableFilter
    permission_classes = [permissions.IsAuthenticated, ModelPermissionForWrites]
    parser_classes = [BoundedJSONParser]
    write_permissions = {"met": ("goals.change_statusupdate",)}
    ordering_fields = ["due"]
    ordering = [
        "requirement__main_goal__budget_year__agency__code",
        "requirement__main_goal__budget_year__year",
        "requirement__main_goal__position",
        "requirement__position",
        "due",
        "pk",
    ]

    def get_queryset(self):
        deliverables = Deliverable.objects.select_related("requirement__main_goal__budget_year")
        return scoped(
            deliverables, self.request.user, "requirement__main_goal__budget_year__"
        ).order_by(*self.ordering)

    @extend_schema(
        request=DeliverableMetInput,
        responses={
            200: DeliverableSerializer,
            423: OpenApiResponse(description="The period is submitted or locked."),
        },
    )
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        """Record the date the deliverable was met (null: not met) in an open period."""
        data = DeliverableMetInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        deliverable = call_service(
            set_deliverable_met,
            conflict_serializer=DeliverableSerializer,
            context=self.get_serializer_context(),
            user=request.user,
            deliverable=self.get_object(),
            **data.validated_data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=deliverable.pk)).data)
