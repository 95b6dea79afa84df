"""Import and export of case files through django-import-export (the admin's import)."""

from import_export import fields, resources
from import_export.widgets import DateWidget, ForeignKeyWidget

from goals.models import Agency
from settlement.models import DATE_FIELDS, Municipality, SettlementCase

CASE_COLUMNS = (
    "agency",
    "case_key",
    "category",
    "nationality",
    "sex",
    "birth_year",
    "family_group_key",
    "family_size",
    *DATE_FIELDS,
    "municipality",
    "special_legal_ground",
)


class SettlementAgencyWidget(ForeignKeyWidget):
    """The agency column: an agency code, of an agency with the settlement module."""

    def __init__(self):
        super().__init__(Agency, field="code")

    def clean(self, value, row=None, **kwargs):
        code = (value or "").strip() if isinstance(value, str) else value
        if not code:
            raise ValueError("the agency code is required")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise ValueError(f"no agency with the code '{code}'")
        if not agency.has_settlement:
            raise ValueError(f"the agency {code} does not have the settlement module")
        return agency


class SettlementCaseResource(resources.ModelResource):
    """Case files as CSV or XLSX: an agency column (its code) and the columns of
    fixtures/settlement/cases_2006.csv.

    Rows are matched on agency and case key, so importing a file again updates its cases;
    every
    row is validated (the model's clean and constraints) and the admin saves nothing while
    any row is invalid.
    """

    agency = fields.Field(attribute="agency", column_name="agency", widget=SettlementAgencyWidget())
    municipality = fields.Field(
        attribute="municipality",
        column_name="municipality",
        widget=ForeignKeyWidget(Municipality, field="code"),
    )
    permit_date = fields.Field("permit_date", "permit_date", widget=DateWidget("%Y-%m-%d"))
    ready_date = fields.Field("ready_date", "ready_date", widget=DateWidget("%Y-%m-%d"))
    searched_out_date = fields.Field(
        "searched_out_date", "searched_out_date", widget=DateWidget("%Y-%m-%d")
    )
    arrived_date = fields.Field("arrived_date", "arrived_date", widget=DateWidget("%Y-%m-%d"))
    settled_date = fields.Field("settled_date", "settled_date", widget=DateWidget("%Y-%m-%d"))

    class Meta:
        model = SettlementCase
        import_id_fields = ["agency", "case_key"]
        fields = CASE_COLUMNS
        export_order = CASE_COLUMNS
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def import_data(self, dataset, **kwargs):
        # The admin passes this already; other callers get the same all-or-nothing import.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)
