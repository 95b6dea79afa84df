from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Authorisation,
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


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "chapter"
    extra = 0


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "ministry"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stikkord", "credited_against"]
    list_select_related = ["chapter", "credited_against__chapter"]
    list_filter = ["chapter"]


@admin.register(AllocationEntry)
class AllocationEntryAdmin(ImportExportModelAdmin):
    """Import shows a preview and saves nothing while any row has a problem."""

    resource_classes = [AllocationEntryResource]
    list_display = ["post", "budget_year", "kind", "sequence", "amount", "date", "note"]
    list_select_related = ["post__chapter", "budget_year__agency"]
    list_filter = ["budget_year", "kind"]


@admin.register(AccountsEntry)
class AccountsEntryAdmin(ImportExportModelAdmin):
    resource_classes = [AccountsEntryResource]
    list_display = ["post", "period", "category", "amount"]
    list_select_related = ["post__chapter", "period__budget_year__agency"]
    list_filter = ["period", "category"]


@admin.register(SubPostLine)
class SubPostLineAdmin(ImportExportModelAdmin):
    resource_classes = [SubPostLineResource]
    list_display = ["subpost", "period", "position", "label", "kind", "amount", "rest"]
    list_select_related = ["subpost", "period__budget_year__agency"]
    list_filter = ["period", "subpost"]


@admin.register(SubPost)
class SubPostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "post"]
    list_select_related = ["post__chapter"]


for model in (
    Footnote,
    DispositionPart,
    DispositionTransfer,
    Authorisation,
    GrantStatistic,
    ReportedFigure,
    Commentary,
):
    admin.site.register(model)
