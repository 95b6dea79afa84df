"""Throughput of the pages, the API lists and the stored PDF as ratios to a plain table.

    python bench/bench_pages.py            # demo size
    python bench/bench_pages.py --scale    # also 100x posts and requirements, 1 000 000 cases

The bench builds its own baseline: bench/baseline/ is a minimal Django project that serves
a 100-row table from the same database, logged in the same way. Both run under gunicorn
(two sync workers, DEBUG off, PostgreSQL, persistent connections) on fresh databases made
here; each measurement of the app is taken between two of the baseline, so that the ratio
compares like with like on a machine whose load changes. The load generator is wrk
(-t2 -c16) when installed, otherwise a small keep-alive client in threads. Printed: req/s,
the ratio to the baseline, p99, and whether each target is met (overview and the other
pages >= 0.5x, API lists >= 0.7x, p99 < 200 ms; the stored PDF >= 0.5x the same bytes from
a bare view, and 304 to If-None-Match).

--scale fills a second database with 100 times the demo's posts and requirements and
1 000 000 settlement cases (COPY, as bench/bench_settlement.py) and prints each page's
in-process time there against the demo-size time (target: within 2x), both with the
cached roll-ups and cold (the first request after a write).

DURATION (seconds per measurement, default 4) and DB_PREFIX change the run. The cache is
Redis, as deployed, where one answers (BENCH_REDIS_URL, default database 14 on
127.0.0.1:6379, emptied first). The app keeps
a read page for its session until any write (goals.page_cache), as deployed;
PAGE_CACHE_TIMEOUT=0 measures every request rendered afresh.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DURATION = float(os.environ.get("DURATION", "4"))
DB_PREFIX = os.environ.get("DB_PREFIX", "imdi_bench_pages")
CONCURRENCY = 16
PERIOD = "IMDi-2006-H1"

PAGES = [
    ("overview", "/", 0.5),
    ("settlement", "/bosetting/", 0.5),
    ("requirements", "/resultatkrav/", 0.5),
    ("requirement", f"/resultatkrav/{PERIOD}/R1-1/", 0.5),
    ("budget", f"/budsjett/{PERIOD}/", 0.5),
    ("chapter", f"/budsjett/{PERIOD}/kapittel/0651/", 0.5),
    ("post", f"/budsjett/{PERIOD}/kapittel/0651/post/62/", 0.5),
    ("api posts", f"/api/budget/posts/?period={PERIOD}", 0.7),
    ("api chapters", "/api/budget/chapters/", 0.7),
    ("api requirements", f"/api/goals/result-requirements/?period={PERIOD}", 0.7),
    ("api status updates", f"/api/goals/status-updates/?period={PERIOD}", 0.7),
    ("api settlement", f"/api/settlement/statistics/?period={PERIOD}", 0.7),
]
P99_LIMIT_MS = 200.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(name: str, *, keep: bool) -> bool:
    """Create the database unless kept from an earlier run; True if it was created."""
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and keep:
            return False
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return True


def run(env: dict, *command: str) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def analyse(name: str) -> None:
    """Planner statistics for the loaded rows, as autovacuum keeps them on a server that
    runs it (a bench server may not): without them a plan can be off by orders."""
    connection = psycopg2.connect(dbname=name, **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def shared_cache() -> dict:
    """The cache as deployed: Redis, shared by the workers (an emptied database of its own),
    where one answers at 127.0.0.1:6379; else each worker's own memory, as `make run`."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except Exception as exc:  # any failure means: no Redis here
        print(f"cache: each worker's memory (no Redis at {url}: {exc})")
        return {}
    print(f"cache: Redis at {url}, emptied")
    return {"REDIS_URL": url}


def prepare(env: dict, *, created: bool) -> dict:
    """Migrate, load the demo, submit 2006-H1 with its stored PDF; return a session and the
    stored PDF's id (bench/pages_setup.py does the work inside Django)."""
    if created:
        run(env, PYTHON, "manage.py", "migrate", "--no-input", "-v0")
        run(env, PYTHON, "manage.py", "load_demo", "--allow-production")
        analyse(env["DATABASE_URL"].rsplit("/", 1)[1])
    return json.loads(run(env, PYTHON, "bench/pages_setup.py").splitlines()[-1])


class Server:
    def __init__(self, app: str, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        command = [GUNICORN, "--workers", "2", "--worker-class", "sync", "--chdir", str(ROOT)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(log), app]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
        for _ in range(120):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{app} exited:\n{log.read_text()}") from None
                time.sleep(0.5)
        raise RuntimeError(f"{app} did not start:\n{log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fetch(port: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return response.status, headers, response.read()
    finally:
        connection.close()


def load_wrk(port: int, path: str, headers: dict) -> tuple[float, float, int]:
    """(requests/s, p99 ms, errors) from wrk."""
    command = [
        "wrk",
        "-t2",
        f"-c{CONCURRENCY}",
        f"-d{max(1, round(DURATION))}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(  # noqa: S603
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    return rate, p99, failed + (int(timeouts.group(1)) if timeouts else 0)


def load_threads(port: int, path: str, headers: dict) -> tuple[float, float, int]:
    """The same as load_wrk with CONCURRENCY threads, each on its own connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + DURATION

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
                response = connection.getresponse()
                response.read()
                ok = response.status < 400
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("inf")
    return len(latencies) / (time.perf_counter() - began), p99, errors[0]


LOAD = load_wrk if shutil.which("wrk") else load_threads


WARM_UP_REQUESTS = 6


def measure(label, app, base, path, base_path, headers, target, check_p99=True) -> bool:
    # Steady state, as on a site in use: each worker has had the page once (its first
    # request renders it, or a cache per process fills), which the p99 of a short run
    # would otherwise count.
    for _ in range(WARM_UP_REQUESTS):
        fetch(app.port, path, headers)
        fetch(base.port, base_path, headers)
    before, _p, _e = LOAD(base.port, base_path, headers)
    rate, p99, errors = LOAD(app.port, path, headers)
    after, _p, _e = LOAD(base.port, base_path, headers)
    ratio = rate / ((before + after) / 2)
    ok = ratio >= target and errors == 0 and (not check_p99 or p99 < P99_LIMIT_MS)
    print(
        f"{label:22} {rate:8.0f} req/s {ratio:6.2f}x (>= {target})  p99 {p99:6.1f} ms"
        f"{'' if errors == 0 else f'  {errors} errors'}  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def demo_run(env: dict, setup: dict, scratch: Path) -> bool:
    cookie = {"Cookie": f"sessionid={setup['session']}"}
    app = Server("imdi_reporting.wsgi", env, scratch / "app.log")
    base = Server("bench.baseline.wsgi", env, scratch / "baseline.log")
    try:
        for server, path in ((app, PAGES[0][1]), (base, "/tabell/")):
            status, _h, _c = fetch(server.port, path, cookie)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} (not logged in?)")
        # A browser sends back the CSRF cookie its first page set; so does the load.
        _s, headers, _c = fetch(app.port, PAGES[0][1], cookie)
        csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        if csrf:
            cookie = {"Cookie": f"sessionid={setup['session']}; csrftoken={csrf.group(1)}"}
        kept = env.get("PAGE_CACHE_TIMEOUT") != "0"
        print(f"pages kept per session: {'yes' if kept else 'no (PAGE_CACHE_TIMEOUT=0)'}")
        print(f"load: {LOAD.__name__}, -c{CONCURRENCY}, {DURATION:g} s per run, 2 sync workers")
        base_rate, base_p99, _e = LOAD(base.port, "/tabell/", cookie)
        print(f"{'baseline (100 rows)':22} {base_rate:8.0f} req/s          p99 {base_p99:6.1f} ms")
        met = True
        for label, path, target in PAGES:
            met &= measure(label, app, base, path, "/tabell/", cookie, target)
        pdf = f"/rapporter/{PERIOD}.pdf"
        status, headers, body = fetch(app.port, pdf, cookie)
        _s, _h, bare = fetch(base.port, f"/pdf/{setup['frozen']}/", cookie)
        if status != 200 or body != bare:
            raise RuntimeError(f"the stored PDF answered {status} or differs from its bytes")
        met &= measure(
            f"stored PDF ({len(body) // 1024} KiB)",
            app,
            base,
            pdf,
            f"/pdf/{setup['frozen']}/",
            cookie,
            0.5,
            check_p99=False,
        )
        status, _h, content = fetch(app.port, pdf, {**cookie, "If-None-Match": headers["ETag"]})
        print(f"{'stored PDF, ETag':22} {status} with {len(content)} bytes")
        met &= status == 304 and not content
        return met
    finally:
        app.stop()
        base.stop()


def scale_run(env: dict, demo_env: dict) -> bool:
    """In-process time of each page at 100x posts and requirements and 1 000 000 cases,
    against the same pages at the demo size."""
    paths = [path for _label, path, _t in PAGES]
    demo = json.loads(run(demo_env, PYTHON, "bench/pages_setup.py", "--time", *paths))
    print("scaling the data (100x posts and requirements, 1 000 000 cases)...", flush=True)
    run(env, PYTHON, "bench/pages_setup.py", "--scale")
    analyse(env["DATABASE_URL"].rsplit("/", 1)[1])
    large = json.loads(run(env, PYTHON, "bench/pages_setup.py", "--time", *paths))
    met = True
    for label, path, _target in PAGES:
        # Cached: the roll-ups kept from an earlier request; cold: the first request after
        # a write, which computes them again. Both must hold.
        for kind, key in (("cached", path), ("cold", f"cold {path}")):
            ratio = large[key] / demo[key]
            met &= ratio <= 2
            print(
                f"{label:22} {kind:6} demo {demo[key]:7.1f} ms  scaled {large[key]:7.1f} ms  "
                f"{ratio:5.2f}x (<= 2)  {'ok' if ratio <= 2 else 'MISSED'}",
                flush=True,
            )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="store_true", help="also measure at scale")
    parser.add_argument("--keep", action="store_true", help="reuse the databases of a last run")
    args = parser.parse_args()
    scratch = ROOT / "bench" / "out"
    scratch.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_PREFIX}",
        "CONN_MAX_AGE": "60",
        "TASKS_BACKEND": "immediate",
        "REQUEST_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.update(shared_cache())
    started = time.perf_counter()
    created = fresh_database(DB_PREFIX, keep=args.keep)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        run(env, PYTHON, "manage.py", "collectstatic", "--no-input", "-v0")
    setup = prepare(env, created=created)
    print(f"database, demo data and stored PDF ready in {time.perf_counter() - started:.0f} s")
    met = demo_run(env, setup, scratch)
    if args.scale:
        scale_env = {**env, "DATABASE_URL": f"{env['DATABASE_URL']}_scale"}
        created = fresh_database(f"{DB_PREFIX}_scale", keep=args.keep)
        prepare(scale_env, created=created)
        met &= scale_run(scale_env, env)
    print("all targets met" if met else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
