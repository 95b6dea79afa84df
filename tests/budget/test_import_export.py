"""Spreadsheet import and export of allocations, accounts and sub-post lines."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from budget.imports import export_budget_table, import_budget_file, read_spreadsheet
from budget.models import AccountsEntry, AllocationEntry, SubPostLine
from budget.resources import parse_whole_number
from goals.models import ReportingPeriod
from imdi_reporting.services import FIXTURES_DIR

EXAMPLES = FIXTURES_DIR / "budget" / "import"


def accounts_rows():
    return sorted(
        AccountsEntry.objects.values_list(
            "post__chapter__number", "post__number", "period__kind", "category", "amount", "note"
        )
    )


def allocation_rows():
    return sorted(
        AllocationEntry.objects.values_list(
            "post__chapter__number", "post__number", "kind", "sequence", "amount", "date", "note"
        ),
        key=str,
    )


def line_rows():
    return sorted(
        SubPostLine.objects.values_list(
            "subpost__code",
            "period__kind",
            "position",
            "label",
            "kind",
            "terms",
            "persons",
            "rate",
            "amount",
            "budget_persons",
            "budget_rate",
            "budget_amount",
            "rest",
            "footnotes",
            "budget_footnotes",
        ),
        key=str,
    )


@pytest.fixture
def open_h1(budget_2006):
    """The 2006 data with the half year reopened, so that it accepts imports."""
    ReportingPeriod.objects.filter(kind="H1").update(state="open")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 302 347 676", Decimal(1302347676)),
        ("1.302.347.676", Decimal(1302347676)),
        ("-260 028", Decimal(-260028)),
        ("1\u00a0302\u00a0347\u00a0676", Decimal(1302347676)),
        ("44772", Decimal(44772)),
        (44772, Decimal(44772)),
        ("8 980 000,00", Decimal(8980000)),
        ("", None),
    ],
)
def test_norwegian_numbers_are_read(text, expected):
    assert parse_whole_number(text) == expected


@pytest.mark.parametrize("text", ["=1+1", "+44772", "@SUM(A1)", "12x", "1,5", "1.30"])
def test_formulas_and_text_are_not_numbers(text):
    with pytest.raises(ValueError):
        parse_whole_number(text)


@pytest.mark.django_db
def test_a_good_windows_1252_comma_file_imports_the_accounts(open_h1):
    expected = accounts_rows()
    AccountsEntry.objects.all().delete()
    path = EXAMPLES / "accounts-2006-H1-windows-1252.csv"
    report = import_budget_file(content=path.read_bytes(), filename=path.name, year=2006)
    assert report.problems == []
    assert (report.table, report.rows, report.new, report.saved) == ("accounts", 13, 13, True)
    # The example's notes differ from the fixture's; the figures are the same.
    assert [r[:5] for r in accounts_rows()] == [r[:5] for r in expected]


@pytest.mark.django_db
def test_a_file_with_errors_imports_nothing_and_names_every_error(budget_2006):
    ReportingPeriod.objects.filter(kind="Y").update(state="open")
    before = accounts_rows()
    path = EXAMPLES / "accounts-errors.csv"
    report = import_budget_file(content=path.read_bytes(), filename=path.name, year=2006)
    assert not report.saved
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "kapittel", "unknown chapter 0659"),
        (4, "post", "unknown post 0651.99"),
        (5, "beløp", "'ti tusen' is not a whole number"),
        (6, "beløp", "'=SUM(E2:E3)' is a formula or text, not a number"),
        (7, "kategori", "duplicate of row 2"),
        (8, "periode", "the period 2006-H1 is locked"),
        (9, "kategori", "'gaver' is not one of salary, refunds, purchases, payments, income"),
    ]
    assert accounts_rows() == before


@pytest.mark.django_db
def test_the_dry_run_previews_without_saving(open_h1):
    AccountsEntry.objects.all().delete()
    path = EXAMPLES / "accounts-2006-H1.csv"
    report = import_budget_file(
        content=path.read_bytes(), filename=path.name, year=2006, dry_run=True
    )
    assert (report.problems, report.new, report.saved) == ([], 13, False)
    assert AccountsEntry.objects.count() == 0


@pytest.mark.django_db
def test_importing_the_same_file_twice_updates_instead_of_duplicating(open_h1):
    path = EXAMPLES / "accounts-2006-H1.csv"
    report = import_budget_file(content=path.read_bytes(), filename=path.name, year=2006)
    assert (report.new, report.updated) == (0, 13)
    assert AccountsEntry.objects.count() == 13


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("table", "rows", "model"),
    [
        ("allocations", allocation_rows, AllocationEntry),
        ("accounts", accounts_rows, AccountsEntry),
        ("lines", line_rows, SubPostLine),
    ],
)
def test_every_table_exports_and_reimports_to_the_same_data(open_h1, fmt, table, rows, model):
    before = rows()
    exported = export_budget_table(table=table, fmt=fmt)
    model.objects.all().delete()
    report = import_budget_file(content=exported, filename=f"export.{fmt}", year=2006)
    assert report.problems == []
    assert report.new == len(before)
    assert rows() == before


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_is_kept_as_text_and_neutralised_on_export(open_h1):
    AllocationEntry.objects.filter(post__number="72").update(note='=HYPERLINK("http://x")')
    exported = export_budget_table(table="allocations", fmt="csv").decode()
    assert "'=HYPERLINK" in exported
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_budget_table(table="allocations", fmt="xlsx"))
    )
    cells = [c.value for row in workbook.worksheets[0].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    AllocationEntry.objects.all().delete()
    import_budget_file(content=exported.encode(), filename="a.csv", year=2006)
    assert AllocationEntry.objects.get(post__number="72").note == '=HYPERLINK("http://x")'


@pytest.mark.django_db
def test_a_formula_cell_in_a_workbook_is_never_evaluated(open_h1):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["kapittel", "post", "periode", "kategori", "beløp"])
    sheet.append(["0651", "72", "2006-H1", "payments", "=400000*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_budget_file(content=buffer.getvalue(), filename="f.xlsx", year=2006)
    assert [(p.row, p.column) for p in report.problems] == [(2, "beløp")]
    assert read_spreadsheet(content=buffer.getvalue(), filename="f.xlsx")[0][4] == "=400000*2"


@pytest.mark.django_db
def test_lines_import_from_the_example_workbook(open_h1):
    before = line_rows()
    SubPostLine.objects.all().delete()
    path = EXAMPLES / "lines-2006-H1.xlsx"
    report = import_budget_file(content=path.read_bytes(), filename=path.name, year=2006)
    assert (report.problems, report.new) == ([], 24)
    assert line_rows() == before


@pytest.mark.django_db
def test_an_allocation_dated_in_a_locked_period_is_refused(budget_2006):
    content = "kapittel;post;type;beløp;dato\n0651;72;reallocation;100 000;2006-05-02\n"
    report = import_budget_file(content=content.encode(), filename="a.csv", year=2006)
    assert [str(p) for p in report.problems] == [
        "row 2, column 'dato': 2006-05-02 is in the locked period 2006-H1"
    ]


@pytest.mark.django_db
def test_an_unknown_sub_post_is_named(open_h1):
    content = "kapittel;post;underpost;periode;nr;tekst\n0651;60;6099;2006-H1;1;Ny linje\n"
    report = import_budget_file(content=content.encode(), filename="l.csv", year=2006)
    assert [str(p) for p in report.problems] == [
        "row 2, column 'underpost': unknown sub-post '6099' of post 0651.60"
    ]


@pytest.mark.django_db
def test_the_command_imports_and_dry_runs(open_h1, capsys):
    AccountsEntry.objects.all().delete()
    path = str(EXAMPLES / "accounts-2006-H1.csv")
    call_command("import_budget", path, "--year", "2006", "--dry-run")
    assert "would import 13 accounts row(s): 13 new" in capsys.readouterr().out
    assert AccountsEntry.objects.count() == 0
    call_command("import_budget", path, "--year", "2006")
    assert AccountsEntry.objects.count() == 13


@pytest.mark.django_db
def test_the_command_fails_on_a_bad_file_and_lists_the_problems(budget_2006, capsys):
    with pytest.raises(CommandError, match="7 problem"):
        call_command("import_budget", str(EXAMPLES / "accounts-errors.csv"), "--year", "2006")
    assert "row 3, column 'kapittel': unknown chapter 0659" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_page_serves_the_periods_table(budget_2006, client_for, fmt):
    url = reverse("budget:export", kwargs={"period": "2006-H1", "table": "accounts", "fmt": fmt})
    response = client_for("aid").get(url)
    assert response.status_code == 200
    dataset = read_spreadsheet(content=response.content, filename=f"x.{fmt}")
    assert len(dataset) == 13
