"""Two app servers and a task worker on one PostgreSQL database, as in the README's
Deployment section: no update is lost between the servers, and each submission is frozen
exactly once.

    python bench/multi_server.py [--db-name imdi_multi] [--keep]

It makes a fresh database on 127.0.0.1:5432 (dropped afterwards unless --keep), migrates
it, loads the demo data, collects the static files and starts two gunicorn servers (DEBUG
off, `imdi_reporting/gunicorn.conf.py`, two workers each) and one `db_worker`. Then:

1. conflicting edits: for several status updates of the open year 2006, four clients, two
   on each server, read the same version and all save it at once; exactly one save may
   succeed and the others must get 409, and the stored text must be the winner's;
2. separate edits: the clients save their own updates in turn through both servers (all
   200), which gives a throughput figure;
3. the approver submits the period through one server; the PDF is downloaded through both
   (202 while the worker makes it, then 200 with the same bytes), the period is reopened
   and submitted again through the other server;
4. the database holds exactly one stored PDF per part and submission, and no task failed;
5. imports, while the separate edits run: the administrator uploads the same file of
   sub-post lines through both servers and a file of settlement cases through one, each
   over the background threshold; the worker imports them while their progress is read
   through both servers. The lines are stored once (the second file finds them unchanged),
   every case is stored, and the settlement figures both servers serve equal a count of
   the case rows.

It prints the numbers and exits 1 if any check fails.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
GUNICORN_CONF = "imdi_reporting/gunicorn.conf.py"
WSGI_APP = "imdi_reporting.wsgi"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PERIOD = "2006"
UPDATES = 6  # status updates fought over
ROUNDS = 5  # conflicting saves per update
CLIENTS = 4  # two per server
SEPARATE_SAVES = 10  # per client in the throughput part
PDF_WAIT = 240  # seconds a stored PDF may take (a busy machine renders slowly)
IMPORT_WAIT = 180  # seconds the worker may take for the imports
IMPORT_LINES = 3_000  # over IMPORT_BACKGROUND_ROWS (2 000): the worker imports them
IMPORT_CASES = 2_500

failures: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        failures.append(message)
        print(f"  FAILED: {message}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One HTTP connection to one server, with a token or a session kept by hand (the
    session cookie is Secure with DEBUG off, which a cookie jar would not send over HTTP)."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.token = token
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body=None,
        form: dict | None = None,
        raw: bytes | None = None,
        content_type: str = "",
    ):
        headers = {"Host": "127.0.0.1"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        elif raw is not None:
            data = raw
            headers["Content-Type"] = content_type
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, content

    def json(self, method: str, path: str, body=None):
        status, _headers, content = self.request(method, path, body=body)
        return status, (json.loads(content) if content else None)

    def login(self, username: str) -> None:
        _status, _h, page = self.request("GET", "/logg-inn/")
        status, _h, _c = self.request(
            "POST",
            "/logg-inn/",
            form={"username": username, "password": "demo", "csrfmiddlewaretoken": csrf(page)},
        )
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}")

    def upload(self, path: str, fields: dict, name: str, content: bytes):
        """Post a form with a file, as the admin's import page does; the CSRF token comes
        from the page first."""
        _status, _h, page = self.request("GET", path)
        boundary = secrets.token_hex(16)
        field = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
        parts = [
            field.format(boundary, key, value).encode()
            for key, value in {**fields, "csrfmiddlewaretoken": csrf(page)}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; '
            f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST",
            path,
            raw=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )

    def post_form(self, path: str, fields: dict) -> int:
        _status, _h, page = self.request("GET", path)
        status, _h, _c = self.request(
            "POST", path, form={**fields, "csrfmiddlewaretoken": csrf(page)}
        )
        return status


def csrf(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1).decode()


def manage(env: dict, *args: str) -> str:
    command = [PYTHON, "manage.py", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout.strip()


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def wait_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(120):
        if process.poll() is not None:
            raise RuntimeError(f"the server on {port} exited:\n{log.read_text()}")
        try:
            status, _h, body = Client(port).request("GET", "/healthz")
            if status == 200 and json.loads(body) == {"status": "ok"}:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server on {port} did not become healthy:\n{log.read_text()}")


def conflicting_edits(clients: list[Client], update_ids: list[int]) -> tuple[int, int, float]:
    """Every round: all clients read the same version, then all save it at once."""
    won = conflicts = 0
    started = time.perf_counter()
    barrier = threading.Barrier(len(clients))

    def attempt(index: int, update_id: int, round_: int):
        client = clients[index]
        _status, current = client.json("GET", f"/api/goals/status-updates/{update_id}/")
        barrier.wait()
        text = f"round {round_} client {index} server {client.port}"
        status, body = client.json(
            "PUT",
            f"/api/goals/status-updates/{update_id}/",
            {"version": current["version"], "status": "on_track", "attainment": text},
        )
        return status, text, current["version"], body

    with ThreadPoolExecutor(len(clients)) as pool:
        for update_id in update_ids:
            for round_ in range(ROUNDS):
                n = len(clients)
                results = list(pool.map(attempt, range(n), [update_id] * n, [round_] * n))
                statuses = sorted(r[0] for r in results)
                check(
                    statuses == [200] + [409] * (len(clients) - 1),
                    f"update {update_id} round {round_}: {statuses} (one 200, the rest 409)",
                )
                read_versions = {r[2] for r in results}
                winners = [r for r in results if r[0] == 200]
                won += len(winners)
                conflicts += statuses.count(409)
                for status, _text, _version, body in results:
                    if status == 409:
                        check(
                            body.get("current", {}).get("version") == max(read_versions) + 1,
                            f"a 409 names the winner's version ({body})",
                        )
                _s, stored = clients[0].json("GET", f"/api/goals/status-updates/{update_id}/")
                if winners:
                    check(
                        stored["attainment"] == winners[0][1],
                        f"update {update_id}: stored text is the winner's",
                    )
                check(
                    stored["version"] == max(read_versions) + 1,
                    f"update {update_id}: version went up by exactly one",
                )
    return won, conflicts, time.perf_counter() - started


def separate_edits(clients: list[Client], update_ids: list[int]) -> tuple[int, float]:
    """Each client saves its own update repeatedly, alternating the servers' clients."""

    def run(index: int) -> int:
        update_id = update_ids[index]
        ok = 0
        for n in range(SEPARATE_SAVES):
            client = clients[(index + n) % len(clients)]
            _s, current = client.json("GET", f"/api/goals/status-updates/{update_id}/")
            status, _b = client.json(
                "PUT",
                f"/api/goals/status-updates/{update_id}/",
                {"version": current["version"], "status": "achieved", "attainment": f"save {n}"},
            )
            ok += status == 200
        return ok

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        saved = sum(pool.map(run, range(len(clients))))
    return saved, time.perf_counter() - started


def kept_pages_follow_writes(ports: list[int], editor: Client, update_id: int) -> float:
    """One session reads the status-update list through both servers, twice, so each
    server keeps its copy (goals.page_cache); a save through server A must show at the
    next read through server B."""
    started = time.perf_counter()
    reader_a, reader_b = Client(ports[0]), Client(ports[1])
    reader_a.login("direktor")
    reader_a.request("GET", "/")  # the CSRF cookie, as a browser has it
    reader_b.cookies = reader_a.cookies
    path = f"/api/goals/status-updates/?period={PERIOD}&limit=500"
    for reader in (reader_a, reader_b, reader_a, reader_b):
        status, _h, _c = reader.request("GET", path)
        check(status == 200, f"the list answered {status}")
    _s, current = editor.json("GET", f"/api/goals/status-updates/{update_id}/")
    text = f"lagret via {ports[0]}"
    status, _b = editor.json(
        "PUT",
        f"/api/goals/status-updates/{update_id}/",
        {"version": current["version"], "status": "achieved", "attainment": text},
    )
    check(status == 200, f"the save answered {status}")
    _s, _h, content = reader_b.request("GET", path)
    check(text in content.decode(), "server B served a kept list older than the save")
    return time.perf_counter() - started


def wait_for_pdf(readers: list[Client]) -> tuple[float, list[int]]:
    """Download the full report through every server until each serves the stored copy."""
    started = time.perf_counter()
    seen: list[int] = []
    digests = {}
    while time.perf_counter() - started < PDF_WAIT:
        for reader in readers:
            if reader.port in digests:
                continue
            status, headers, _content = reader.request("GET", f"/rapporter/{PERIOD}.pdf")
            seen.append(status)
            if status == 200:
                digests[reader.port] = headers["X-Content-SHA256"]
            else:
                check(status == 202, f"a PDF download answered {status}")
                check(headers.get("Retry-After") is not None, "202 carries Retry-After")
        if len(digests) == len(readers):
            break
        time.sleep(0.5)
    check(len(digests) == len(readers), f"the stored PDF came within {PDF_WAIT} s")
    check(len(set(digests.values())) == 1, "both servers serve the same bytes")
    return time.perf_counter() - started, seen


def wait_for_queue(cursor) -> float:
    """Wait until the worker has run every queued task: the duplicates the app servers'
    downloads queued (each process remembers only its own) run after the first."""
    started = time.perf_counter()
    while time.perf_counter() - started < PDF_WAIT:
        cursor.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING')"
        )
        if cursor.fetchone()[0] == 0:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


CASE_COLUMNS = (
    "agency;case_key;category;nationality;sex;birth_year;family_group_key;family_size;"
    "permit_date;ready_date;searched_out_date;arrived_date;settled_date;municipality;"
    "special_legal_ground"
)


def lines_file() -> bytes:
    """Sub-post lines of the open year, at positions the demo does not use."""
    rows = [
        f"0651;60;6010;{PERIOD};{5000 + i};Importert linje {i};{1000 + i}\n"
        for i in range(IMPORT_LINES)
    ]
    return ("kapittel;post;underpost;periode;nr;tekst;beløp\n" + "".join(rows)).encode()


def cases_file() -> bytes:
    """Cases after the submitted half year: every other one settled in August, the others
    ready for settlement in September and still waiting at the end of the year."""
    rows = []
    for i in range(IMPORT_CASES):
        day = 1 + i % 28
        ready, settled = (
            (f"2006-07-{day:02d}", f"2006-08-{day:02d}")
            if i % 2 == 0
            else (
                f"2006-09-{day:02d}",
                "",
            )
        )
        rows.append(
            f"IMDi;M{i:07d};reception;Somalia;{'FM'[i % 2]};{1960 + i % 40};;1;2006-07-01;"
            f"{ready};;;{settled};{'0301' if settled else ''};\n"
        )
    return (CASE_COLUMNS + "\n" + "".join(rows)).encode()


def start_imports(ports: list[int]) -> list[int]:
    """The administrator uploads the lines through both servers at once and the cases
    through server B; each file is over the threshold, so each becomes a job."""
    uploads = [
        (ports[0], "/admin/budget/subpostline/import/", "linjer.csv", lines_file()),
        (ports[1], "/admin/budget/subpostline/import/", "linjer.csv", lines_file()),
        (ports[1], "/admin/settlement/settlementcase/import/", "saker.csv", cases_file()),
    ]

    def upload(port: int, path: str, name: str, content: bytes) -> int:
        admin = Client(port)
        admin.login("admin")
        status, headers, _c = admin.upload(path, {"resource": "0", "format": "0"}, name, content)
        location = headers.get("Location") or ""
        check(status == 302 and "/importer/" in location, f"an upload answered {status}")
        return int(location.rstrip("/").rsplit("/", 1)[-1]) if "/importer/" in location else 0

    with ThreadPoolExecutor(len(uploads)) as pool:
        return [job for job in pool.map(lambda u: upload(*u), uploads) if job]


def follow_imports(ports: list[int], jobs: list[int]) -> float:
    """Read each job's progress through both servers, in turn, until all are finished: the
    rows checked never go back, whichever server answers."""
    started = time.perf_counter()
    readers = []
    for port in ports:
        reader = Client(port)
        reader.login("admin")
        readers.append(reader)
    seen = dict.fromkeys(jobs, 0)
    finished: set[int] = set()
    turn = 0
    while len(finished) < len(jobs) and time.perf_counter() - started < IMPORT_WAIT:
        for job in jobs:
            reader = readers[turn % len(readers)]
            turn += 1
            status, _h, body = reader.request("GET", f"/importer/{job}/status/")
            check(status == 200, f"import {job}: the status answered {status}")
            state = json.loads(body)
            check(
                state["rows_done"] >= seen[job],
                f"import {job}: {state['rows_done']} rows checked after {seen[job]}",
            )
            seen[job] = state["rows_done"]
            if state["finished"]:
                finished.add(job)
        time.sleep(0.3)
    check(len(finished) == len(jobs), f"the imports finished within {IMPORT_WAIT} s")
    return time.perf_counter() - started


def check_imports(cursor, jobs: list[int], readers: list[Client]) -> None:
    cursor.execute(
        "SELECT id, state, result FROM imdi_reporting_importjob WHERE id = ANY(%s) ORDER BY id",
        [jobs],
    )
    results = {job: (state, result) for job, state, result in cursor.fetchall()}
    check(all(state == "done" for state, _r in results.values()), f"imports done: {results}")
    created = sorted(result.get("created", 0) for _s, result in results.values())
    check(
        created == [0, IMPORT_CASES, IMPORT_LINES],
        f"lines once, the same lines unchanged, every case: created {created}",
    )
    cursor.execute(
        "SELECT count(*), count(DISTINCT position), sum(amount) FROM budget_subpostline "
        "WHERE label LIKE 'Importert linje %%'"
    )
    lines, positions, total = cursor.fetchone()
    expected = sum(1000 + i for i in range(IMPORT_LINES))
    check(
        (lines, positions, total) == (IMPORT_LINES, IMPORT_LINES, expected),
        f"the lines are stored once: {lines} rows, {positions} positions, sum {total}",
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE c.settled_date BETWEEN '2006-01-01' AND '2006-12-31'),"
        " count(*) FILTER (WHERE c.category IN ('reception', 'unaccompanied_minor',"
        " 'family_reunification') AND c.ready_date <= '2006-12-31'"
        " AND (c.settled_date IS NULL OR c.settled_date > '2006-12-31'))"
        " FROM settlement_settlementcase c JOIN goals_agency a ON a.id = c.agency_id"
        " WHERE a.code = 'IMDi'"
    )
    settled, waiting = cursor.fetchone()
    for reader in readers:
        _status, body = reader.json(
            "GET", "/api/settlement/statistics/?agency=IMDi&from=2006-01-01&date=2006-12-31"
        )
        entries = body if isinstance(body, list) else body.get("results", [body])
        figures = next((e for e in entries if e.get("agency") == "IMDi"), {})
        served = (figures.get("settled"), figures.get("ready_in_reception"))
        check(
            served == (settled, waiting),
            f"server {reader.port} serves settled and waiting {served}, the cases say "
            f"{(settled, waiting)}",
        )
    print(
        f"The database after the imports: {lines} lines once; 2006 settled {settled} and "
        f"waiting at 31.12 {waiting}, as both servers serve them"
    )


def server_env(db_name: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "TASKS_BACKEND": "database",
        "WEB_CONCURRENCY": "2",
        # Notification e-mail is written to the log of the process that sends it.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    env.pop("REDIS_URL", None)  # each process its own cache: duplicate tasks are possible
    return env


def prepare(env: dict) -> dict[str, str]:
    """Migrate, load the demo and collect the static files; the API keys of the editor
    and the approver."""
    started = time.perf_counter()
    # Collecting and compressing the static files takes longest; it needs no database.
    with ThreadPoolExecutor(1) as pool:
        collected = pool.submit(manage, env, "collectstatic", "--no-input", "-v0")
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_demo", "--allow-production")
        tokens = {user: manage(env, "create_api_token", user) for user in ("ne", "direktor")}
        print(f"Database and demo data: {time.perf_counter() - started:.1f} s")
        collected.result()
    print(f"Static files collected too: {time.perf_counter() - started:.1f} s")
    return tokens


def start_servers(env: dict, scratch: Path, processes: list[subprocess.Popen]) -> list[int]:
    ports = [free_port(), free_port()]
    for port in ports:
        log = scratch / f"server-{port}.log"
        server = [GUNICORN, "-c", GUNICORN_CONF, "-b", f"127.0.0.1:{port}", WSGI_APP]
        processes.append(start(server, env, log))
    worker = [PYTHON, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"]
    processes.append(start(worker, env, scratch / "worker.log"))
    for port, process in zip(ports, processes, strict=False):
        wait_healthy(port, process, scratch / f"server-{port}.log")
    print(f"Two app servers on ports {ports[0]} and {ports[1]}, one worker")
    return ports


def create_updates(editor: Client) -> list[int]:
    """Status updates of activities the NE unit answers for, created through one server."""
    _s, activities = editor.json(
        "GET", f"/api/goals/activities/?year=2006&unit=NE&limit={UPDATES + CLIENTS}"
    )
    update_ids = []
    for activity in activities["results"]:
        status, created = editor.json(
            "POST",
            "/api/goals/status-updates/",
            {"activity": activity["id"], "period": PERIOD, "version": 0, "status": "on_track"}
            | {"attainment": "start"},
        )
        check(status == 201, f"creating a status update answered {status}: {created}")
        update_ids.append(created["id"])
    check(len(update_ids) == UPDATES + CLIENTS, f"{len(update_ids)} status updates made")
    return update_ids


def edits_and_imports(ports: list[int], tokens: dict, update_ids: list[int], db_name: str):
    clients = [Client(ports[i % 2], tokens["ne"]) for i in range(CLIENTS)]
    won, conflicts, seconds = conflicting_edits(clients, update_ids[:UPDATES])
    print(
        f"Conflicting saves: {UPDATES} updates x {ROUNDS} rounds x {CLIENTS} clients: "
        f"{won} saved, {conflicts} refused with 409, {seconds:.1f} s"
    )
    # The imports run on the worker while the separate edits go through both servers.
    with ThreadPoolExecutor(1) as pool:
        importing = pool.submit(start_imports, ports)
        saved, seconds = separate_edits(clients, update_ids[UPDATES:])
        jobs = importing.result()
    check(saved == CLIENTS * SEPARATE_SAVES, f"separate saves: {saved} of {CLIENTS * 10}")
    print(
        f"Separate saves: {saved} of {CLIENTS * SEPARATE_SAVES} in {seconds:.1f} s "
        f"({2 * saved / seconds:.0f} requests/s, a read and a write each), "
        f"while {len(jobs)} files were uploaded"
    )
    waited = follow_imports(ports, jobs)
    print(f"Imports {jobs} finished {waited:.1f} s later, their progress read through both")
    with psycopg2.connect(dbname=db_name, **PG) as db, db.cursor() as cursor:
        check_imports(cursor, jobs, [Client(port, tokens["direktor"]) for port in ports])


def submissions(ports: list[int]) -> None:
    """Submit through server B, read through both, reopen and resubmit through server A."""
    approvers = [Client(port) for port in ports]
    readers = [Client(port) for port in ports]
    for client in approvers + readers:
        client.login("direktor")
    for submitter, number in ((approvers[1], 1), (approvers[0], 2)):
        if number == 2:
            status = submitter.post_form(
                f"/resultatkrav/{PERIOD}/godkjenning/",
                {"action": "reopen", "reason": "Rettelse (multi_server)"},
            )
            check(status == 302, f"reopening answered {status}")
        status = submitter.post_form(
            f"/resultatkrav/{PERIOD}/godkjenning/",
            {"action": "submit", "reason": "Sendt inn uten alle svar (multi_server)"},
        )
        check(status == 302, f"submitting answered {status}")
        waited, seen = wait_for_pdf(readers)
        print(
            f"Submission {number} through port {submitter.port}: stored PDF served by "
            f"both after {waited:.1f} s ({seen.count(202)} x 202 before)"
        )


def check_copies(db_name: str) -> None:
    """One stored copy per part and submission, and every task succeeded."""
    with psycopg2.connect(dbname=db_name, **PG) as db, db.cursor() as cursor:
        waited = wait_for_queue(cursor)
        cursor.execute(
            "SELECT f.part, f.submitted_at, count(*) FROM imdi_reporting_frozenreport f "
            "JOIN goals_reportingperiod p ON p.id = f.period_id WHERE p.kind = 'Y' "
            "GROUP BY f.part, f.submitted_at ORDER BY 2, 1"
        )
        copies = cursor.fetchall()
        cursor.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        )
        tasks = dict(cursor.fetchall())
    check(len(copies) == 6, f"3 parts x 2 submissions stored, not {len(copies)}")
    check(all(count == 1 for *_key, count in copies), f"one copy each: {copies}")
    check(set(tasks) == {"SUCCESSFUL"}, f"every task succeeded: {tasks}")
    print(
        f"Queue empty {waited:.1f} s later: {sum(tasks.values())} tasks ran (imports, reminders, "
        f"e-mail, freezes for 2 submissions); {len(copies)} (part, submission) pairs stored, "
        f"{'one copy each' if all(c == 1 for *_k, c in copies) else copies}"
    )


def reminders(env: dict, db_name: str) -> None:
    """Cron's daily call queues the reminders; the worker makes them and mails them."""
    with psycopg2.connect(dbname=db_name, **PG) as db, db.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET email = username || '@example.org'")
        cursor.execute(
            "SELECT p.deadline - a.reminder_days FROM goals_reportingperiod p"
            " JOIN goals_budgetyear y ON y.id = p.budget_year_id"
            " JOIN goals_agency a ON a.id = y.agency_id"
            " WHERE p.state = 'open' AND p.kind = 'Y' AND a.code = 'IMDi'"
        )
        (day,) = cursor.fetchone()
    queued = manage(env, "send_reminders", "--enqueue", "--date", day.isoformat())
    check("queued as task" in queued, f"send_reminders --enqueue said {queued!r}")
    with psycopg2.connect(dbname=db_name, **PG) as db, db.cursor() as cursor:
        waited = wait_for_queue(cursor)
        cursor.execute("SELECT count(*) FROM goals_notification WHERE kind = 'reminder'")
        (made,) = cursor.fetchone()
    check(made > 0, "the worker made reminders")
    print(f"Reminders for {day}: {made} made by the worker {waited:.1f} s after cron's call")


def check_mail(scratch: Path, ports: list[int]) -> None:
    """The notification e-mail of the reminders and submissions went out from the worker;
    no app server sent any while answering a request."""
    sent = (scratch / "worker.log").read_text().count("\nSubject: ")
    by_servers = sum(
        (scratch / f"server-{port}.log").read_text().count("\nSubject: ") for port in ports
    )
    check(sent > 0 and by_servers == 0, f"mail sent by the worker {sent}, by servers {by_servers}")
    print(f"Notification e-mail: {sent} messages sent by the worker, none by the app servers")


def check_request_log(scratch: Path, ports: list[int]) -> None:
    lines = [
        json.loads(line)
        for port in ports
        for line in (scratch / f"server-{port}.log").read_text().splitlines()
        if line.startswith("{")
    ]
    check(
        lines and all("request_id" in line and "duration_ms" in line for line in lines),
        "the servers log JSON lines",
    )
    print(f"Request log: {len(lines)} JSON lines from the two servers")


def stop(processes: list[subprocess.Popen], scratch: Path, *, failed: bool) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in sorted(scratch.glob("*.log")):
        if failed:
            print(f"== {log.name}\n{log.read_text()[-3000:]}")
        log.unlink()
    scratch.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-name", default=f"imdi_multi_{os.getpid()}")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    begun = time.perf_counter()
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{args.db_name}"')
    scratch = Path(tempfile.mkdtemp(prefix="imdi-multi-"))
    processes: list[subprocess.Popen] = []
    env = server_env(args.db_name)
    try:
        tokens = prepare(env)
        ports = start_servers(env, scratch, processes)
        editor = Client(ports[0], tokens["ne"])
        update_ids = create_updates(editor)
        edits_and_imports(ports, tokens, update_ids, args.db_name)
        seconds = kept_pages_follow_writes(ports, editor, update_ids[0])
        print(f"A kept list read through server B shows a save through server A ({seconds:.1f} s)")
        reminders(env, args.db_name)
        submissions(ports)
        check_copies(args.db_name)
        check_mail(scratch, ports)
        check_request_log(scratch, ports)
    finally:
        stop(processes, scratch, failed=bool(failures) or sys.exc_info()[0] is not None)
        if not args.keep:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        admin.close()
    print("OK" if not failures else f"{len(failures)} checks failed", end="")
    print(f" ({time.perf_counter() - begun:.0f} s in all)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
