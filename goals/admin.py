from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin

from goals.import_formats import BoundedImportMixin
from goals.letter_admin import imported_message, letter_import_step
from goals.locking import locked_writes_allowed
from goals.models import (
    Activity,
    Agency,
    BudgetYear,
    ChangeRecord,
    CoverLetter,
    CoverLetterSignatory,
    Deliverable,
    Feedback,
    Indicator,
    IndicatorValue,
    MainGoal,
    Ministry,
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
    StatisticalTableRow,
    StatusUpdate,
    UserProfile,
)
from goals.resources import (
    ActivityResource,
    IndicatorValueResource,
    ResultRequirementResource,
    StatusUpdateResource,
)
from goals.services import (
    ensure_period_is_open,
    period_locked_message,
    record_changes,
    requirement_of,
)
from goals.tenancy import ScopedChoicesMixin


@admin.register(Ministry)
class MinistryAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class UnitInline(ScopedChoicesMixin, admin.TabularInline):
    model = OrganisationalUnit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "name", "ministry"]
    list_select_related = ["ministry"]
    search_fields = ["code", "name"]
    inlines = [UnitInline]


@admin.register(OrganisationalUnit)
class OrganisationalUnitAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "agency"]
    list_filter = ["agency", "kind"]
    list_select_related = ["agency"]
    search_fields = ["code", "name"]


@admin.register(BudgetYear)
class BudgetYearAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["agency", "year", "allocation_letter_date"]
    list_select_related = ["agency"]
    change_list_template = "admin/goals/budgetyear/change_list.html"

    def get_urls(self):
        page = self.admin_site.admin_view(self.import_letter_view)
        return [
            path("import-letter/", page, name="goals_budgetyear_import_letter"),
            *super().get_urls(),
        ]

    def import_letter_view(self, request):
        # The letter creates and changes the year's goals, requirements and activities.
        if not (
            self.has_change_permission(request)
            and request.user.has_perms(["goals.add_maingoal", "goals.change_resultrequirement"])
        ):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        step = letter_import_step(data=data, files=request.FILES, user=request.user)
        if step.imported is not None:
            messages.success(request, imported_message(step=step))
            return redirect("admin:goals_budgetyear_changelist")
        context = {
            **self.admin_site.each_context(request),
            **step.context,
            "opts": self.model._meta,
            "title": _("Import allocation letter"),
        }
        return TemplateResponse(request, "admin/goals/budgetyear/import_letter.html", context)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "start", "end", "deadline", "state", "submitted_at"]
    list_filter = ["state", "kind", "budget_year__agency"]
    list_select_related = ["budget_year__agency", "submitted_by"]
    # State changes go through the workflow services, which record who and why.
    readonly_fields = ["state", "submitted_at", "submitted_by"]


class UserProfileInline(ScopedChoicesMixin, admin.StackedInline):
    model = UserProfile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ProfileUserAdmin(ScopedChoicesMixin, UserAdmin):
    inlines = [UserProfileInline]


class PeriodLockedAdminMixin:
    """Admin for period-bound content: a submitted or locked period is read-only here,
    and the page says why. Saving is refused even if a stale form is posted."""

    period_path = "period"

    def period_of(self, obj) -> ReportingPeriod | None:
        for part in self.period_path.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj

    def _locked(self, obj) -> bool:
        period = self.period_of(obj) if obj is not None else None
        return bool(period and period.is_locked and not locked_writes_allowed())

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if self._locked(obj):
            messages.warning(request, period_locked_message(period=self.period_of(obj)))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        admin = self

        class LockCheckingForm(form):
            def clean(self):
                cleaned = super().clean()
                period = cleaned.get("period") or admin.period_of(self.instance)
                if period is not None and period.is_locked:
                    raise ValidationError(period_locked_message(period=period))
                return cleaned

        return LockCheckingForm

    def save_model(self, request, obj, form, change):
        period = self.period_of(obj)
        if period is not None:
            ensure_period_is_open(period=period)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        period = self.period_of(obj)
        if period is not None:
            ensure_period_is_open(period=period)
        super().delete_model(request, obj)


class VersionedAnswerAdmin(
    ScopedChoicesMixin, PeriodLockedAdminMixin, BoundedImportMixin, ImportExportModelAdmin
):
    """Edits here are recorded and bump the version, like edits through the pages."""

    readonly_fields = ["version", "updated_by", "updated_at"]
    list_select_related = ["period__budget_year__agency"]
    list_filter = ["period"]

    def requirement_of_obj(self, obj):
        return None

    def save_model(self, request, obj, form, change):
        period = self.period_of(obj)
        ensure_period_is_open(period=period)
        changes = {
            name: (form.initial.get(name, ""), form.cleaned_data.get(name))
            for name in form.changed_data
        }
        obj.version = (obj.version or 0) + 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record_changes(
            obj=obj,
            changes=changes,
            user=request.user,
            requirement=self.requirement_of_obj(obj),
            period=period,
        )


@admin.register(PriorityArea)
class PriorityAreaAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["__str__", "budget_year", "responsible_unit"]


@admin.register(PriorityItem)
class PriorityItemAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["letter", "__str__", "area"]


@admin.register(MainGoal)
class MainGoalAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "title", "budget_year"]
    list_filter = ["budget_year"]


class DeliverableInline(ScopedChoicesMixin, admin.TabularInline):
    model = Deliverable
    extra = 0


@admin.register(ResultRequirement)
class ResultRequirementAdmin(ScopedChoicesMixin, BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [ResultRequirementResource]
    list_display = ["code", "main_goal", "responsible_unit"]
    list_filter = ["main_goal__budget_year", "responsible_unit"]
    list_select_related = ["main_goal", "responsible_unit"]
    search_fields = ["code", "text"]
    inlines = [DeliverableInline]


@admin.register(Deliverable)
class DeliverableAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["requirement", "due", "title"]
    list_select_related = ["requirement"]


@admin.register(SpecialReportingRequirement)
class SpecialReportingRequirementAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "requirement", "main_goal", "responsible_unit"]
    list_select_related = ["requirement", "main_goal", "responsible_unit"]
    search_fields = ["code", "text"]


@admin.register(OtherReportingTopic)
class OtherReportingTopicAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "title", "responsible_unit"]
    list_select_related = ["responsible_unit"]


@admin.register(Activity)
class ActivityAdmin(ScopedChoicesMixin, BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [ActivityResource]
    list_display = ["position", "__str__", "indicator_text", "budget_year"]
    list_filter = ["budget_year"]
    search_fields = ["activity", "indicator_text"]


@admin.register(Indicator)
class IndicatorAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "target", "target_date", "direction"]
    list_filter = ["budget_year", "direction"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(VersionedAnswerAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "period", "value", "measured_on"]
    list_select_related = ["indicator", "period__budget_year__agency"]

    def requirement_of_obj(self, obj):
        return requirement_of(parent=obj.indicator.parent)


class LockedInlineMixin:
    """Inline rows of a locked period's parent can be neither added, changed nor deleted."""

    def _locked(self, obj) -> bool:
        period = getattr(obj, "period", None)
        return bool(period and period.is_locked and not locked_writes_allowed())

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class StatisticalTableRowInline(ScopedChoicesMixin, LockedInlineMixin, admin.TabularInline):
    model = StatisticalTableRow
    extra = 0


@admin.register(StatisticalTable)
class StatisticalTableAdmin(ScopedChoicesMixin, PeriodLockedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "period"]
    list_select_related = ["period__budget_year__agency"]
    inlines = [StatisticalTableRowInline]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(VersionedAnswerAdmin):
    resource_classes = [StatusUpdateResource]
    list_display = ["activity", "period", "status", "state", "version", "updated_at"]
    list_filter = ["period", "status", "state"]
    list_select_related = ["activity", "period__budget_year__agency"]

    def requirement_of_obj(self, obj):
        return requirement_of(parent=obj.activity.parent)


@admin.register(RequirementNarrative)
class RequirementNarrativeAdmin(VersionedAnswerAdmin):
    list_display = ["requirement", "period", "version", "updated_at"]
    list_select_related = ["requirement", "period__budget_year__agency"]

    def requirement_of_obj(self, obj):
        return obj.requirement


@admin.register(SpecialReportingAnswer)
class SpecialReportingAnswerAdmin(VersionedAnswerAdmin):
    list_display = ["special", "period", "version"]
    list_select_related = ["special", "period__budget_year__agency"]


@admin.register(OtherReportingAnswer)
class OtherReportingAnswerAdmin(VersionedAnswerAdmin):
    list_display = ["topic", "period", "version"]
    list_select_related = ["topic", "period__budget_year__agency"]


@admin.register(PeriodReport)
class PeriodReportAdmin(ScopedChoicesMixin, PeriodLockedAdminMixin, admin.ModelAdmin):
    list_display = ["period", "front_page_title"]
    list_select_related = ["period__budget_year__agency"]


class SignatoryInline(ScopedChoicesMixin, LockedInlineMixin, admin.TabularInline):
    model = CoverLetterSignatory
    extra = 0


@admin.register(CoverLetter)
class CoverLetterAdmin(ScopedChoicesMixin, PeriodLockedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "period", "date"]
    list_select_related = ["period__budget_year__agency"]
    inlines = [SignatoryInline]


@admin.register(Feedback)
class FeedbackAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["requirement", "period", "author", "created_at"]
    list_select_related = ["requirement", "period__budget_year__agency", "author"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """History is evidence: it can be read, never edited."""

    list_display = ["changed_at", "changed_by", "requirement", "field", "old", "new"]
    list_select_related = ["changed_by", "requirement"]
    list_filter = ["period", "field"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodEvent)
class PeriodEventAdmin(ChangeRecordAdmin):
    list_display = ["created_at", "period", "kind", "actor", "reason"]
    list_select_related = ["period__budget_year__agency", "actor"]
    list_filter = ["kind"]
