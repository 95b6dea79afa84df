from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin

from goals.choices import PeriodEventKind
from goals.import_formats import BoundedImportMixin
from goals.letter_admin import imported_message, letter_import_step
from goals.lock_admin import LockedAdminMixin, LockedInlineMixin
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
    record_event,
)
from goals.spreadsheets import EXPORT_FORMATS
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
class BudgetYearAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
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
class ReportingPeriodAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
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


class PeriodLockedAdminMixin(LockedAdminMixin):
    """Admin for period-bound content: a submitted or locked period is read-only here,
    and the page says why (goals.lock_admin)."""

    period_path = "period"

    def period_of(self, obj) -> ReportingPeriod | None:
        for part in self.period_path.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj


class VersionedAnswerAdmin(
    ScopedChoicesMixin, PeriodLockedAdminMixin, BoundedImportMixin, ImportExportModelAdmin
):
    """Edits here are recorded and bump the version, like edits through the pages."""

    export_formats = EXPORT_FORMATS
    readonly_fields = ["version", "updated_by", "updated_at"]
    list_select_related = ["period__budget_year__agency"]
    list_filter = ["period"]

    def save_model(self, request, obj, form, change):
        period = self.period_of(obj)
        ensure_period_is_open(period=period)
        obj.version = (obj.version or 0) + 1
        obj.updated_by = request.user
        # goals.history records each changed field, with the admin as the path; an edited
        # approved update goes back to draft there too.
        super().save_model(request, obj, form, change)
        record_event(period=period, kind=PeriodEventKind.SAVED, user=request.user, subject=str(obj))


@admin.register(PriorityArea)
class PriorityAreaAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "budget_year", "responsible_unit"]


@admin.register(PriorityItem)
class PriorityItemAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["letter", "__str__", "area"]


@admin.register(MainGoal)
class MainGoalAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "budget_year"]
    list_filter = ["budget_year"]


class DeliverableInline(ScopedChoicesMixin, LockedInlineMixin, admin.TabularInline):
    model = Deliverable
    extra = 0


@admin.register(ResultRequirement)
class ResultRequirementAdmin(
    ScopedChoicesMixin, LockedAdminMixin, BoundedImportMixin, ImportExportModelAdmin
):
    export_formats = EXPORT_FORMATS
    resource_classes = [ResultRequirementResource]
    list_display = ["code", "main_goal", "responsible_unit"]
    list_filter = ["main_goal__budget_year", "responsible_unit"]
    list_select_related = ["main_goal", "responsible_unit"]
    search_fields = ["code", "text"]
    inlines = [DeliverableInline]


@admin.register(Deliverable)
class DeliverableAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["requirement", "due", "title"]
    list_select_related = ["requirement"]


@admin.register(SpecialReportingRequirement)
class SpecialReportingRequirementAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "requirement", "main_goal", "responsible_unit"]
    list_select_related = ["requirement", "main_goal", "responsible_unit"]
    search_fields = ["code", "text"]


@admin.register(OtherReportingTopic)
class OtherReportingTopicAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "responsible_unit"]
    list_select_related = ["responsible_unit"]


@admin.register(Activity)
class ActivityAdmin(
    ScopedChoicesMixin, LockedAdminMixin, BoundedImportMixin, ImportExportModelAdmin
):
    export_formats = EXPORT_FORMATS
    resource_classes = [ActivityResource]
    list_display = ["position", "__str__", "indicator_text", "budget_year"]
    list_filter = ["budget_year"]
    search_fields = ["activity", "indicator_text"]


@admin.register(Indicator)
class IndicatorAdmin(ScopedChoicesMixin, LockedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "target", "target_date", "direction"]
    list_filter = ["budget_year", "direction"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(VersionedAnswerAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "period", "value", "measured_on"]
    list_select_related = ["indicator", "period__budget_year__agency"]


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


@admin.register(RequirementNarrative)
class RequirementNarrativeAdmin(VersionedAnswerAdmin):
    list_display = ["requirement", "period", "version", "updated_at"]
    list_select_related = ["requirement", "period__budget_year__agency"]


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
    """The author of a comment is never rewritten: a new comment is the administrator's
    own, and an edit is recorded in the history under the editor's name."""

    list_display = ["requirement", "period", "author", "created_at"]
    list_select_related = ["requirement", "period__budget_year__agency", "author"]
    readonly_fields = ["author", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


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
