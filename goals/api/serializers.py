import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
)

# A sentence ends at ".", "!" or "?" before white space and a capital letter, so that
# abbreviations inside a sentence ("6 mnd. etter", "bl.a. ved") do not end it.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")


def first_sentence(text: str) -> str:
    """The requirement's title: its first sentence, or the whole text if it has one only."""
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def report_links(slug: str) -> dict[str, str]:
    return {"pdf": f"/rapporter/{slug}.pdf", "html": f"/rapporter/{slug}/"}


class ReportLinksSerializer(serializers.Serializer):
    pdf = serializers.CharField(help_text="The archival PDF/A of the period's report.")
    html = serializers.CharField(help_text="The period's report as a web page.")


class ReportingPeriodSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(
        source="budget_year.agency.code", read_only=True, help_text="The agency's code."
    )
    year = serializers.IntegerField(
        source="budget_year.year", read_only=True, help_text="The budget year."
    )
    slug = serializers.SerializerMethodField(help_text="The period's key, e.g. 2006-H1 or 2006.")
    submitted_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who submitted the period.",
    )
    report = serializers.SerializerMethodField(
        help_text="Links (paths on this server) to the period's report."
    )

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "slug",
            "agency",
            "year",
            "kind",
            "start",
            "end",
            "deadline",
            "state",
            "submitted_at",
            "submitted_by",
            "report",
        ]
        extra_kwargs = {
            "id": {"help_text": "The period's id."},
            "kind": {"help_text": "T1 (1. tertial), H1 (halvår), T2 (2. tertial) or Y (år)."},
            "start": {"help_text": "First day of the period."},
            "end": {"help_text": "Last day of the period."},
            "deadline": {"help_text": "When the report is due at the ministry."},
            "state": {"help_text": "open, submitted or locked; only open periods accept changes."},
            "submitted_at": {"help_text": "When the period was submitted to the ministry."},
        }

    @extend_schema_field(serializers.CharField)
    def get_slug(self, period: ReportingPeriod) -> str:
        return period.slug

    @extend_schema_field(ReportLinksSerializer)
    def get_report(self, period: ReportingPeriod) -> dict[str, str]:
        return report_links(period.slug)


class MainGoalSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(
        source="budget_year.agency.code", read_only=True, help_text="The agency's code."
    )
    year = serializers.IntegerField(
        source="budget_year.year", read_only=True, help_text="The budget year."
    )

    class Meta:
        model = MainGoal
        fields = ["id", "code", "title", "agency", "year", "position"]
        extra_kwargs = {
            "id": {"help_text": "The main goal's id."},
            "code": {"help_text": "HM1, HM2 ... as in the allocation letter."},
            "title": {"help_text": "The main goal (hovedmål) as worded in the allocation letter."},
            "position": {"help_text": "Order in the allocation letter."},
        }


class ResultRequirementSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(
        help_text="The first sentence of the requirement's text (the whole text if it is one "
        "sentence)."
    )
    main_goal = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The main goal's code (HM1 ...)."
    )
    main_goal_id = serializers.IntegerField(read_only=True, help_text="The main goal's id.")
    responsible_unit = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The unit that answers for it (ANSV)."
    )
    year = serializers.IntegerField(
        source="main_goal.budget_year.year", read_only=True, help_text="The budget year."
    )

    class Meta:
        model = ResultRequirement
        fields = [
            "id",
            "code",
            "title",
            "text",
            "main_goal",
            "main_goal_id",
            "responsible_unit",
            "year",
            "position",
        ]
        extra_kwargs = {
            "id": {"help_text": "The requirement's id."},
            "code": {"help_text": "R1-1, R1-2 ... as in the allocation letter."},
            "text": {"help_text": "The requirement (resultatkrav) as worded in the letter."},
            "position": {"help_text": "Order under the main goal."},
        }

    @extend_schema_field(serializers.CharField)
    def get_title(self, requirement: ResultRequirement) -> str:
        return first_sentence(requirement.text)


def responsible_unit_code(item) -> str | None:
    """The ANSV unit of an activity's or indicator's parent; None means the whole agency."""
    if item.requirement_id:
        return item.requirement.responsible_unit.code
    if item.special_id:
        special = item.special
        if special.responsible_unit_id:
            return special.responsible_unit.code
        if special.requirement_id:
            return special.requirement.responsible_unit.code
        return None
    if item.other_topic_id:
        unit = item.other_topic.responsible_unit
        return unit.code if unit else None
    unit = item.priority_item.area.responsible_unit
    return unit.code if unit else None


class ParentedFields(serializers.ModelSerializer):
    year = serializers.IntegerField(
        source="budget_year.year", read_only=True, help_text="The budget year."
    )
    parent = serializers.CharField(
        source="parent_key",
        read_only=True,
        help_text="What it reports on: requirement:R1-1, priority:a, special:HM1-S1 or other:it.",
    )
    requirement = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="The result requirement's code, when the parent is a requirement.",
    )
    responsible_unit = serializers.SerializerMethodField(
        help_text="The unit that answers for the parent (ANSV); null means the whole agency."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_responsible_unit(self, item) -> str | None:
        return responsible_unit_code(item)


class ActivitySerializer(ParentedFields):
    class Meta:
        model = Activity
        fields = [
            "id",
            "year",
            "position",
            "parent",
            "requirement",
            "responsible_unit",
            "activity",
            "indicator_text",
        ]
        extra_kwargs = {
            "id": {"help_text": "The activity's id."},
            "position": {"help_text": "Row number in the reporting form (part V)."},
            "activity": {"help_text": "The activity (aktivitet)."},
            "indicator_text": {"help_text": "The form's indicator column for the activity."},
        }


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The indicator's id.")
    indicator_code = serializers.CharField(
        source="indicator.code", read_only=True, help_text="The indicator's code."
    )
    period = serializers.CharField(
        source="period.slug", read_only=True, help_text="The period's key (2006-H1 ...)."
    )
    value = serializers.DecimalField(
        max_digits=15, decimal_places=2, read_only=True, help_text="The measured value."
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who saved the current version; null for loaded data.",
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "period",
            "value",
            "measured_on",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The value's id."},
            "measured_on": {"help_text": "When the value was measured."},
            "version": {"help_text": "Increases on every save; send it back when updating."},
            "updated_at": {"help_text": "When the current version was saved."},
        }


class IndicatorSerializer(ParentedFields):
    target = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The target value.",
    )
    baseline = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The baseline as a number, when it is one.",
    )
    activity = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The activity's id, when it has one."
    )
    values = IndicatorValueSerializer(
        many=True,
        read_only=True,
        source="visible_values",
        help_text="Measured values in the periods the caller may read, oldest first.",
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "year",
            "parent",
            "requirement",
            "responsible_unit",
            "activity",
            "name",
            "unit",
            "target",
            "target_date",
            "direction",
            "baseline",
            "baseline_text",
            "note",
            "position",
            "values",
        ]
        extra_kwargs = {
            "id": {"help_text": "The indicator's id."},
            "code": {"help_text": "The indicator's key."},
            "name": {"help_text": "What is measured."},
            "unit": {"help_text": "The unit of measurement (persons, %, ...)."},
            "target_date": {"help_text": "When the target should be reached."},
            "direction": {
                "help_text": "Which way is better: increase, decrease, at_least, at_most."
            },
            "baseline_text": {"help_text": "The baseline when it is not a number."},
            "note": {"help_text": "Notes on the indicator."},
            "position": {"help_text": "Order in the form."},
        }


class StatusUpdateSerializer(serializers.ModelSerializer):
    activity = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The activity's id.")
    period = serializers.CharField(
        source="period.slug", read_only=True, help_text="The period's key (2006-H1 ...)."
    )
    requirement = serializers.SerializerMethodField(
        help_text="The result requirement's code, when the activity reports on one."
    )
    responsible_unit = serializers.SerializerMethodField(
        help_text="The unit that answers for the activity (ANSV); null means the whole agency."
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who saved the current version; null for loaded data.",
    )

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "activity",
            "period",
            "requirement",
            "responsible_unit",
            "status",
            "attainment",
            "deviation",
            "measures_done",
            "measures_planned",
            "state",
            "return_reason",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The status update's id."},
            "status": {"help_text": "Goal attainment: achieved, on_track, deviation, not_started."},
            "attainment": {"help_text": "Goal attainment (måloppnåelse) in words."},
            "deviation": {"help_text": "Deviation and remarks."},
            "measures_done": {"help_text": "Measures carried out."},
            "measures_planned": {"help_text": "Measures planned."},
            "state": {"help_text": "Workflow: draft, ready, returned or approved."},
            "return_reason": {"help_text": "Why the approver returned it."},
            "version": {"help_text": "Increases on every save; send it back when updating."},
            "updated_at": {"help_text": "When the current version was saved."},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requirement(self, update: StatusUpdate) -> str | None:
        return update.activity.requirement.code if update.activity.requirement_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_responsible_unit(self, update: StatusUpdate) -> str | None:
        return responsible_unit_code(update.activity)


class NarrativeSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The result requirement's code."
    )
    requirement_id = serializers.IntegerField(read_only=True, help_text="The requirement's id.")
    period = serializers.CharField(
        source="period.slug", read_only=True, help_text="The period's key (2006-H1 ...)."
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who saved the current version; null for loaded data.",
    )

    class Meta:
        model = RequirementNarrative
        fields = [
            "id",
            "requirement",
            "requirement_id",
            "period",
            "status",
            "measures_done",
            "next_priorities",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The narrative's id."},
            "status": {"help_text": "Status of the requirement in the period, in words."},
            "measures_done": {"help_text": "Measures carried out."},
            "next_priorities": {"help_text": "Priorities for the next period."},
            "version": {"help_text": "Increases on every save; send it back when updating."},
            "updated_at": {"help_text": "When the current version was saved."},
        }


class FeedbackSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The result requirement's code."
    )
    requirement_id = serializers.IntegerField(read_only=True, help_text="The requirement's id.")
    period = serializers.CharField(
        source="period.slug", read_only=True, help_text="The period's key (2006-H1 ...)."
    )
    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who wrote it."
    )
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The comment this replies to."
    )

    class Meta:
        model = Feedback
        fields = [
            "id",
            "requirement",
            "requirement_id",
            "period",
            "author",
            "text",
            "parent",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The comment's id."},
            "text": {"help_text": "The comment or reply."},
            "created_at": {"help_text": "When it was written."},
        }


class DeliverableSerializer(serializers.ModelSerializer):
    requirement = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The requirement's code (R1-1 ...)."
    )
    requirement_id = serializers.IntegerField(read_only=True, help_text="The requirement's id.")
    year = serializers.IntegerField(
        source="requirement.main_goal.budget_year.year", read_only=True, help_text="Budget year."
    )
    met_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date it was met; null while it is not."
    )

    class Meta:
        model = Deliverable
        fields = ["id", "requirement", "requirement_id", "year", "due", "title", "met_on"]
        extra_kwargs = {
            "id": {"help_text": "The deliverable's id."},
            "due": {"help_text": "The due date in the allocation letter."},
            "title": {"help_text": "What is to be delivered."},
        }
