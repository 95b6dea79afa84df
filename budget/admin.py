"""Admin of the budget tables. Every row is an agency's: lists filter by agency, dropdowns
name the agency and year of what they offer (ABC 1234.01 Driftsutgifter, ABC 2006-H1),
and staff who are not superusers see and choose only their readable agencies' rows."""

from django import forms
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Authorisation,
    BudgetProfile,
    Chapter,
    Commentary,
    DispositionPart,
    DispositionTransfer,
    Footnote,
    GrantStatistic,
    Post,
    ReportedFigure,
    SubPost,
    SubPostLine,
)
from budget.resources import AccountsEntryResource, AllocationEntryResource, SubPostLineResource
from budget.selectors import agencies_visible_to
from goals.import_formats import BoundedImportMixin
from goals.lock_admin import LockedAdminMixin
from goals.models import BudgetYear, ReportingPeriod
from goals.spreadsheets import EXPORT_FORMATS

# The path from each model to its agency, for list filters and scoping.
AGENCY_PATHS = {
    Chapter: "agency",
    Post: "chapter__agency",
    SubPost: "post__chapter__agency",
    SubPostLine: "subpost__post__chapter__agency",
    GrantStatistic: "period__budget_year__agency",
}
POST_AGENCY = "post__chapter__agency"

# Dropdowns: the queryset (with what the label reads) and the label of each related model.
CHOICES = {
    Chapter: (
        lambda: Chapter.objects.select_related("agency"),
        lambda c: f"{c.agency.code} {c.number} {c.name}",
        "agency",
    ),
    Post: (
        lambda: Post.objects.select_related("chapter__agency"),
        lambda p: f"{p.chapter.agency.code} {p.code} {p.name}",
        "chapter__agency",
    ),
    SubPost: (
        lambda: SubPost.objects.select_related("post__chapter__agency"),
        lambda s: f"{s.post.chapter.agency.code} {s.post.code} {s.code} {s.name}",
        "post__chapter__agency",
    ),
    BudgetYear: (lambda: BudgetYear.objects.select_related("agency"), str, "agency"),
    ReportingPeriod: (
        lambda: ReportingPeriod.objects.select_related("budget_year__agency"),
        str,
        "budget_year__agency",
    ),
    DispositionPart: (
        lambda: DispositionPart.objects.select_related(
            "post__chapter__agency", "period__budget_year"
        ),
        lambda d: f"{d.post.chapter.agency.code} {d.post.code} {d.period.short_slug} {d.code}",
        "post__chapter__agency",
    ),
}


class LabelledChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, label_of=str, **kwargs):
        self.label_of = label_of
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.label_of(obj)


class AgencyScopedAdmin(LockedAdminMixin, admin.ModelAdmin):
    """Scopes the list and the dropdowns to the agencies the user may read; rows of a
    submitted report are read-only (goals.lock_admin)."""

    def agency_path(self) -> str:
        return AGENCY_PATHS.get(self.model, POST_AGENCY)

    def get_list_filter(self, request):
        return [f"{self.agency_path()}__code", *super().get_list_filter(request)]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        agencies = agencies_visible_to(user=request.user)
        return queryset.filter(**{f"{self.agency_path()}__in": agencies})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choice = CHOICES.get(db_field.related_model)
        if choice is None:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset, label, path = choice
        queryset = queryset()
        if not request.user.is_superuser:
            agencies = agencies_visible_to(user=request.user)
            queryset = queryset.filter(**{f"{path}__in": agencies})
        kwargs.update(queryset=queryset, label_of=label, form_class=LabelledChoiceField)
        return db_field.formfield(**kwargs)


class ImportExportScopedAdmin(BoundedImportMixin, AgencyScopedAdmin, ImportExportModelAdmin):
    """Import shows a preview and saves nothing while any row has a problem. A staff
    member of one agency imports into that agency; a superuser's rows name theirs by the
    chapter, a 'virksomhet' column or the period's full key."""

    export_formats = EXPORT_FORMATS

    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        agencies = list(agencies_visible_to(user=request.user)[:2])
        if not request.user.is_superuser and len(agencies) == 1:
            kwargs["agency_code"] = agencies[0].code
        return kwargs


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "chapter"
    extra = 0


@admin.register(Chapter)
class ChapterAdmin(AgencyScopedAdmin):
    list_display = ["number", "name", "agency", "kind", "ministry", "under_authorisation"]
    list_select_related = ["agency", "ministry"]
    list_filter = ["kind"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(AgencyScopedAdmin):
    list_display = ["__str__", "agency", "stikkord", "credited_against"]
    list_select_related = ["chapter__agency", "credited_against__chapter"]

    @admin.display(description=Chapter._meta.get_field("agency").verbose_name)
    def agency(self, obj: Post) -> str:
        return obj.chapter.agency.code


@admin.register(AllocationEntry)
class AllocationEntryAdmin(ImportExportScopedAdmin):
    resource_classes = [AllocationEntryResource]
    list_display = ["post", "budget_year", "kind", "sequence", "amount", "date", "note"]
    list_select_related = ["post__chapter", "budget_year__agency"]
    list_filter = ["budget_year__year", "kind"]


@admin.register(AccountsEntry)
class AccountsEntryAdmin(ImportExportScopedAdmin):
    resource_classes = [AccountsEntryResource]
    list_display = ["post", "period", "category", "amount"]
    list_select_related = ["post__chapter", "period__budget_year__agency"]
    list_filter = ["period__budget_year__year", "period__kind", "category"]


@admin.register(SubPostLine)
class SubPostLineAdmin(ImportExportScopedAdmin):
    resource_classes = [SubPostLineResource]
    list_display = ["subpost", "period", "position", "label", "kind", "amount", "rest"]
    list_select_related = ["subpost", "period__budget_year__agency"]
    list_filter = ["period__budget_year__year", "period__kind"]


@admin.register(SubPost)
class SubPostAdmin(AgencyScopedAdmin):
    list_display = ["code", "name", "post"]
    list_select_related = ["post__chapter"]


@admin.register(BudgetProfile)
class BudgetProfileAdmin(AgencyScopedAdmin):
    list_display = ["post", "budget_year", "month", "amount"]
    list_select_related = ["post__chapter", "budget_year__agency"]
    list_filter = ["budget_year__year"]


for model in (
    Footnote,
    DispositionPart,
    DispositionTransfer,
    Authorisation,
    GrantStatistic,
    ReportedFigure,
    Commentary,
):
    admin.site.register(model, AgencyScopedAdmin)
