"""The budget import at bulk speed: lookups once per key set, no write in a dry run, bulk
writes in one transaction, a capped problem list, and large admin imports on the worker."""

import io
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget import bulk_import
from budget.imports import MAX_LISTED_PROBLEMS, import_budget_file
from budget.models import SubPostLine
from goals.models import ReportingPeriod
from imdi_reporting.models import ImportJob

HEADER = "kapittel;post;underpost;periode;nr;tekst;beløp\n"


def lines_file(count: int, *, first: int = 100, subpost: str = "6010", label="Ny linje") -> bytes:
    rows = [f"0651;60;{subpost};2006-H1;{first + i};{label} {i};{1000 + i}\n" for i in range(count)]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def open_h1(budget_2006):
    ReportingPeriod.objects.filter(kind="H1").update(state="open")


def statements(queries: list[str], verb: str, table: str = "budget_subpostline") -> list[str]:
    """The queries that start with ``verb`` (INSERT, UPDATE) and write ``table``. New rows
    go by COPY on PostgreSQL: an INSERT there."""
    verbs = ("INSERT", "COPY") if verb == "INSERT" else (verb,)
    return [q for q in queries if q.lstrip().upper().startswith(verbs) and f'"{table}"' in q[:60]]


def run_import(content: bytes, **options):
    with CaptureQueriesContext(connection) as queries:
        report = import_budget_file(content=content, filename="l.csv", year=2006, **options)
    return report, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_it_checks_with_the_same_queries_for_ten_rows_as_for_three_hundred(open_h1):
    small, small_queries = run_import(lines_file(10), dry_run=True)
    large, large_queries = run_import(lines_file(300), dry_run=True)
    assert (small.problems, large.problems) == ([], [])
    assert (small.new, large.new) == (10, 300)
    # Agencies in the year, posts, budget years, periods, sub-posts, the period's saved
    # lines: one query each, whatever the number of rows.
    assert len(small_queries) == len(large_queries) == 6


@pytest.mark.django_db
def test_it_saves_and_records_ten_rows_with_the_same_queries_as_three_hundred(open_h1):
    from goals.models import ChangeRecord

    run_import(lines_file(1, first=900, label="Første"))  # the content type is cached after it
    small, small_queries = run_import(lines_file(10))
    large, large_queries = run_import(lines_file(300, first=1000, label="Annen linje"))
    assert (small.new, large.new) == (10, 300)
    # The checks as in a dry run, one INSERT of the lines and one of their history per
    # 1 000 rows, the sub-posts that name each line in its history, and the cache
    # generation: no query per row, so the counts are equal.
    assert len(small_queries) == len(large_queries)
    # A row created in bulk is one history record listing its fields, not one per field.
    created = ChangeRecord.objects.filter(action="created", source="")
    assert created.count() == 311
    record = created.get(object_id=SubPostLine.objects.get(position=1000).pk)
    assert {"position: 1000", "label: Annen linje 0", "amount: 1000"} <= set(record.new.split("; "))
    assert record.object_repr == "6010 Annen linje 0"


@pytest.mark.django_db
def test_it_writes_nothing_in_a_dry_run(open_h1):
    before = SubPostLine.objects.count()
    report, queries = run_import(lines_file(50), dry_run=True)
    assert report.new == 50 and not report.saved
    assert not [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert SubPostLine.objects.count() == before


@pytest.mark.django_db
def test_it_saves_new_rows_in_bulk_and_skips_unchanged_rows_on_reimport(open_h1):
    report, queries = run_import(lines_file(300))
    assert (report.saved, report.new, report.updated) == (True, 300, 0)
    assert len(statements(queries, "INSERT")) == 1
    # The history of 300 new rows (a record a set field, 1000 a statement), and one
    # retirement of the cached roll-ups for the one chunk.
    assert 1 <= len(statements(queries, "INSERT", "goals_changerecord")) <= 300 * 10 // 1000 + 1
    assert len(statements(queries, "UPDATE", "goals_cachegeneration")) == 1
    line = SubPostLine.objects.get(label="Ny linje 7")
    assert (line.position, line.amount) == (107, 1007)
    report, queries = run_import(lines_file(300))
    assert (report.saved, report.new, report.updated) == (True, 0, 300)
    assert not [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]


@pytest.mark.django_db
def test_it_updates_changed_rows_only(open_h1):
    run_import(lines_file(20))
    changed = lines_file(20).replace(b";1005\n", b";9999\n")
    report, queries = run_import(changed)
    assert (report.saved, report.updated) == (True, 20)
    assert len(statements(queries, "UPDATE")) == 1
    assert len(statements(queries, "UPDATE", "goals_cachegeneration")) == 1
    assert len(statements(queries, "INSERT", "goals_changerecord")) == 1
    assert SubPostLine.objects.get(label="Ny linje 5").amount == 9999
    assert SubPostLine.objects.get(label="Ny linje 6").amount == 1006


@pytest.mark.django_db
def test_it_records_the_history_of_many_changed_rows_in_one_statement(open_h1):
    run_import(lines_file(300))
    changed = (
        HEADER
        + "".join(f"0651;60;6010;2006-H1;{100 + i};Ny linje {i};{5000 + i}\n" for i in range(300))
    ).encode()
    report, queries = run_import(changed)
    assert (report.saved, report.updated) == (True, 300)
    assert len(statements(queries, "UPDATE")) == 2  # 300 rows in batches of 200
    assert len(statements(queries, "INSERT", "goals_changerecord")) == 1
    assert len(statements(queries, "UPDATE", "goals_cachegeneration")) == 1


@pytest.mark.django_db
def test_a_bad_row_after_saved_chunks_leaves_nothing_saved(open_h1, monkeypatch):
    monkeypatch.setattr(bulk_import, "CHUNK_ROWS", 5)
    before = SubPostLine.objects.count()
    content = lines_file(40) + b"0651;60;6099;2006-H1;900;Feil;1\n"
    report, queries = run_import(content)
    assert [str(p) for p in report.problems] == [
        "row 42, column 'underpost': unknown sub-post '6099' of post 0651.60"
    ]
    assert not report.saved
    # Eight chunks of five saved, each with its history and its retirement of the cached
    # roll-ups, then all undone.
    assert len(statements(queries, "INSERT")) == 8
    assert len(statements(queries, "INSERT", "goals_changerecord")) == 8
    assert len(statements(queries, "UPDATE", "goals_cachegeneration")) == 8
    assert SubPostLine.objects.count() == before


@pytest.mark.django_db
def test_it_lists_the_first_hundred_problems_and_counts_the_rest(open_h1):
    report, _ = run_import(lines_file(250, subpost="6099"))
    assert len(report.problems) == MAX_LISTED_PROBLEMS
    assert (report.more_problems, report.problem_count) == (150, 250)
    assert report.problems[0].row == 2 and report.problems[-1].row == 101


@pytest.mark.django_db
def test_the_command_prints_the_capped_list_and_the_count(open_h1, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(lines_file(250, subpost="6099"))
    errors = StringIO()
    with pytest.raises(CommandError, match="250 problem"):
        call_command("import_budget", str(path), "--year", "2006", stderr=errors)
    printed = errors.getvalue().splitlines()
    assert len(printed) == MAX_LISTED_PROBLEMS + 1
    assert printed[-1] == "bad.csv: and 150 more problem(s)"


@pytest.mark.django_db
def test_a_duplicate_position_and_an_over_long_label_are_named_by_row_and_column(open_h1):
    content = (
        HEADER
        + "0651;60;6010;2006-H1;500;En;1\n"
        + "0651;60;6010;2006-H1;500;To;1\n"
        + f"0651;60;6010;2006-H1;501;{'x' * 201};1\n"
    ).encode()
    report, _ = run_import(content)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "nr", "position 500 is also row 2's"),
        (4, "tekst", "at most 200 characters (this has 201)"),
    ]


@pytest.fixture
def superuser(django_user_model, budget_2006):
    return django_user_model.objects.create_superuser("root", password="x")


@pytest.mark.django_db
def test_a_large_admin_import_runs_as_a_task_and_its_page_shows_the_result(
    client, superuser, open_h1, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 10
    client.force_login(superuser)
    upload = StringIO(lines_file(30).decode())
    upload.name = "linjer.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/budget/subpostline/import/",
            {"resource": "0", "format": "0", "import_file": upload},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", kwargs={"job_id": job.pk})
    assert (job.state, job.rows_total, job.result["created"]) == ("done", 30, 30)
    assert str(job) == "linjer.csv (importert)"
    assert bytes(job.content) == b""
    assert SubPostLine.objects.filter(label__startswith="Ny linje").count() == 30
    page = client.get(response["Location"]).content.decode()
    assert "30 rader opprettet, 0 oppdatert." in page
    status = client.get(reverse("imports:status", kwargs={"job_id": job.pk})).json()
    assert (status["finished"], status["rows_done"]) == (True, 30)


@pytest.mark.django_db
def test_a_large_admin_import_with_bad_rows_saves_nothing_and_lists_them(
    client, superuser, open_h1, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 10
    client.force_login(superuser)
    upload = StringIO(lines_file(150, subpost="6099").decode())
    upload.name = "linjer.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/budget/subpostline/import/",
            {"resource": "0", "format": "0", "import_file": upload},
        )
    response = client.get(response["Location"])
    page = response.content.decode()
    assert "row 2, column &#x27;underpost&#x27;: unknown sub-post &#x27;6099&#x27;" in page
    assert "og 50 problemer til" in page
    assert ImportJob.objects.get().state == "failed"
    assert not SubPostLine.objects.filter(label__startswith="Ny linje").exists()


@pytest.mark.django_db
def test_the_progress_page_of_a_running_job_loads_its_script_with_the_nonce(
    client, superuser, open_h1
):
    client.force_login(superuser)
    job = ImportJob.objects.create(
        kind="budget:lines",
        filename="l.csv",
        rows_total=400,
        rows_done=100,
        state="checking",
        created_by=superuser,
    )
    response = client.get(reverse("imports:job", kwargs={"job_id": job.pk}))
    page = response.content.decode()
    nonce = re.search(r'<script src="/static/js/import_progress.js" nonce="([^"]+)"', page)
    assert '<progress id="import-progress"' in page and 'max="400" value="100"' in page
    assert "Sjekket 100 av omtrent 400 rader." in page
    assert nonce is not None
    assert f"'nonce-{nonce[1]}'" in response["Content-Security-Policy"]
    status = client.get(reverse("imports:status", kwargs={"job_id": job.pk})).json()
    assert status == {
        "state": "checking",
        "finished": False,
        "rows_done": 100,
        "rows_total": 400,
        "text": "Sjekket 100 av omtrent 400 rader.",
    }


@pytest.mark.django_db
def test_another_users_import_job_is_not_shown(client, superuser, django_user_model):
    job = ImportJob.objects.create(kind="budget:lines", filename="l.csv", created_by=superuser)
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("imports:job", kwargs={"job_id": job.pk})).status_code == 404
    assert client.get(reverse("imports:status", kwargs={"job_id": job.pk})).status_code == 404


@pytest.mark.django_db
def test_a_small_admin_import_of_a_windows_1252_semicolon_file_previews_then_saves(
    client, superuser, open_h1
):
    client.force_login(superuser)
    content = "kapittel;post;underpost;periode;nr;tekst;beløp\n0651;60;6010;2006-H1;300;Sær;5\n"
    upload = io.BytesIO(content.encode("cp1252"))
    upload.name = "linjer.csv"
    response = client.post(
        "/admin/budget/subpostline/import/", {"resource": "0", "format": "0", "import_file": upload}
    )
    form = response.context["confirm_form"]
    assert not SubPostLine.objects.filter(label="Sær").exists()
    response = client.post(
        "/admin/budget/subpostline/process_import/",
        {name: form.initial[name] for name in form.fields},
    )
    assert response.status_code == 302
    assert SubPostLine.objects.get(label="Sær").amount == 5


@pytest.mark.django_db
def test_it_records_a_new_line_with_every_field_it_sets_as_the_orm_path_did(open_h1):
    from goals.models import ChangeRecord

    report, _ = run_import(lines_file(1, first=700, label="Tekst"))
    assert report.saved
    line = SubPostLine.objects.select_related("subpost").get(position=700)
    record = ChangeRecord.objects.get(object_id=line.pk, action="created")
    assert record.new == (
        f"subpost: {line.subpost}; period: {line.period_id}; position: 700; "
        "label: Tekst 0; kind: normal; terms: 4; amount: 1000"
    )
    assert (record.object_repr, record.anchor, record.period_id, record.field) == (
        "6010 Tekst 0",
        f"budget.post:{line.subpost.post_id}",
        line.period_id,
        "",
    )


@pytest.mark.django_db
def test_it_gives_new_rows_their_ids_in_the_order_of_the_file(open_h1):
    from goals.models import ChangeRecord

    report, _ = run_import(lines_file(30, first=300))
    assert report.new == 30
    lines = SubPostLine.objects.filter(position__gte=300).order_by("pk")
    assert [line.position for line in lines] == list(range(300, 330))
    recorded = dict(
        ChangeRecord.objects.filter(object_id__in=[line.pk for line in lines]).values_list(
            "object_id", "object_repr"
        )
    )
    assert recorded == {line.pk: f"6010 Ny linje {line.position - 300}" for line in lines}


@pytest.mark.django_db
def test_it_records_a_new_allocation_named_by_its_post_and_kind(open_h1):
    from budget.models import AllocationEntry
    from goals.models import ChangeRecord

    content = "kapittel;post;år;type;løpenummer;beløp\n0651;60;2006;rnb;7;1234567\n".encode()
    report, _ = run_import(content)
    assert (report.saved, report.new) == (True, 1)
    entry = AllocationEntry.objects.select_related("post__chapter").get(sequence=7)
    assert entry.amount == Decimal("1234567")
    record = ChangeRecord.objects.get(
        object_id=entry.pk, action="created", content_type__model="allocationentry"
    )
    assert record.object_repr == f"0651.60 {entry.get_kind_display()} 1234567"
    assert record.new == (
        f"post: {entry.post}; budget_year: {entry.budget_year_id}; kind: {entry.kind}; "
        "sequence: 7; amount: 1234567"
    )


@pytest.mark.django_db
def test_the_insert_path_refuses_rows_of_a_period_locked_after_the_checks(open_h1):
    from goals.bulk import create_rows
    from goals.services import PeriodLockedError

    period = ReportingPeriod.objects.get(kind="H1")
    subpost = SubPostLine.objects.filter(period=period).first().subpost
    ReportingPeriod.objects.filter(pk=period.pk).update(state="submitted")
    row = {"subpost_id": subpost.pk, "period_id": period.pk, "position": 990, "label": "Sen"}
    before = SubPostLine.objects.count()
    with pytest.raises(PeriodLockedError):
        create_rows(SubPostLine, [row], related=lambda row: {"subpost": subpost})
    assert SubPostLine.objects.count() == before


@pytest.mark.django_db
def test_it_refuses_a_row_of_another_agencys_post(open_h1):
    from goals.models import Agency

    ministry = Agency.objects.get(code="IMDi").ministry
    other = Agency.objects.create(code="ANN", name="Annen", ministry=ministry)
    report, queries = run_import(lines_file(3), agency_code=other.code)
    assert not report.saved
    assert not statements(queries, "INSERT")
    assert {p.reason for p in report.problems} == {"unknown chapter 0651 of ANN"}
