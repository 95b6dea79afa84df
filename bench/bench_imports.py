"""Rows per second and peak memory of the file imports, against a bare bulk_create.

Runs in a throw-away test database (SQLite, or DATABASE_URL): the 2006 demo plus enough
chapters, posts and sub-posts for BENCH_ROWS (default 100 000) sub-post lines, the same
number of allocations and of settlement cases. It writes each file as CSV, imports it
through the management command (the path an operator uses), and prints rows/s, the peak
resident memory of the import, and the ratio to a bare bulk_create of the same rows
measured in the same run. Then a file of bad rows: how long until it is refused, how much
memory that took, and that the listed problems are capped.
"""

import contextlib
import csv
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imdi_reporting.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402

# DEBUG keeps every statement with its parameters in connection.queries: for a bulk insert
# of 2 000 rows that formatting costs more than the insert. An operator runs without it.
settings.DEBUG = False

from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
POSTS = 1000
KINDS = ("allocation_letter", "carried_over", "reallocation", "supplementary_letter")
MEMORY_LIMIT_MB = 300


def reset_peak_memory() -> None:
    """Linux lets a process reset its peak resident size (VmHWM) to the current one."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(function) -> tuple[float, float]:
    reset_peak_memory()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start, peak_memory_mb()


def main() -> None:
    setup_test_environment()
    with tempfile.TemporaryDirectory() as directory:
        if connection.vendor == "sqlite":
            # A file, as the site's SQLite database is: Django's test database would be
            # held in this process's memory, and its rows counted as the import's.
            connection.settings_dict["TEST"]["NAME"] = str(Path(directory) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            run(Path(directory))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def structure():
    """Chapters, posts and one sub-post per post for the demo agency's open H1."""
    from budget.models import Chapter, Post, SubPost
    from goals.models import Ministry, ReportingPeriod
    from imdi_reporting.services import load_demo

    load_demo()
    period = ReportingPeriod.objects.select_related("budget_year__agency").get(
        kind="H1", budget_year__agency__code="IMDi"
    )
    ReportingPeriod.objects.filter(budget_year=period.budget_year).update(state="open")
    ministry = Ministry.objects.get(code="AID")
    chapters = Chapter.objects.bulk_create(
        Chapter(
            agency_id=period.budget_year.agency_id,
            number=f"{1000 + i:04d}",
            name=f"Kapittel {i}",
            kind="expense",
            ministry=ministry,
        )
        for i in range(POSTS // 25)
    )
    posts = Post.objects.bulk_create(
        Post(chapter=c, number=f"{j:02d}", name=f"Post {j}") for c in chapters for j in range(1, 26)
    )
    subposts = SubPost.objects.bulk_create(
        SubPost(post=p, code=f"{p.number}10", name="Underpost") for p in posts
    )
    return period, posts, subposts


def write_csv(path: Path, header: list[str], rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def line_rows(posts):
    per_post = -(-ROWS // len(posts))
    count = 0
    for post in posts:
        for k in range(1, per_post + 1):
            if count == ROWS:
                return
            count += 1
            yield [
                post.chapter.number,
                post.number,
                f"{post.number}10",
                "2006-H1",
                k,
                f"Linje {k}",
                "normal",
                4,
                k,
                1000,
                k * 1000,
                "",
                "",
                100000,
                "",
                "",
                "",
            ]


def allocation_rows(posts):
    per_post = -(-ROWS // len(posts))
    count = 0
    for post in posts:
        for n in range(per_post):
            if count == ROWS:
                return
            count += 1
            kind, sequence = KINDS[n % len(KINDS)], n // len(KINDS) + 1
            yield [post.chapter.number, post.number, 2006, kind, sequence, 1000 + n, "", ""]


def case_rows():
    for i in range(ROWS):
        settled = i % 3 == 0
        yield [
            f"B{i:07d}",
            "reception",
            "Somalia",
            "FM"[i % 2],
            1970 + i % 30,
            "",
            1,
            "2005-10-01",
            "2005-11-01",
            "2006-02-01" if settled else "",
            "",
            "2006-03-01" if settled else "",
            "0301" if settled else "",
            "",
        ]


LINE_HEADER = [
    "kapittel",
    "post",
    "underpost",
    "periode",
    "nr",
    "tekst",
    "type",
    "terminer",
    "antall",
    "sats",
    "beløp",
    "budsjett_antall",
    "budsjett_sats",
    "budsjett_beløp",
    "rest",
    "fotnoter",
    "budsjett_fotnoter",
]
ALLOCATION_HEADER = ["kapittel", "post", "år", "type", "løpenummer", "beløp", "dato", "merknad"]


def baseline_lines(period, subposts) -> float:
    """A bare bulk_create of the same lines, rolled back: the floor for any import."""
    from budget.models import SubPostLine

    per_post = -(-ROWS // len(subposts))
    lines = [
        SubPostLine(
            subpost=s,
            period=period,
            position=k,
            label=f"Linje {k}",
            persons=k,
            rate=Decimal(1000),
            amount=Decimal(k * 1000),
            budget_amount=Decimal(100000),
        )
        for s in subposts
        for k in range(1, per_post + 1)
    ][:ROWS]
    start = time.perf_counter()
    with transaction.atomic():
        SubPostLine.objects.bulk_create(lines, batch_size=2000)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_imports: {message}")


def command(name: str, *args) -> None:
    call_command(name, *args, stdout=StringIO(), stderr=StringIO())


def report(label: str, rows: int, seconds: float, peak: float, baseline: float) -> None:
    print(
        f"{label:<38} {rows:7d} rows {seconds:7.2f} s {rows / seconds:9.0f} rows/s "
        f"peak {peak:6.0f} MB  x{baseline / seconds:.2f} of bare bulk_create"
    )


def run(directory: Path) -> None:
    from budget.models import AllocationEntry, SubPostLine
    from settlement.loaders import load_counties
    from settlement.models import SettlementCase

    period, posts, subposts = structure()
    settlement_fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "settlement"
    load_counties(path=settlement_fixtures / "counties.csv")
    command("import_municipalities", str(settlement_fixtures / "municipalities.csv"))
    lines = write_csv(directory / "lines.csv", LINE_HEADER, line_rows(posts))
    allocations = write_csv(
        directory / "allocations.csv", ALLOCATION_HEADER, allocation_rows(posts)
    )
    from settlement.loaders import CASE_FIELDS

    cases = write_csv(directory / "cases.csv", list(CASE_FIELDS), case_rows())
    print(f"{connection.vendor}, {ROWS} rows a file; limit {MEMORY_LIMIT_MB} MB")
    baseline = baseline_lines(period, subposts)
    print(
        f"{'bare bulk_create of the lines':<38} {ROWS:7d} rows {baseline:7.2f} s "
        f"{ROWS / baseline:9.0f} rows/s"
    )
    budget = ("--year", "2006", "--agency", "IMDi")
    seconds, peak = measure(lambda: command("import_budget", str(lines), *budget, "--dry-run"))
    report("import_budget lines --dry-run", ROWS, seconds, peak, baseline)
    expect(SubPostLine.objects.filter(period=period).count() < ROWS, "the dry run wrote")
    seconds, peak = measure(lambda: command("import_budget", str(lines), *budget))
    report("import_budget lines (new)", ROWS, seconds, peak, baseline)
    seconds, peak = measure(lambda: command("import_budget", str(lines), *budget))
    report("import_budget lines (again: updates)", ROWS, seconds, peak, baseline)
    seconds, peak = measure(lambda: command("import_budget", str(allocations), *budget))
    report("import_budget allocations (new)", ROWS, seconds, peak, baseline)
    expect(AllocationEntry.objects.count() >= ROWS, "allocations missing")
    seconds, peak = measure(lambda: command("import_settlement", str(cases), "--agency", "IMDi"))
    report("import_settlement cases (new)", ROWS, seconds, peak, baseline)
    expect(SettlementCase.objects.filter(case_key__startswith="B").count() == ROWS, "cases missing")
    bad_rows(directory, posts, budget)


def bad_rows(directory: Path, posts, budget) -> None:
    """70 % of the rows bad (an unknown sub-post): refused, with a capped list."""
    rows = [
        [*row[:2], "9999" if i % 10 < 7 else row[2], *row[3:]]
        for i, row in enumerate(line_rows(posts))
    ]
    bad = write_csv(directory / "bad.csv", LINE_HEADER, rows)
    del rows
    errors = StringIO()

    def run_bad():
        try:
            call_command("import_budget", str(bad), *budget, stdout=StringIO(), stderr=errors)
        except CommandError as exc:
            print(f"  refused: {exc}")

    seconds, peak = measure(run_bad)
    listed = errors.getvalue().count("\n")
    print(
        f"{'import_budget, 70 % bad rows':<38} {ROWS:7d} rows {seconds:7.2f} s "
        f"{ROWS / seconds:9.0f} rows/s peak {peak:6.0f} MB, {listed} lines of problems"
    )


if __name__ == "__main__":
    main()
