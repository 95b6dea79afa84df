"""The parts of bench/bench_pages.py that run inside Django, on the database of DATABASE_URL.

python bench/pages_setup.py            # submit 2006-H1, store its PDF, print a session
python bench/pages_setup.py --time PATH...   # in-process ms per page, as JSON
python bench/pages_setup.py --scale    # 100x posts and requirements, 1 000 000 cases
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imdi_reporting.settings")
PERIOD = "IMDi-2006-H1"
COPIES = 99  # with the demo's own rows, 100 times the posts and requirements
TIMED_RUNS = 7


def period():
    from goals.models import ReportingPeriod

    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        budget_year__agency__code="IMDi", budget_year__year=2006, kind="H1"
    )


def submitted_with_pdf() -> dict:
    """Submit the half year as the approver (once) and store its full PDF; a session of
    the approver for the load generator."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from goals.choices import PeriodState
    from goals.services import submit_period
    from imdi_reporting.reports.services import frozen_report

    user = get_user_model().objects.get(username="direktor")
    half_year = period()
    if half_year.state == PeriodState.OPEN:
        with transaction.atomic():
            half_year = submit_period(user=user, period=half_year, reason="bench")
    frozen = frozen_report(period=half_year, part="full", user=user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"session": session.session_key, "frozen": frozen.pk}


def time_pages(paths: list[str]) -> dict:
    """Median in-process time of each page (after a first request that fills the caches),
    the first request's time under the key 'first <path>', and under 'cold <path>' the
    median time of the first request after a write (the agency's cached roll-ups retired
    before each run, as every save does)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from goals.services import bump_generation

    agency_id = period().budget_year.agency_id
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="direktor"))
    result = {}
    for path in paths:
        began = time.perf_counter()
        response = client.get(path)
        result[f"first {path}"] = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        times = []
        for _ in range(TIMED_RUNS):
            began = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        result[path] = statistics.median(times)
        cold = []
        for _ in range(TIMED_RUNS):
            bump_generation(agency_id=agency_id)
            began = time.perf_counter()
            client.get(path)
            cold.append((time.perf_counter() - began) * 1000)
        result[f"cold {path}"] = statistics.median(cold)
    return result


def copy_rows(model, rows, **changes) -> list:
    """Unsaved copies of rows with the given fields changed (callables get the row)."""
    copies = []
    for row in rows:
        row.pk = None
        row.id = None
        for name, value in changes.items():
            setattr(row, name, value(row) if callable(value) else value)
        copies.append(row)
    return copies


def scale_budget(agency) -> None:
    """99 copies of every chapter with its posts, allocations and accounts: expense chapters
    numbered from 1000 up, income chapters from 6000 up (no demo chapter is numbered there,
    and each kind keeps to its range of numbers)."""
    from budget.choices import ChapterKind
    from budget.models import AccountsEntry, AllocationEntry, Chapter, Post

    chapters = list(Chapter.objects.filter(agency=agency).order_by("number"))
    posts = list(Post.objects.filter(chapter__in=chapters, credited_against__isnull=True))
    allocations = list(AllocationEntry.objects.filter(post__in=posts))
    accounts = list(AccountsEntry.objects.filter(post__in=posts))
    numbers = {ChapterKind.EXPENSE: 1000, ChapterKind.INCOME: 6000}
    for _copy in range(COPIES):
        new_chapters = {}
        for chapter in chapters:
            original = chapter.pk
            new_chapters[original] = Chapter(
                **{f.attname: getattr(chapter, f.attname) for f in Chapter._meta.concrete_fields}
            )
            new_chapters[original].pk = None
            new_chapters[original].number = str(numbers[chapter.kind])
            numbers[chapter.kind] += 1
        Chapter.objects.bulk_create(new_chapters.values())
        new_posts = {}
        for post in posts:
            copy = Post(**{f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields})
            copy.pk = None
            copy.chapter_id = new_chapters[post.chapter_id].pk
            new_posts[post.pk] = copy
        Post.objects.bulk_create(new_posts.values())
        for model, rows in ((AllocationEntry, allocations), (AccountsEntry, accounts)):
            model.objects.bulk_create(
                [
                    model(
                        **{
                            f.attname: getattr(row, f.attname)
                            for f in model._meta.concrete_fields
                            if not f.primary_key
                        }
                        | {"post_id": new_posts[row.post_id].pk}
                    )
                    for row in rows
                ]
            )


def scale_requirements(agency) -> None:
    """99 copies of every requirement of 2006 with its activities and their status updates."""
    from goals.models import Activity, ResultRequirement, StatusUpdate

    requirements = list(ResultRequirement.objects.filter(main_goal__budget_year__agency=agency))
    activities = list(Activity.objects.filter(requirement__in=requirements))
    updates = list(StatusUpdate.objects.filter(activity__in=activities))
    position = max(Activity.objects.values_list("position", flat=True)) + 1

    def fields(model, row):
        return {
            f.attname: getattr(row, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key
        }

    for copy in range(1, COPIES + 1):
        new_requirements = {
            r.pk: ResultRequirement(**fields(ResultRequirement, r) | {"code": f"{r.code}-{copy}"})
            for r in requirements
        }
        ResultRequirement.objects.bulk_create(new_requirements.values())
        new_activities = {}
        for activity in activities:
            new_activities[activity.pk] = Activity(
                **fields(Activity, activity)
                | {"requirement_id": new_requirements[activity.requirement_id].pk}
                | {"position": position}
            )
            position += 1
        Activity.objects.bulk_create(new_activities.values())
        StatusUpdate.objects.bulk_create(
            [
                StatusUpdate(
                    **fields(StatusUpdate, u) | {"activity_id": new_activities[u.activity_id].pk}
                )
                for u in updates
            ]
        )


def scale() -> None:
    """The copies go into the submitted half year, as the fixture loader writes historic
    content: with the period lock's permission (one transaction each)."""
    import bench_settlement
    from django.db import connection

    from budget.models import Post
    from goals.locking import allow_locked_period_writes
    from goals.services import bump_generation
    from settlement.models import SettlementCase

    half_year = period()
    agency = half_year.budget_year.agency
    if Post.objects.filter(chapter__agency=agency).count() < 1000:
        with allow_locked_period_writes():
            scale_budget(agency)
            scale_requirements(agency)
            bump_generation(agency_id=agency.pk)
    if SettlementCase.objects.filter(agency=agency).count() != bench_settlement.CASES:
        with allow_locked_period_writes():
            bench_settlement.fill(bench_settlement.CASES, agency)
            bump_generation(agency_id=agency.pk)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE settlement_settlementcase")


def main() -> None:
    import django

    django.setup()
    if sys.argv[1:2] == ["--time"]:
        print(json.dumps(time_pages(sys.argv[2:])))
    elif sys.argv[1:2] == ["--scale"]:
        scale()
    else:
        print(json.dumps(submitted_with_pdf()))


if __name__ == "__main__":
    main()
