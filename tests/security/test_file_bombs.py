"""Hostile and broken files: every import refuses them with a message naming the file or
the row, in bounded memory, and saves nothing (import_budget, import_settlement,
import_letter and the admin's import)."""

import io
import os
import re
import tracemalloc
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from budget.loaders import load_budget_demo
from budget.models import AccountsEntry
from goals.file_input import FileRefused, InputLimits, iter_rows
from goals.models import ReportingPeriod
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import CASE_FIELDS, load_counties
from settlement.models import SettlementCase
from tests.settlement.conftest import SETTLEMENT_FIXTURES

ACCOUNTS = "kapittel;post;periode;kategori;beløp\n0651;72;2006-H1;payments;1 000\n"
CASE_HEADER = ";".join(CASE_FIELDS) + "\n"
GOOD_CASE = "K1;reception;Sømalia;F;1980;;1;2006-08-01;;;;;;\n"


def bomb_workbook(*, part: str, megabytes: int) -> bytes:
    """A small XLSX whose one part expands to the given size (blank space compresses a
    thousandfold), written in chunks so the test itself stays small."""
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["kapittel", "post"])
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item, source.read(item))
        with target.open(part, "w") as handle:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                handle.write(chunk)
    return out.getvalue()


def peak_mb_of(function) -> float:
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / (1024 * 1024)


BAD_FILES = {
    "random bytes": ("a.csv", bytes(range(256)) * 40, "a NUL byte"),
    "undecodable": ("a.csv", b"kapittel;post\n\x81\x8d\x8f\x90\x9d;1\n", "UTF-8 or Windows-1252"),
    "not a zip": ("a.xlsx", b"kapittel;post\n0651;01\n", "not a zip archive"),
    "nul byte": ("a.csv", b"kapittel;post\n0651;01\n06\x0051;01\n", "row 3: a NUL byte"),
    "zip named csv": ("a.csv", b"PK\x03\x04" + b"\x00" * 40, "a zip archive or workbook"),
    "zip without workbook": ("a.xlsx", None, "without [Content_Types].xml"),
}


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_it_refuses_a_file_that_is_no_spreadsheet_with_its_reason(name, settings):
    filename, content, reason = BAD_FILES[name]
    content = content if content is not None else _zip_without_workbook()
    with pytest.raises(FileRefused) as refused:
        list(iter_rows(source=content, filename=filename))
    assert reason in str(refused.value)


def test_a_zip_bomb_is_refused_before_it_is_opened_in_constant_memory(settings):
    bomb = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=64)
    assert len(bomb) < 200 * 1024
    errors = []

    def read():
        try:
            list(iter_rows(source=bomb, filename="bomb.xlsx"))
        except FileRefused as exc:
            errors.append(str(exc))

    assert peak_mb_of(read) < 5
    assert errors and "refused as a zip bomb" in errors[0]


def test_a_workbook_whose_shared_strings_expand_too_far_is_refused(settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000
    bomb = bomb_workbook(part="xl/sharedStrings.xml", megabytes=40)
    with pytest.raises(FileRefused, match=r"sharedStrings\.xml' expands to 40,0 MB; at most 32,0"):
        list(iter_rows(source=bomb, filename="bomb.xlsx"))


def test_a_workbook_over_the_uncompressed_limit_is_refused(settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 8 * 1024 * 1024
    bomb = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=10)
    with pytest.raises(FileRefused, match="the workbook expands to 10,0 MB; at most 8,0 MB"):
        list(iter_rows(source=bomb, filename="bomb.xlsx"))


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("limit", "content", "filename", "message"),
    [
        ("max_rows", "a\n1\n2\n3\n", "a.csv", "row 4: more than 2 rows; split the file"),
        ("max_columns", "a;b;c\n", "a.csv", "row 1: more than 2 columns"),
        ("max_cell_chars", "a\nabcdef\n", "a.csv", "row 2: a cell of 6 characters; at most 5"),
        (
            "max_bytes",
            "a\n" + "1\n" * 100,
            "a.csv",
            "the file is 0,0 MB; at most 0,0 MB is accepted",
        ),
        ("max_columns", None, "a.xlsx", "row 1: more than 2 columns"),
        ("max_rows", None, "b.xlsx", "row 4: more than 2 rows; split the file"),
    ],
)
def test_rows_columns_cells_and_size_are_limited(limit, content, filename, message):
    limits = InputLimits.from_settings(
        **{limit: {"max_rows": 2, "max_columns": 2, "max_cell_chars": 5, "max_bytes": 50}[limit]}
    )
    if content is None:
        content = workbook([["a", "b", "c"]] if filename == "a.xlsx" else [["a"], [1], [2], [3]])
    else:
        content = content.encode()
    with pytest.raises(FileRefused) as refused:
        list(iter_rows(source=content, filename=filename, limits=limits))
    assert str(refused.value) == message


def test_a_sheet_that_claims_a_far_column_is_read_within_the_column_limit():
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.active.cell(row=1, column=16000, value=None)
    book.active.cell(row=2, column=1, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(iter_rows(source=buffer.getvalue(), filename="w.xlsx"))
    assert [cells[:2] for _, cells in rows] == [["a", "b"], ["x"]]
    assert all(len(cells) <= 51 for _, cells in rows)


# --- the commands -----------------------------------------------------------------------------


def command_error(name: str, *args) -> str:
    errors = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(name, *args, stdout=StringIO(), stderr=errors)
    return f"{failed.value}\n{errors.getvalue()}"


COMMAND_FILES = {
    "cp1252 with an undefined byte": ("f.csv", "kapittel;post\n\x81;1\n".encode("latin-1")),
    "random bytes": ("f.csv", os.urandom(4096) + b"\x00"),
    "a non-zip .xlsx": ("f.xlsx", b"this is text"),
    "a NUL byte": ("f.csv", b"kapittel;post\n0651\x00;01\n"),
    "a zip bomb": ("f.xlsx", None),
}


@pytest.fixture
def open_h1(organisation):
    load_budget_demo(directory=FIXTURES_DIR / "budget")
    ReportingPeriod.objects.filter(kind="H1").update(state="open")


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(COMMAND_FILES))
def test_import_budget_names_a_bad_file_and_saves_nothing(case, open_h1, tmp_path):
    filename, content = COMMAND_FILES[case]
    if content is None:
        content = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=32)
    path = tmp_path / filename
    path.write_bytes(content)
    before = AccountsEntry.objects.count()
    message = command_error("import_budget", str(path), "--year", "2006", "--agency", "IMDi")
    assert re.search(rf"^{filename}: (file|row \d+): ", message, re.M)
    assert "nothing was imported" in message
    assert AccountsEntry.objects.count() == before


@pytest.mark.django_db
def test_import_budget_names_an_over_long_text_and_wrong_columns(open_h1, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        ACCOUNTS.replace("1 000", "1 000;" + "x" * 400).replace("beløp", "beløp;merknad")
    )
    message = command_error("import_budget", str(path), "--year", "2006")
    assert "row 2, column 'merknad': at most 300 characters (this has 400)" in message
    path.write_text("navn;alder\nOla;40\n")
    message = command_error("import_budget", str(path), "--year", "2006")
    assert "cannot tell the table from the columns ['navn', 'alder']" in message


@pytest.mark.django_db
def test_import_budget_refuses_a_file_over_the_size_limit(open_h1, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    path = tmp_path / "a.csv"
    path.write_text(ACCOUNTS * 100)
    message = command_error("import_budget", str(path), "--year", "2006")
    assert "file: the file is 0,0 MB; at most 0,0 MB is accepted" in message


@pytest.fixture
def municipalities(organisation):
    load_counties(path=SETTLEMENT_FIXTURES / "counties.csv")
    call_command(
        "import_municipalities", SETTLEMENT_FIXTURES / "municipalities.csv", stdout=StringIO()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(COMMAND_FILES))
def test_import_settlement_names_a_bad_file_and_saves_nothing(case, municipalities, tmp_path):
    filename, content = COMMAND_FILES[case]
    if content is None:
        content = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=32)
    path = tmp_path / filename
    path.write_bytes(content)
    message = command_error("import_settlement", str(path), "--agency", "IMDi")
    assert str(path) in message and "nothing was imported" in message
    assert SettlementCase.objects.count() == 0


@pytest.mark.django_db
def test_import_settlement_reads_windows_1252_and_names_long_keys_and_missing_columns(
    municipalities, tmp_path
):
    path = tmp_path / "cases.csv"
    path.write_bytes((CASE_HEADER + GOOD_CASE).encode("cp1252"))
    call_command("import_settlement", str(path), "--agency", "IMDi", stdout=StringIO())
    assert SettlementCase.objects.get().nationality == "Sømalia"
    path.write_text(CASE_HEADER + GOOD_CASE.replace("K1", "K" * 40), encoding="utf-8")
    message = command_error("import_settlement", str(path), "--agency", "IMDi")
    assert "row 2, case_key: is 40 characters; at most 32" in message
    path.write_text("case_key;sex\nK9;F\n", encoding="utf-8")
    message = command_error("import_settlement", str(path), "--agency", "IMDi")
    assert "row 1: missing column(s): category, nationality, birth_year, permit_date" in message
    assert SettlementCase.objects.count() == 1


LETTER_FILES = {
    "random bytes": ("brev.xlsx", os.urandom(2048)),
    "a zip bomb": ("brev.xlsx", None),
    "undecodable YAML": ("brev.yaml", b"agency: \x81\x8d\n"),
    "deeply nested YAML": ("brev.yaml", b"[" * 20000 + b"]" * 20000),
    "a NUL byte in YAML": ("brev.yaml", b"agency: IM\x00Di\n"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(LETTER_FILES))
def test_import_letter_names_a_bad_file(case, organisation, tmp_path):
    filename, content = LETTER_FILES[case]
    if content is None:
        content = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=32)
    path = tmp_path / filename
    path.write_bytes(content)
    message = command_error("import_letter", str(path), "--agency", "IMDi", "--year", "2006")
    assert str(path) in message


@pytest.mark.django_db
def test_import_letter_refuses_a_file_over_its_size_without_reading_it(organisation, tmp_path):
    path = tmp_path / "brev.yaml"
    path.write_bytes(b"#" * (6 * 1024 * 1024))
    message = command_error("import_letter", str(path))
    assert "at most 5120 KB" in message


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model, municipalities):
    client.raise_request_exception = False
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def admin_upload(client, url: str, content: bytes, name: str, fmt: str = "0"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"resource": "0", "format": fmt, "import_file": upload})


CASES_URL = "/admin/settlement/settlementcase/import/"


@pytest.mark.django_db
def test_the_admin_accepts_the_documented_semicolon_csv(admin_client):
    content = ("agency;" + CASE_HEADER + "IMDi;" + GOOD_CASE).encode("utf-8")
    response = admin_upload(admin_client, CASES_URL, content, "cases.csv")
    assert response.status_code == 200
    assert "process_import" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "fmt", "reason"),
    [
        (os.urandom(1024) + b"\x00", "x.csv", "0", "NUL byte"),
        (b"no zip", "x.xlsx", "1", "not a zip archive"),
        (None, "bomb.xlsx", "1", "refused as a zip bomb"),
        (b"agency;case_key\n" + b"IMDi;" + b"K" * 6000 + b"\n", "x.csv", "0", "a cell of 6000"),
    ],
)
def test_the_admin_names_a_bad_file_without_a_traceback(
    admin_client, settings, content, name, fmt, reason
):
    settings.DEBUG = False
    if content is None:
        content = bomb_workbook(part="xl/worksheets/sheet1.xml", megabytes=32)
    response = admin_upload(admin_client, CASES_URL, content, name, fmt)
    page = response.content.decode()
    assert response.status_code == 200
    assert reason in page
    assert "Traceback" not in page and 'class="traceback"' not in page
    assert SettlementCase.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_refuses_a_file_over_the_size_limit(admin_client, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    content = ("agency;" + CASE_HEADER + ("IMDi;" + GOOD_CASE) * 50).encode()
    response = admin_upload(admin_client, CASES_URL, content, "cases.csv")
    assert "Filen er 0,0 MB; høyst 0,0 MB godtas." in response.content.decode()
