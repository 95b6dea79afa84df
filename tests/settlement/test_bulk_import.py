"""The case import at bulk speed: the same queries for any number of rows, chunks written
in one transaction that a bad row undoes, a capped problem list, and large admin imports
on the worker."""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Agency
from imdi_reporting.models import ImportJob
from settlement import loaders
from settlement.loaders import CASE_FIELDS, MAX_LISTED_PROBLEMS, CaseImportError, import_cases
from settlement.models import SettlementCase
from tests.settlement.test_import import municipalities  # noqa: F401


def case(key: str, **overrides) -> dict:
    row = dict.fromkeys(CASE_FIELDS, "")
    row.update(
        case_key=key,
        category="reception",
        nationality="Somalia",
        sex="F",
        birth_year="1980",
        family_size="1",
        # After 30.06.2006: the cases the submitted 2006-H1 report counted refuse writes.
        permit_date="2006-07-03",
        settled_date="2006-08-01",
        municipality="0301",
    )
    row.update(overrides)
    return row


def cases_file(rows: list[dict], *, agency: str | None = None) -> bytes:
    columns = (["agency"] if agency else []) + list(CASE_FIELDS)
    lines = [";".join(columns)]
    lines += [";".join(([agency] if agency else []) + [r[c] for c in CASE_FIELDS]) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def run(rows: list[dict], **options):
    agency = Agency.objects.get(code="IMDi")
    with CaptureQueriesContext(connection) as queries:
        counts = import_cases(rows=rows, agency=agency, **options)
    return counts, [q["sql"] for q in queries.captured_queries]


def history(queries: list[str]) -> list[str]:
    return [
        q
        for q in queries
        if q.startswith(('INSERT INTO "goals_changerecord"', 'COPY "goals_changerecord"'))
    ]


def bumps(queries: list[str]) -> list[str]:
    return [q for q in queries if q.startswith('UPDATE "goals_cachegeneration"')]


def own(queries: list[str]) -> list[str]:
    """The import's own statements: not the history, the content type it names, the
    retirement of the cached roll-ups."""
    extra = set(history(queries)) | set(bumps(queries))
    return [q for q in queries if q not in extra and '"django_content_type"' not in q]


def writes(queries: list[str]) -> list[str]:
    # New rows go by COPY on PostgreSQL.
    return [q for q in queries if q.lstrip().upper().startswith(("INSERT", "COPY", "UPDATE"))]


@pytest.mark.django_db
def test_it_imports_with_the_same_queries_for_ten_cases_as_for_three_hundred(municipalities):  # noqa: F811
    _, small = run([case(f"S{i}") for i in range(10)])
    _, large = run([case(f"L{i}") for i in range(300)])
    # Municipalities, the chunk's saved cases, the lock's period read, one INSERT, and the
    # savepoints around them; then the history (one INSERT per 1000 field records, the
    # content type read once) and one retirement of the cached roll-ups per chunk.
    assert len(own(small)) == len(own(large))
    assert len(writes(own(large))) == 1
    assert len(history(small)) == 1 and 1 <= len(history(large)) <= 300 * 20 // 1000 + 1
    assert len(bumps(small)) == len(bumps(large)) == 1
    assert SettlementCase.objects.count() == 310


@pytest.mark.django_db
def test_a_dry_run_checks_and_writes_nothing(municipalities):  # noqa: F811
    _counts, queries = run([case(f"D{i}") for i in range(20)], dry_run=True)
    assert writes(queries) == []
    assert SettlementCase.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_row_after_saved_chunks_leaves_nothing_saved(municipalities, monkeypatch):  # noqa: F811
    monkeypatch.setattr(loaders, "CHUNK_ROWS", 5)
    rows = [case(f"C{i}") for i in range(30)] + [case("BAD", sex="X")]
    with pytest.raises(CaseImportError) as failed:
        run(rows)
    assert [str(p) for p in failed.value.problems] == ["row 32, sex: 'X' is not one of F, M"]
    assert SettlementCase.objects.count() == 0


@pytest.mark.django_db
def test_it_lists_the_first_hundred_problems_and_counts_the_rest(municipalities, tmp_path):  # noqa: F811
    path = tmp_path / "bad.csv"
    path.write_bytes(cases_file([case(f"B{i}", municipality="9999") for i in range(240)]))
    errors = StringIO()
    with pytest.raises(CommandError, match="240 problem"):
        call_command("import_settlement", str(path), "--agency", "IMDi", stderr=errors)
    printed = errors.getvalue().splitlines()
    assert len(printed) == MAX_LISTED_PROBLEMS + 1
    assert printed[0] == "row 2, municipality: unknown municipality number '9999'"
    assert printed[-1] == "and 140 more problem(s)"


@pytest.fixture
def admin_client(client, django_user_model, settings):
    settings.IMPORT_BACKGROUND_ROWS = 10
    user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(user)
    return client


def upload(client, content: bytes, capture):
    handle = io.BytesIO(content)
    handle.name = "saker.csv"
    with capture(execute=True):
        response = client.post(
            "/admin/settlement/settlementcase/import/",
            {"resource": "0", "format": "0", "import_file": handle},
        )
    assert response.status_code == 302
    return ImportJob.objects.get(), client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_large_admin_case_import_runs_on_the_worker(
    admin_client,
    municipalities,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    content = cases_file([case(f"A{i}") for i in range(25)], agency="IMDi")
    job, page = upload(admin_client, content, django_capture_on_commit_callbacks)
    assert (job.kind, job.state, job.result["created"]) == ("settlement:cases", "done", 25)
    assert "25 rader opprettet, 0 oppdatert." in page
    assert SettlementCase.objects.filter(agency__code="IMDi").count() == 25


@pytest.mark.django_db
def test_a_large_admin_import_of_cases_the_submitted_half_year_counted_fails_with_the_reason(
    admin_client,
    municipalities,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    rows = [case(f"A{i}", permit_date="2005-10-01", settled_date="2006-03-01") for i in range(25)]
    job, _page = upload(
        admin_client, cases_file(rows, agency="IMDi"), django_capture_on_commit_callbacks
    )
    assert (job.state, job.result["created"]) == ("failed", 0)
    assert "30.06.2006" in job.result["problems"][0]
    assert SettlementCase.objects.count() == 0


@pytest.mark.django_db
def test_a_large_admin_case_import_for_two_agencies_is_refused(
    admin_client,
    municipalities,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    content = cases_file([case(f"A{i}") for i in range(25)], agency="IMDi")
    content = content.replace(b"IMDi;A7;", b"FTD;A7;")
    job, page = upload(admin_client, content, django_capture_on_commit_callbacks)
    assert job.state == "failed"
    assert job.result["problems"] == ["row 9, agency: 'FTD' is not IMDi; one agency a file"]
    assert "Ingenting ble importert" in page
    assert SettlementCase.objects.count() == 0
    status = admin_client.get(reverse("imports:status", kwargs={"job_id": job.pk})).json()
    assert status["finished"] is True
