from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from goals.models import (
    Agency,
    BudgetYear,
    Ministry,
    OrganisationalUnit,
    ReportingPeriod,
    UserProfile,
)


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class UnitInline(admin.TabularInline):
    model = OrganisationalUnit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ministry"]
    list_select_related = ["ministry"]
    search_fields = ["code", "name"]
    inlines = [UnitInline]


@admin.register(OrganisationalUnit)
class OrganisationalUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "agency"]
    list_filter = ["agency", "kind"]
    list_select_related = ["agency"]
    search_fields = ["code", "name"]


@admin.register(BudgetYear)
class BudgetYearAdmin(admin.ModelAdmin):
    list_display = ["agency", "year", "allocation_letter_date"]
    list_select_related = ["agency"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "start", "end", "deadline", "state", "submitted_at"]
    list_filter = ["state", "kind", "budget_year__agency"]
    list_select_related = ["budget_year__agency", "submitted_by"]
    # State changes go through the workflow services, which record who and why.
    readonly_fields = ["state", "submitted_at", "submitted_by"]


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ProfileUserAdmin(UserAdmin):
    inlines = [UserProfileInline]
