"""Time each settlement statistic on 1 000 000 cases in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/imdi_bench python bench/bench_settlement.py

The database is created if it does not exist, migrated, and filled with the reference lists
and 1 000 000 random cases (COPY) unless it holds that many already; then every statistic
is run a few times and the best and median times are printed. CASES=... changes the size.
"""

import io
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/imdi_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imdi_reporting.settings")
CASES = int(os.environ.get("CASES", "1000000"))
REPEAT = int(os.environ.get("REPEAT", "5"))


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def case_rows(count: int, municipality_ids: list[int], rng: random.Random, agency_id: int):
    categories = [
        ("reception", 55),
        ("transfer_refugee", 20),
        ("unaccompanied_minor", 8),
        ("family_reunification", 10),
        ("direct_settlement", 7),
    ]
    names, weights = zip(*categories, strict=True)
    nationalities = [
        "Somalia",
        "Irak",
        "Afghanistan",
        "Iran",
        "Eritrea",
        "Etiopia",
        "Myanmar",
        "Sudan",
        "Russland",
        "Kongo (DR)",
        "Vietnam",
        "Burundi",
    ]
    first = date(1998, 1, 1).toordinal()
    last = date(2007, 12, 31).toordinal()
    chosen = rng.choices(names, weights=weights, k=count)
    for i in range(count):
        category = chosen[i]
        permit = rng.randint(first, last - 30)
        ready = searched = arrived = settled = None
        special = ""
        municipality = None
        if category == "transfer_refugee":
            if rng.random() < 0.8:
                searched = permit + rng.randint(5, 120)
                municipality = rng.choice(municipality_ids)
                if rng.random() < 0.85:
                    arrived = settled = searched + rng.randint(10, 150)
            special = "vietnamese_philippines" if rng.random() < 0.05 else ""
        else:
            ready = permit + rng.randint(0, 60)
            if rng.random() < 0.85:
                searched = ready + rng.randint(0, 300)
                municipality = rng.choice(municipality_ids)
                if rng.random() < 0.9:
                    settled = searched + rng.randint(0, 150)
        size = rng.choice((1, 1, 1, 2, 3, 4, 5, 6))

        def iso(value):
            return date.fromordinal(value).isoformat() if value else "\\N"

        yield (
            "\t".join(
                (
                    str(agency_id),
                    f"B{i:09d}",
                    category,
                    rng.choice(nationalities),
                    rng.choice("MF"),
                    str(rng.randint(1940, 2005)),
                    "",
                    str(size),
                    iso(permit),
                    iso(ready),
                    iso(searched),
                    iso(arrived),
                    iso(settled),
                    str(municipality) if municipality else "\\N",
                    special,
                )
            )
            + "\n"
        )


def fill(count: int, agency) -> None:
    from django.db import connection

    from settlement.loaders import (
        import_municipalities,
        load_counties,
        load_forecasts,
        load_municipal_places,
    )
    from settlement.models import Municipality

    fixtures = ROOT / "fixtures" / "settlement"
    load_counties(path=fixtures / "counties.csv")
    import_municipalities(path=fixtures / "municipalities.csv")
    load_forecasts(path=fixtures / "forecasts.csv", agency=agency)
    load_municipal_places(path=fixtures / "municipal_places_2006.csv", agency=agency)
    ids = list(Municipality.objects.values_list("pk", flat=True))
    rng = random.Random(1)
    columns = (
        "agency_id, case_key, category, nationality, sex, birth_year, family_group_key, "
        "family_size, "
        "permit_date, ready_date, searched_out_date, arrived_date, settled_date, "
        "municipality_id, special_legal_ground"
    )
    started = time.perf_counter()
    rows = case_rows(count, ids, rng, agency.pk)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE settlement_settlementcase")
        raw = cursor.cursor
        while True:
            chunk = io.StringIO()
            written = 0
            for line in rows:
                chunk.write(line)
                written += 1
                if written == 100_000:
                    break
            if not written:
                break
            chunk.seek(0)
            raw.copy_expert(f"COPY settlement_settlementcase ({columns}) FROM STDIN", chunk)
        # VACUUM sets the visibility map, so that counts can use index-only scans; inside a
        # transaction (bench/pages_setup.py) only ANALYZE can run, and the caller vacuums.
        if connection.in_atomic_block:
            cursor.execute("ANALYZE settlement_settlementcase")
        else:
            cursor.execute("VACUUM ANALYZE settlement_settlementcase")
    print(f"inserted {count:,} cases with COPY in {time.perf_counter() - started:.1f} s")


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from goals.loaders import load_organisation
    from goals.models import Agency
    from settlement import selectors
    from settlement.models import SettlementCase

    # The cases belong to IMDi, the agency with the settlement module in the demo data.
    load_organisation(path=ROOT / "fixtures" / "goals" / "organisation.yaml")
    agency = Agency.objects.get(has_settlement=True)
    agencies = [agency]
    present = SettlementCase.objects.filter(agency=agency).count()
    if present != CASES:
        fill(CASES, agency)
    else:
        print(f"using the {present:,} cases already in the database")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        # PostgreSQL's JIT compiles the larger plans (about 0.3 s each here); PGOPTIONS="-c
        # jit=off" shows the execution time alone.
        print(f"PostgreSQL jit = {cursor.fetchone()[0]}")
    start, end = date(2006, 1, 1), date(2006, 6, 30)
    figures = [
        ("settled", lambda: selectors.settled_count(agencies=agencies, start=start, end=end)),
        ("forecast", lambda: selectors.forecast_at(agencies=agencies, at=end)),
        (
            "mean_wait_months",
            lambda: selectors.mean_wait_months(agencies=agencies, start=start, end=end),
        ),
        (
            "mean_wait_months_from_searched",
            lambda: selectors.mean_wait_months_from_searched(
                agencies=agencies, start=start, end=end
            ),
        ),
        ("ready_in_reception", lambda: selectors.ready_in_reception(agencies=agencies, at=end)),
        ("waiting_over_limit", lambda: selectors.waiting_over_limit(agencies=agencies, at=end)),
        (
            "transfer_refugees (off_*)",
            lambda: selectors.transfer_refugees(agencies=agencies, start=start, end=end),
        ),
        (
            "family_reunification_settled",
            lambda: selectors.family_reunification_settled(agencies=agencies, start=start, end=end),
        ),
        (
            "settled_within_limit",
            lambda: selectors.settled_within_limit(agency=agency, start=start, end=end),
        ),
        (
            "settled_by_month",
            lambda: selectors.settled_by_month(agency=agency, start=start, end=end),
        ),
        *[
            (
                f"breakdown by {by}",
                (lambda by=by: selectors.breakdown(agency=agency, by=by, start=start, end=end)),
            )
            for by in selectors.BREAKDOWNS
        ],
        ("municipalities", lambda: selectors.municipalities(agency=agency, start=start, end=end)),
        (
            "report_figures (all of settlement_stats)",
            lambda: selectors.report_figures(agencies=agencies, start=start, end=end),
        ),
    ]
    print(f"{'statistic':44} {'best ms':>9} {'median ms':>10}   ({REPEAT} runs, {CASES:,} cases)")
    for name, run in figures:
        times = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            run()
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name:44} {min(times):9.1f} {statistics.median(times):10.1f}")


if __name__ == "__main__":
    main()
