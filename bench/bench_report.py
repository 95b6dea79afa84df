"""Time the full 2006-H1 report as PDF, its peak memory, and serving the stored copy.

    DEBUG=1 python bench/bench_report.py

Uses the database of the settings (default db.sqlite3 after `manage.py load_demo`); loads
the demo data if the 2006-H1 report texts are missing. Prints the time of the HTML, of the
PDF (best and median of REPEAT runs), the peak Python memory of one PDF render (tracemalloc)
and the process's peak resident size, and the time to serve the frozen copy through the
view (the first download freezes it).
"""

import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imdi_reporting.settings")
REPEAT = int(os.environ.get("REPEAT", "3"))


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    # A fresh checkout has no tables yet; migrating an up-to-date database is a no-op.
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from goals.models import PeriodReport, ReportingPeriod
    from imdi_reporting.models import FrozenReport
    from imdi_reporting.reports.services import render_report_html, render_report_pdf
    from imdi_reporting.services import load_demo

    period = ReportingPeriod.objects.select_related("budget_year__agency").get(
        kind="H1", budget_year__year=2006
    )
    if not PeriodReport.objects.filter(period=period).exists():
        load_demo()

    started = time.perf_counter()
    html = render_report_html(period=period)
    print(f"HTML: {time.perf_counter() - started:.2f} s, {len(html):,} characters")

    times, cpu = [], []
    for _ in range(REPEAT):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = render_report_pdf(period=period)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # CPU time is what the render costs on an idle machine; wall time includes waiting for
    # the CPU when other processes compete for it (see the load average printed).
    print(
        f"PDF: best {min(times):.2f} s, median {statistics.median(times):.2f} s wall, "
        f"best {min(cpu):.2f} s CPU over {REPEAT} runs, {len(pdf):,} bytes, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    tracemalloc.start()
    render_report_pdf(period=period)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Peak memory of one PDF render: {peak / 2**20:.0f} MiB (Python heap); "
        f"process peak RSS {rss:.0f} MiB"
    )

    user = get_user_model().objects.get(username="direktor")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    FrozenReport.objects.filter(period=period, part="full").delete()
    started = time.perf_counter()
    first = client.get("/rapporter/2006-H1.pdf")
    print(f"First download (freezes): {time.perf_counter() - started:.2f} s")
    served = []
    for _ in range(10):
        started = time.perf_counter()
        response = client.get("/rapporter/2006-H1.pdf")
        served.append(time.perf_counter() - started)
        if response.content != first.content:
            raise SystemExit("The stored copy changed between downloads")
    print(
        f"Stored copy: best {min(served) * 1000:.1f} ms, median "
        f"{statistics.median(served) * 1000:.1f} ms (sha256 {response['X-Content-SHA256'][:12]}...)"
    )


if __name__ == "__main__":
    main()
