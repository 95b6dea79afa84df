"""Probes: no export writes a live formula (issue 12, bounded input: exports neutralise
formulas in every export, the admin's included)."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from goals.models import ReportingPeriod, StatusUpdate
from goals.spreadsheets import NeutralisingFormat, neutralise
from settlement.models import SettlementCase

PAYLOAD = "=cmd|' /C calc'!A0"


def export_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ExportMixin)
    ]


@pytest.mark.parametrize("model_admin", export_admins(), ids=lambda a: f"{a.model._meta.label}")
def test_it_offers_only_neutralising_spreadsheet_formats_in_every_admin(model_admin):
    formats = model_admin.get_export_formats()
    assert formats
    for export_format in formats:
        if export_format().get_title() in ("json", "yaml", "html"):
            continue
        assert issubclass(export_format, NeutralisingFormat), (model_admin, export_format)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (PAYLOAD, "'" + PAYLOAD),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-260028", "-260028"),
        ("Vanlig tekst", "Vanlig tekst"),
        (1813, 1813),
    ],
)
def test_it_neutralises_what_a_spreadsheet_would_evaluate(text, written):
    assert neutralise(text) == written


def _export(model_admin, export_format, queryset) -> bytes | str:
    resource = model_admin.get_export_resource_classes(None)[0]()
    dataset = resource.export(queryset=queryset)
    return export_format().export_data(dataset)


def _cells(data, title: str) -> list[str]:
    if title == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return [str(cell.value) for row in sheet.iter_rows() for cell in row]
    return [cell for row in csv.reader(io.StringIO(data)) for cell in row]


@pytest.fixture
def poisoned_update(organisation, demo_user):
    from goals.loaders import load_goals_demo
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")
    year = ReportingPeriod.objects.get(kind="Y")
    update = StatusUpdate.objects.filter(period__kind="H1").first()
    return StatusUpdate.objects.create(
        period=year, activity=update.activity, attainment=PAYLOAD, updated_by=demo_user("ne")
    )


@pytest.mark.parametrize("title", ["csv", "xlsx"])
def test_it_writes_a_status_updates_formula_as_text(poisoned_update, title):
    model_admin = admin.site._registry[StatusUpdate]
    [export_format] = [f for f in model_admin.get_export_formats() if f().get_title() == title]
    data = _export(model_admin, export_format, StatusUpdate.objects.filter(pk=poisoned_update.pk))
    cells = _cells(data, title)
    assert "'" + PAYLOAD in cells
    assert PAYLOAD not in cells


@pytest.mark.parametrize("title", ["csv", "xlsx"])
def test_it_writes_a_settlement_cases_formula_as_text(organisation, title):
    from goals.models import Agency
    from settlement.loaders import import_cases

    import_cases(
        rows=[
            {
                "case_key": "formel",
                "category": "reception",
                "nationality": PAYLOAD,
                "sex": "F",
                "birth_year": "1985",
                "permit_date": "2006-07-03",
                "ready_date": "2006-07-15",
            }
        ],
        agency=Agency.objects.get(code="IMDi"),
    )
    model_admin = admin.site._registry[SettlementCase]
    [export_format] = [f for f in model_admin.get_export_formats() if f().get_title() == title]
    cells = _cells(_export(model_admin, export_format, SettlementCase.objects.all()), title)
    assert "'" + PAYLOAD in cells
    assert PAYLOAD not in cells


def test_it_leaves_json_exports_as_data():
    assert base_formats.JSON in admin.site._registry[StatusUpdate].get_export_formats()
