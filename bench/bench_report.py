"""Time the full 2006-H1 report as PDF, its peak memory, and serving the stored copy.

    DEBUG=1 python bench/bench_report.py

Uses the database of the settings (default db.sqlite3 after `manage.py load_demo`); loads
the demo data if the 2006-H1 report texts are missing. Prints the time of the HTML, of the
PDF (best and median of REPEAT runs), the peak Python memory of one PDF render (tracemalloc)
and the process's peak resident size, and the time to serve the frozen copy through the
view (the first download freezes it). Finally the same HTML is printed by WeasyPrint and by
Debian's Chromium (/usr/bin/chromium, or $CHROMIUM), each as a whole process, and the
ratios of their wall time, CPU time and peak memory are printed.
"""

import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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

    periods = ReportingPeriod.objects.select_related("budget_year__agency")
    h1 = {"kind": "H1", "budget_year__year": 2006, "budget_year__agency__code": "IMDi"}
    # An empty database (a fresh checkout, or one another bench left) gets the demo too.
    if not PeriodReport.objects.filter(period__in=periods.filter(**h1)).exists():
        load_demo()
    period = periods.get(**h1)

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

    # A process forked from this one starts with this one's peak RSS as its own (Linux
    # carries it over fork and exec), so the engines are started from a small fresh one.
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "report.html")
        source.write_text(_inlined(html), encoding="utf-8")
        sys.stdout.flush()
        # The command is this script and a temporary file name made here.
        subprocess.run([sys.executable, __file__, "--compare", str(source)], check=True)  # noqa: S603


def _inlined(html: str) -> str:
    """The report's HTML with its stylesheet inlined, so that both engines read one file and
    fetch nothing."""
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/report.css")).read_text(encoding="utf-8")
    start = html.index('<link rel="stylesheet"')
    end = html.index(">", start) + 1
    return html[:start] + f"<style>{css}</style>" + html[end:]


def _become_subreaper() -> None:
    """Adopt the orphans of a measured process (Chromium's renderers outlive their zygote
    for a moment), so that their CPU time is counted when they are reaped here."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_child_subreaper = 36
    libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _run(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the process and all its descendants, and the largest
    peak RSS (MiB) of any one of them."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # The commands are built here from fixed parts and a temporary file name.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    peak = usage.ru_maxrss
    while True:  # the adopted descendants, until none is left
        try:
            _pid, _status, orphan = os.wait4(-1, 0)
        except ChildProcessError:
            break
        peak = max(peak, orphan.ru_maxrss)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024


def compare_with_chromium(*, source: Path) -> None:
    """The same HTML printed by WeasyPrint (as the app does: PDF/A-2a, tagged) and by
    Debian's Chromium, each as a whole process, alternately REPEAT times in this run. The
    ratios are what the goals are stated in; absolute times depend on the machine's load."""
    chromium = shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    if chromium is None:
        print("Chromium: not installed (apt-get install chromium); no comparison")
        return
    _become_subreaper()
    with tempfile.TemporaryDirectory() as folder:
        weasy = [sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/a-2a", "--pdf-tags"]
        weasy += [str(source), str(Path(folder, "weasyprint.pdf"))]
        chrome = [chromium, "--headless", "--no-sandbox", "--disable-gpu"]
        chrome += ["--no-pdf-header-footer", f"--user-data-dir={folder}/profile"]
        chrome += [f"--print-to-pdf={folder}/chromium.pdf", source.as_uri()]
        results = {"WeasyPrint": [], "Chromium": []}
        for _ in range(REPEAT):
            results["WeasyPrint"].append(_run(weasy))
            results["Chromium"].append(_run(chrome))
    best = {name: [min(r[i] for r in runs) for i in range(3)] for name, runs in results.items()}
    for name, (wall, cpu, rss) in best.items():
        print(f"{name}: best {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.0f} MiB")
    (w_wall, w_cpu, w_rss), (c_wall, c_cpu, _c_rss) = best["WeasyPrint"], best["Chromium"]
    print(
        f"WeasyPrint / Chromium: CPU {w_cpu / c_cpu:.2f}x (goal <= 1.0x), "
        f"wall {w_wall / c_wall:.2f}x (goal <= 1.2x); WeasyPrint peak RSS {w_rss:.0f} MiB "
        "(goal <= 250 MB)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        compare_with_chromium(source=Path(sys.argv[2]))
    else:
        main()
