"""Time the budget roll-ups, the control list and the spreadsheet import on scaled data.

Runs in a throw-away test database: the 2006 demo plus N synthetic chapters of posts with
allocations, accounts and sub-post lines. Prints wall times and query counts.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imdi_reporting.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CHAPTERS = int(os.environ.get("BENCH_CHAPTERS", "40"))
POSTS_PER_CHAPTER = 25
LINES_PER_POST = 10


def timed(label, function):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed * 1000:9.1f} ms {len(queries):6d} queries")
    return result


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from budget.imports import export_budget_table, import_budget_file
    from budget.models import (
        AccountsEntry,
        AllocationEntry,
        Chapter,
        Post,
        SubPost,
        SubPostLine,
    )
    from budget.selectors import budget_overview, period_controls, subpost_attachment
    from goals.models import Ministry, ReportingPeriod
    from imdi_reporting.services import load_demo

    timed("load_demo (2006 fixtures)", load_demo)
    period = ReportingPeriod.objects.select_related("budget_year").get(kind="H1")
    period.state = "open"
    period.save(update_fields=["state"])
    ministry = Ministry.objects.get(code="AID")
    chapters = Chapter.objects.bulk_create(
        Chapter(
            agency_id=period.budget_year.agency_id,
            number=f"{1000 + i:04d}",
            name=f"Kapittel {i}",
            kind="expense",
            ministry=ministry,
        )
        for i in range(CHAPTERS)
    )
    posts = Post.objects.bulk_create(
        Post(chapter=c, number=f"{j:02d}", name=f"Post {j}")
        for c in chapters
        for j in range(1, POSTS_PER_CHAPTER + 1)
    )
    AllocationEntry.objects.bulk_create(
        AllocationEntry(
            post=p,
            budget_year=period.budget_year,
            kind="allocation_letter",
            amount=Decimal(1_000_000),
        )
        for p in posts
    )
    AccountsEntry.objects.bulk_create(
        AccountsEntry(post=p, period=period, category="payments", amount=Decimal(55_000))
        for p in posts
    )
    subposts = SubPost.objects.bulk_create(
        SubPost(post=p, code=f"{p.number}10", name="Underpost") for p in posts
    )
    SubPostLine.objects.bulk_create(
        SubPostLine(
            subpost=s,
            period=period,
            position=k,
            label=f"Linje {k}",
            persons=k,
            rate=Decimal(1000),
            amount=Decimal(k * 1000),
            budget_amount=Decimal(100_000),
            rest=Decimal(100_000 - k * 1000),
        )
        for s in subposts
        for k in range(1, LINES_PER_POST + 1)
    )
    print(f"{len(posts)} posts, {len(posts) * LINES_PER_POST} sub-post lines")
    overview = timed("budget_overview", lambda: budget_overview(period=period))
    print(f"  total appropriation {overview.sum_appropriation}")
    post60 = Post.objects.get(chapter__number="0651", number="60")
    timed("subpost_attachment (post 60)", lambda: subpost_attachment(period=period, post=post60))
    controls = timed("period_controls", lambda: period_controls(period=period))
    # The synthetic data agrees with itself; what is listed is the 2006 report's.
    print(f"  {len(controls)} differences")
    exported = timed("export lines as CSV", lambda: export_budget_table(table="lines", fmt="csv"))
    timed("export lines as XLSX", lambda: export_budget_table(table="lines", fmt="xlsx"))
    report = timed(
        "import the exported lines (dry run)",
        lambda: import_budget_file(content=exported, filename="l.csv", year=2006, dry_run=True),
    )
    print(f"  {report.rows} rows, {len(report.problems)} problems")


if __name__ == "__main__":
    main()
