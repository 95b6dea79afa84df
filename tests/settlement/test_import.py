"""Importing case files (command and admin resource) and the municipality list."""

import csv
from io import StringIO

import openpyxl
import pytest
import tablib
from django.core.management import CommandError, call_command

from settlement.loaders import CASE_FIELDS, load_counties
from settlement.models import County, Municipality, SettlementCase
from settlement.resources import CASE_COLUMNS, SettlementCaseResource
from tests.settlement.conftest import SETTLEMENT_FIXTURES


@pytest.fixture
def municipalities(imdi):
    load_counties(path=SETTLEMENT_FIXTURES / "counties.csv")
    call_command(
        "import_municipalities", SETTLEMENT_FIXTURES / "municipalities.csv", stdout=StringIO()
    )


def case(**overrides) -> dict:
    row = {
        "agency": "IMDi",
        "case_key": "K1",
        "category": "reception",
        "nationality": "Somalia",
        "sex": "F",
        "birth_year": "1980",
        "family_group_key": "",
        "family_size": "1",
        # After 30.06.2006: what the submitted 2006-H1 counted is locked (goals.locking).
        "permit_date": "2006-10-01",
        "ready_date": "2006-10-20",
        "searched_out_date": "2007-02-01",
        "arrived_date": "",
        "settled_date": "2007-03-01",
        "municipality": "0301",
        "special_legal_ground": "",
    }
    row.update(overrides)
    return row


def write_csv(path, rows, delimiter=",", columns=CASE_FIELDS):
    """A case file; the command's files have no agency column (--agency names it), the
    admin's have one (CASE_COLUMNS)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=columns, delimiter=delimiter, extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_settlement", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_imports_a_csv_file(municipalities, tmp_path):
    path = write_csv(tmp_path / "cases.csv", [case(), case(case_key="K2", sex="M")])
    assert run(path).strip() == "IMDi: 2 created, 0 updated, 0 unchanged"
    assert SettlementCase.objects.get(case_key="K1").municipality.name == "Oslo"


def test_semicolon_separated_files_are_read_too(municipalities, tmp_path):
    path = write_csv(tmp_path / "cases.csv", [case()], delimiter=";")
    assert "1 created" in run(path)


def test_reimporting_a_case_key_updates_and_never_duplicates(municipalities, tmp_path):
    run(write_csv(tmp_path / "a.csv", [case(), case(case_key="K2")]))
    output = run(write_csv(tmp_path / "b.csv", [case(municipality="1201"), case(case_key="K2")]))
    assert output.strip() == "IMDi: 0 created, 1 updated, 1 unchanged"
    assert SettlementCase.objects.count() == 2
    assert SettlementCase.objects.get(case_key="K1").municipality.code == "1201"


def test_every_bad_row_is_named_and_nothing_is_saved(municipalities, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            case(case_key="OK"),
            case(case_key="K2", settled_date="2005-01-01"),
            case(case_key="K3", category="asylum", permit_date="01.10.2005"),
            case(case_key="K4", municipality="9999"),
            case(case_key="OK"),
        ],
    )
    with pytest.raises(CommandError, match="7 problem"):
        out = StringIO()
        call_command("import_settlement", path, stdout=out, stderr=out)
    lines = out.getvalue().splitlines()
    assert "row 3, settled_date: is before the permit date" in lines
    assert "row 3, settled_date: is before the searched-out date" in lines
    assert any(line.startswith("row 4, category: 'asylum' is not one of") for line in lines)
    assert "row 4, permit_date: '01.10.2005' is not a date (YYYY-MM-DD)" in lines
    assert "row 5, municipality: unknown municipality number '9999'" in lines
    assert "row 6, case_key: repeats row 2" in lines
    assert SettlementCase.objects.count() == 0


def test_date_order_and_category_rules(municipalities, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            case(arrived_date="2006-01-01"),
            case(case_key="K2", settled_date="2006-01-15", searched_out_date="2006-02-01"),
            case(case_key="K3", municipality=""),
            case(case_key="K4", sex="", birth_year="abc"),
        ],
    )
    with pytest.raises(CommandError):
        out = StringIO()
        call_command("import_settlement", path, stdout=out, stderr=out)
    lines = out.getvalue().splitlines()
    assert "row 2, arrived_date: only transfer refugees (OFF) have an arrival date" in lines
    assert "row 3, settled_date: is before the searched-out date" in lines
    assert "row 4, municipality: a settled case needs a municipality" in lines
    assert "row 5, sex: is required" in lines
    assert "row 5, birth_year: 'abc' is not a whole number" in lines


def test_it_imports_an_xlsx_file(municipalities, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(CASE_FIELDS))
    sheet.append([case()[name] for name in CASE_FIELDS])
    sheet.append([case(case_key="K2", birth_year=1990)[name] for name in CASE_FIELDS])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    assert "2 created" in run(path)
    assert SettlementCase.objects.get(case_key="K2").birth_year == 1990


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")


def dataset(rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(CASE_COLUMNS))
    for row in rows:
        data.append([row[name] for name in CASE_COLUMNS])
    return data


def test_the_admin_resource_imports_and_updates_by_case_key(municipalities):
    resource = SettlementCaseResource()
    result = resource.import_data(dataset([case(), case(case_key="K2")]), dry_run=False)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    result = resource.import_data(dataset([case(municipality="1201")]), dry_run=False)
    assert SettlementCase.objects.count() == 2
    assert SettlementCase.objects.get(case_key="K1").municipality.code == "1201"


def test_the_admin_resource_names_bad_rows_and_saves_nothing(municipalities):
    rows = [case(), case(case_key="K2", settled_date="2005-01-01"), case(case_key="K3")]
    result = SettlementCaseResource().import_data(dataset(rows), dry_run=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert "settled_date" in invalid.error_dict
    assert SettlementCase.objects.count() == 0


def test_the_admin_offers_the_import(client, municipalities, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    response = client.get("/admin/settlement/settlementcase/import/")
    assert response.status_code == 200


def test_import_municipalities_creates_and_updates(municipalities, tmp_path):
    assert Municipality.objects.count() == 59
    assert Municipality.objects.get(code="1201").county.name == "Hordaland"
    path = tmp_path / "kommuner.csv"
    path.write_text("code;name\n1201;Bergen kommune\n1151;Utsira\n", encoding="utf-8")
    out = StringIO()
    call_command("import_municipalities", path, stdout=out)
    assert out.getvalue().strip() == "2 municipalities imported"
    assert Municipality.objects.get(code="1201").name == "Bergen kommune"
    assert Municipality.objects.get(code="1151").county == County.objects.get(code="11")
    assert Municipality.objects.count() == 60


def test_import_municipalities_rejects_an_unknown_county(municipalities, tmp_path):
    path = tmp_path / "kommuner.csv"
    path.write_text("code;name\n2111;Svalbard\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, code: no county 21"):
        call_command("import_municipalities", path, stdout=StringIO())


def test_the_admin_import_page_lists_bad_rows_and_saves_nothing(
    client, municipalities, django_user_model, tmp_path
):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    rows = [case(), case(case_key="K2", settled_date="2005-01-01")]
    path = write_csv(tmp_path / "bad.csv", rows, columns=CASE_COLUMNS)
    with path.open("rb") as handle:
        response = client.post(
            "/admin/settlement/settlementcase/import/",
            {"resource": "0", "format": "0", "import_file": handle},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "is before the permit date" in page
    assert "process_import" not in page  # no confirm step while a row is bad
    assert SettlementCase.objects.count() == 0


def test_the_admin_import_page_imports_a_good_file(
    client, municipalities, django_user_model, tmp_path
):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    path = write_csv(tmp_path / "good.csv", [case(), case(case_key="K2")], columns=CASE_COLUMNS)
    with path.open("rb") as handle:
        response = client.post(
            "/admin/settlement/settlementcase/import/",
            {"resource": "0", "format": "0", "import_file": handle},
        )
    assert response.status_code == 200
    assert SettlementCase.objects.count() == 0  # the first step only previews
    assert "process_import" in response.content.decode()
