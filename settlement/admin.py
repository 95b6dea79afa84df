from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from goals.import_formats import BoundedCSV, BoundedImportMixin, BoundedXLSX
from goals.lock_admin import LockedAdminMixin
from goals.spreadsheets import EXPORT_FORMATS
from settlement.models import County, Forecast, Municipality, MunicipalPlaces, SettlementCase
from settlement.resources import SettlementCaseResource


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    list_select_related = ["county"]
    search_fields = ["code", "name"]


@admin.register(SettlementCase)
class SettlementCaseAdmin(LockedAdminMixin, BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [SettlementCaseResource]
    import_formats = [BoundedCSV, BoundedXLSX]
    export_formats = EXPORT_FORMATS
    list_display = [
        "agency",
        "case_key",
        "category",
        "nationality",
        "permit_date",
        "ready_date",
        "searched_out_date",
        "settled_date",
        "municipality",
    ]
    list_filter = ["agency", "category", "special_legal_ground", "sex"]
    list_select_related = ["agency", "municipality"]
    search_fields = ["case_key", "family_group_key"]
    raw_id_fields = ["municipality"]
    date_hierarchy = "settled_date"


@admin.register(MunicipalPlaces)
class MunicipalPlacesAdmin(LockedAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "municipality", "year", "requested", "accepted"]
    list_filter = ["agency", "year"]
    list_select_related = ["agency", "municipality"]
    search_fields = ["municipality__name", "municipality__code"]


@admin.register(Forecast)
class ForecastAdmin(LockedAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "year", "cut_off_date", "persons"]
    list_filter = ["agency", "year"]
    list_select_related = ["agency"]
