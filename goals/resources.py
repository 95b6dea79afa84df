"""Spreadsheet import and export (django-import-export) with natural keys only.

Rows name their agency, period (slug) and the codes of what they belong to. Rows of a
submitted or locked period are refused with the reason, never written.
"""

from import_export import fields, resources, widgets

from goals.choices import ChangePath
from goals.history import change_context
from goals.locking import check_period_writable
from goals.models import (
    Activity,
    Indicator,
    IndicatorValue,
    MainGoal,
    OrganisationalUnit,
    ReportingPeriod,
    ResultRequirement,
    StatusUpdate,
    parse_period_slug,
)


def _period(row) -> ReportingPeriod:
    parsed = parse_period_slug(str(row.get("period") or ""))
    if parsed is None or parsed.agency not in (None, row.get("agency")):
        raise ValueError(f"unknown period '{row.get('period')}' of agency '{row.get('agency')}'")
    return ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by").get(
        budget_year__agency__code=row.get("agency"),
        budget_year__year=parsed.year,
        kind=parsed.kind,
    )


class PeriodWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _period(row)

    def render(self, value, obj=None, **kwargs):
        return value.short_slug if value else ""


class ActivityWidget(widgets.Widget):
    """An activity by its position in the year's reporting form."""

    def clean(self, value, row=None, **kwargs):
        return Activity.objects.get(budget_year=_period(row).budget_year, position=int(value))

    def render(self, value, obj=None, **kwargs):
        return value.position if value else ""


class IndicatorWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return Indicator.objects.get(budget_year=_period(row).budget_year, code=value)

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class MainGoalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return MainGoal.objects.get(
            budget_year__agency__code=row.get("agency"),
            budget_year__year=row.get("year"),
            code=value,
        )

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class UnitWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return OrganisationalUnit.objects.get(agency__code=row.get("agency"), code=value)

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class LockedPeriodMixin:
    """Refuses rows of submitted or locked periods before anything is saved; what an
    import changes is recorded like any other edit (goals.history), as an import by the
    user who runs it."""

    def import_data(self, dataset, *args, **kwargs):
        with change_context(path=ChangePath.IMPORT, user=kwargs.get("user")):
            return super().import_data(dataset, *args, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        check_period_writable(instance.period)
        if kwargs.get("user") is not None:
            instance.updated_by = kwargs["user"]
        super().before_save_instance(instance, row, **kwargs)

    def before_delete_instance(self, instance, row, **kwargs):
        check_period_writable(instance.period)
        super().before_delete_instance(instance, row, **kwargs)


class StatusUpdateResource(LockedPeriodMixin, resources.ModelResource):
    agency = fields.Field(
        attribute="period__budget_year__agency__code", column_name="agency", readonly=True
    )
    period = fields.Field(attribute="period", column_name="period", widget=PeriodWidget())
    activity = fields.Field(attribute="activity", column_name="position", widget=ActivityWidget())

    # Exported, never imported: approval goes through the approver (four eyes), and an
    # imported text of an approved update makes it a draft again (goals.history).
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    class Meta:
        model = StatusUpdate
        import_id_fields = ("period", "activity")
        fields = (
            "agency",
            "period",
            "activity",
            "status",
            "attainment",
            "deviation",
            "measures_done",
            "measures_planned",
            "state",
        )
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        # An import is a change like any other; the version tells open editors.
        instance.version = instance.version + 1 if instance.pk else 1


class IndicatorValueResource(LockedPeriodMixin, resources.ModelResource):
    agency = fields.Field(
        attribute="period__budget_year__agency__code", column_name="agency", readonly=True
    )
    period = fields.Field(attribute="period", column_name="period", widget=PeriodWidget())
    indicator = fields.Field(
        attribute="indicator",
        column_name="indicator",
        widget=IndicatorWidget(),
    )

    class Meta:
        model = IndicatorValue
        import_id_fields = ("period", "indicator")
        fields = ("agency", "period", "indicator", "value", "measured_on")
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.indicator.budget_year_id != instance.period.budget_year_id:
            raise ValueError("the indicator belongs to another budget year")
        instance.version = instance.version + 1 if instance.pk else 1


class ResultRequirementResource(resources.ModelResource):
    """The allocation letter's requirements (not period-bound)."""

    agency = fields.Field(
        attribute="main_goal__budget_year__agency__code", column_name="agency", readonly=True
    )
    year = fields.Field(attribute="main_goal__budget_year__year", column_name="year", readonly=True)
    main_goal = fields.Field(
        attribute="main_goal",
        column_name="main_goal",
        widget=MainGoalWidget(),
    )
    responsible_unit = fields.Field(
        attribute="responsible_unit",
        column_name="responsible_unit",
        widget=UnitWidget(),
    )

    class Meta:
        model = ResultRequirement
        import_id_fields = ("main_goal", "code")
        fields = ("agency", "year", "main_goal", "code", "text", "responsible_unit", "position")
        skip_unchanged = True


class ActivityResource(resources.ModelResource):
    agency = fields.Field(
        attribute="budget_year__agency__code", column_name="agency", readonly=True
    )
    year = fields.Field(attribute="budget_year__year", column_name="year", readonly=True)
    parent = fields.Field(column_name="parent", readonly=True)

    class Meta:
        model = Activity
        import_id_fields = ("position",)
        fields = ("agency", "year", "position", "parent", "activity", "indicator_text")
        # Structure changes (new rows, other parents) go through the fixture loader.
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            raise ValueError("new form rows are added through the fixture files")
        super().before_save_instance(instance, row, **kwargs)

    def dehydrate_parent(self, activity: Activity) -> str:
        return activity.parent_key

    def get_instance(self, instance_loader, row):
        return Activity.objects.filter(
            budget_year__agency__code=row.get("agency"),
            budget_year__year=row.get("year"),
            position=row.get("position"),
        ).first()
