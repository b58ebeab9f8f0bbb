"""Requests per second and latency of Laurel's pages through a real HTTP server.

Seeds the demo awards and N entries in the current award (``pages.seed``), all eligible and
in round 1, which is open; ``--jurors`` jurors (a quarter per category) with 3 assignments
per entry, each with a review (85 % submitted, 15 % in draft). Then starts gunicorn (sync
workers) with the production settings on a free port of 127.0.0.1, logs in through the login
form as one juror (about 300 assignments) and as the award's organiser, and loads each page
with a closed-loop generator (``wrk``, else a small Python client): requests per second at 8
connections and the median latency at 1. Every figure is also given over the floor's, a
bench-only page of one query behind the same middleware (``bench/_http_urls.py``). Queries
per page are counted afterwards through Django's test client; the gunicorn workers' resident
memory after each pass. The last line on stdout is one JSON object.

    .venv/bin/python bench/http.py [--submissions 2000] [--duration 20]
    .venv/bin/python bench/http.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

# ruff: noqa: E402 (the path is put right before the first import that needs it)
import sys
from pathlib import Path

# This file is bench/http.py, and Python puts a script's folder first on the path: there it
# would stand for the standard library's ``http`` package. The folder goes last instead
# (``_common``, ``pages`` and ``showcase`` are still found there), before anything imports
# ``http``. For the same reason the server is given the settings as ``bench._http_settings``
# and the project root, not bench/, on its PYTHONPATH.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
sys.path.append(str(BENCH))

import datetime as dt
import http.client
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from _common import (
    ROOT,
    database_vendor,
    emit,
    log,
    machine,
    milliseconds,
    parser,
    stop_process_group,
    throwaway_django,
)
from pages import seed
from showcase import _reviews, _user, seat_jurors

SETTINGS = "bench._http_settings"
PAGES = (
    "review_page",
    "submissions_list",
    "juror_dashboard",
    "results_category",
    "landing",
    "healthz",
)
SUBMITTED_SHARE = 0.85  # of the reviews; the rest are drafts
PASSWORD = "bench-" + "x" * 20  # a throwaway account in a throwaway database
# Production behind its TLS proxy: every request says it came in over HTTPS, so that the
# SSL redirect, the Secure cookies and the HSTS header are what production has.
FORWARDED = {"X-Forwarded-Proto": "https"}
MIN_ANSWERS = 3  # a run lasts at least as long as this many requests of its page
# Counts the responses that are not a 200: wrk itself counts only statuses above 399, and a
# lost session would answer 302 (to the login page) very fast.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0; first = "" end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
    if first == "" then first = status .. " " .. string.sub(body or "", 1, 400) end
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("not_ok")
    local answer = thread:get("first")
    if answer ~= "" then io.write("bench-first-not-200: " .. answer .. "\\n") end
  end
  io.write(string.format("bench-not-200: %d\\n", total))
end
"""


# --- the data ----------------------------------------------------------------------------
def build_jury(*, slug: str, jurors: int, rng: random.Random) -> dict:
    """Round 1 of the current award open, every entry eligible and in it, ``jurors`` jurors
    (a quarter per category, ready to work) with 3 assignments per entry, each reviewed:
    SUBMITTED_SHARE submitted, the rest drafts. Modelled on ``showcase.build_jury``, without
    its two special jurors and documents."""
    from django.utils import timezone

    from awards.models import Award
    from jury.models import Assignment, RoundEntry
    from submissions.models import Submission

    now = timezone.now()
    award = Award.objects.get(slug=slug)
    categories = list(award.categories.order_by("position"))
    criteria = list(award.criteria.order_by("position"))
    round_ = award.rounds.get(number=1)
    Award.objects.filter(pk=award.pk).update(status="judging")
    type(round_).objects.filter(pk=round_.pk).update(
        status="open", opened_at=now, deadline_at=now + dt.timedelta(days=14)
    )

    # Every entry was submitted, found eligible and numbered.
    entries = list(Submission.objects.filter(award=award).order_by("pk"))
    code = {c.pk: c.code for c in categories}
    for n, entry in enumerate(entries):
        entry.status = "eligible"
        entry.submitted_at = entry.submitted_at or now - dt.timedelta(days=rng.randint(1, 30))
        entry.reference = (
            f"{award.reference_prefix}-{award.edition}-{code[entry.category_id]}-B{n:04d}"
        )
        entry.consent_publication = True
    Submission.objects.bulk_update(
        entries, ["status", "submitted_at", "reference", "consent_publication"], batch_size=1000
    )
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, submission=e) for e in entries], batch_size=1000
    )

    pools = seat_jurors(award, categories, jurors, now=now, affiliation="Bench University")
    rows = []
    for entry in entries:
        pool = pools[entry.category_id]
        rows.extend(
            Assignment(round=round_, juror=juror, submission=entry)
            for juror in rng.sample(pool, min(3, len(pool)))
        )
    Assignment.objects.bulk_create(rows, batch_size=1000)

    assignments = list(Assignment.objects.filter(round=round_).order_by("pk"))
    statuses = ["submitted" if rng.random() < SUBMITTED_SHARE else "draft" for _ in assignments]
    reviews = _reviews(assignments, statuses, criteria, rng, now)

    # The measured juror: the first, in the first category; their review page is that of
    # their first entry in draft (a review at work, its form open).
    juror = pools[categories[0].pk][0]
    mine = [(a, s) for a, s in zip(assignments, statuses, strict=True) if a.juror_id == juror.pk]
    target = next(a for a, s in mine if s == "draft")
    return {
        "award": award,
        "category": categories[0],
        "juror": juror,
        "target": target,
        "juror_assignments": len(mine),
        "entries": len(entries),
        "assignments": len(assignments),
        "reviews": reviews,
    }


def organiser_of(award):
    """The demo's organiser of ``award`` (an organiser role is created if there is none)."""
    from awards.models import AwardRole

    role = AwardRole.objects.filter(award=award, role="organiser").select_related("user").first()
    if role:
        return role.user
    user = _user("organiser@bench.laurel.example", "Bench Organiser")
    AwardRole.objects.create(award=award, user=user, role="organiser")
    return user


# --- the server --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(*, port: int, settings: str, redis_url: str | None) -> dict:
    """What production needs from the environment, for this bench's server and process."""
    return {
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LAUREL_SITE_URL": f"https://127.0.0.1:{port}",
        "LAUREL_IMPRINT_URL": "https://bench.laurel.example/imprint",
        "LAUREL_PRIVACY_URL": "https://bench.laurel.example/privacy",
        "LAUREL_BENCH_REDIS_URL": redis_url or "",
        # The project root only: bench/ on the path would hide the standard library's http.
        "PYTHONPATH": str(ROOT),
    }


def start_gunicorn(*, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``, in a session of its own
    (stopped as a group); its output goes to ``log_path``. The environment is this process's:
    the database, the var folder and the production settings are set there already."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        raise SystemExit(f"gunicorn is not installed next to {sys.executable}")
    environment = dict(os.environ)
    environment["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    command = [
        str(gunicorn),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(ROOT),
        # As the production image (Dockerfile) has it, except --max-requests: a worker
        # started afresh after 1,000 requests would hide a growth of its memory.
        "--timeout",
        "60",
        "--worker-tmp-dir",
        "/dev/shm",  # noqa: S108 (gunicorn heartbeat files, as in the Dockerfile)
        "--log-level",
        "warning",
    ]
    output = log_path.open("ab")
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log_path.read_text()[-3000:]}")
        try:
            status, _headers, _body = Browser(port).get("/healthz/")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200 and len(worker_pids(process.pid)) == workers:
            return process
        time.sleep(0.2)
    stop_process_group(process)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


# The states of a server socket that still has a request to answer (/proc/net/tcp): one in
# the listen queue or in a worker (ESTABLISHED, SYN_RECV), or one whose client has gone away
# before the worker answered (CLOSE_WAIT).
BUSY_STATES = {"01", "03", "08"}


def wait_idle(port: int, *, timeout: float = 600) -> float:
    """Wait until the server has no request left: when wrk stops, the requests it sent last
    are still queued or in a worker, and a slow page's would be served during the next
    page's run. Returns the seconds waited."""
    started = time.monotonic()
    suffix = f":{port:04X}"
    while True:
        busy = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                local, _remote, state = line.split()[1:4]
                busy += local.endswith(suffix) and state in BUSY_STATES
        waited = time.monotonic() - started
        if not busy:
            return waited
        if waited > timeout:
            raise SystemExit(f"the server still had {busy} requests after {timeout:.0f} s")
        time.sleep(0.1)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the children of its master process."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# What in gunicorn's log tells of a failure: an exception, a 500, a worker that timed out or
# died. (A 503 of /healthz/ is logged as an error too; wrk counts it among the responses that
# are not a 200, which make the page's figures invalid.)
LOG_FAILURES = ("Traceback", "Internal Server Error", "WORKER TIMEOUT", "[CRITICAL]", "exited with")


def log_errors(log_path: Path) -> list[str]:
    """The lines of gunicorn's log that tell of a failure."""
    return [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if any(failure in line for failure in LOG_FAILURES)
    ]


# --- a small HTTP client that keeps its cookies ------------------------------------------
@dataclass
class Browser:
    """One user's requests to the bench's server: new connection per request, cookies kept
    (the server's are Secure, which a client library would not send over plain HTTP to
    127.0.0.1; the TLS proxy is left out), and the proxy's X-Forwarded-Proto on each."""

    port: int
    cookies: dict = field(default_factory=dict)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))

    def request(self, method: str, path: str, *, body: str | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {**FORWARDED, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, content.decode("utf-8", "replace")
        finally:
            connection.close()

    def get(self, path: str):
        return self.request("GET", path)

    def login(self, email: str, password: str) -> None:
        """Through the real login form: the CSRF cookie and token from the GET, then the
        POST of the email address and the password, which must redirect and set a session."""
        status, _headers, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"the login form answered {status}: {page[:300]!r}")
        origin = f"https://127.0.0.1:{self.port}"
        status, headers, page = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "username": email,
                    "password": password,
                    "next": "",
                }
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": f"{origin}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in as {email} answered {status}: {page[:500]!r}")
        log(f"logged in as {email} (to {headers.get('Location')})")


# --- the load generators -----------------------------------------------------------------
@dataclass
class Load:
    rps: float
    p50_ms: float
    requests: int
    not_ok: int
    socket_errors: str = ""
    first_not_ok: str = ""  # the status and the start of the first response not a 200


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(
    binary: str, url: str, *, connections: int, threads: int, seconds: float, headers: dict
) -> Load:
    """One run of wrk: requests per second, the median latency, the responses not a 200."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [
            binary,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "120s",
            "--latency",
            "-s",
            script.name,
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        result = subprocess.run(  # noqa: S603
            [*command, url], capture_output=True, text=True, timeout=seconds + 120
        )
    finally:
        os.unlink(script.name)
    output = result.stdout
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}): {output}{result.stderr}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    not_ok = re.search(r"bench-not-200: (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    first = re.search(r"bench-first-not-200: (.*)", output)
    if not (rps and p50 and total and not_ok):
        raise SystemExit(f"could not read wrk's output:\n{output}{result.stderr}")
    return Load(
        rps=float(rps.group(1)),
        p50_ms=float(p50.group(1)) * UNITS_MS[p50.group(2)],
        requests=int(total.group(1)),
        not_ok=max(int(not_ok.group(1)), int(non_2xx.group(1)) if non_2xx else 0),
        socket_errors=errors.group(1).strip() if errors else "",
        first_not_ok=first.group(1) if first else "",
    )


def python_load(url: str, *, connections: int, seconds: float, headers: dict) -> Load:
    """The same closed loop without wrk: ``connections`` threads, each sending its next
    request when the last one is answered, on a kept-alive connection where the server keeps
    it (gunicorn's sync workers close it after each response: then a new one)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    first: list[str] = []

    def loop(number: int) -> None:
        connection = None
        while time.perf_counter() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = None
                failures[number] += 1
                continue
            latencies[number].append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                failures[number] += 1
                first.append(f"{response.status} {body[:400].decode('utf-8', 'replace')}")
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=loop, args=(n,)) for n in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    samples = [ms for thread in latencies for ms in thread]
    return Load(
        rps=len(samples) / elapsed,
        p50_ms=statistics.median(samples) if samples else float("nan"),
        requests=len(samples),
        not_ok=sum(failures),
        first_not_ok=first[0] if first else "",
    )


@dataclass
class Page:
    name: str
    path: str
    user: str | None  # "juror", "organiser" or None (anonymous)
    marker: str  # a string only the right page has
    seconds: float = 0.0  # of one request after the warm-up


def measure_page(page: Page, *, port: int, cookies: str, generator: str, seconds: float):
    """Requests per second at 8 connections and the median latency at 1 of ``page``.

    Each run needs MIN_ANSWERS answers: a page so slow that a run of ``seconds`` (half of it
    at 1 connection) would give fewer gets a run as long as MIN_ANSWERS of its requests
    (twice that at 8 connections, where the workers share the cores), and a run that still
    got fewer is done again, twice as long, up to twice."""
    url = f"http://127.0.0.1:{port}{page.path}"
    headers = dict(FORWARDED)
    if cookies:
        headers["Cookie"] = cookies

    def run(connections: int, threads: int, duration: float) -> Load:
        for attempt in range(3):
            if generator == "python":
                load = python_load(url, connections=connections, seconds=duration, headers=headers)
            else:
                load = wrk(
                    generator,
                    url,
                    connections=connections,
                    threads=threads,
                    seconds=duration,
                    headers=headers,
                )
            wait_idle(port)
            if load.requests >= MIN_ANSWERS or attempt == 2:
                return load
            log(
                f"{page.name}: {load.requests} answers in {duration:.0f} s at {connections} "
                f"connections; again for {2 * duration:.0f} s"
            )
            duration *= 2
        return load

    slow = MIN_ANSWERS * page.seconds
    throughput = run(8, 2, max(seconds, 2 * slow))
    latency = run(1, 1, max(seconds / 2, slow))
    for what, load in (("8 connections", throughput), ("1 connection", latency)):
        if load.not_ok:
            log(
                f"{page.name} {page.path}: {load.not_ok} of {load.requests} responses at "
                f"{what} were not a 200, its figures are not valid. The first: "
                f"{load.first_not_ok or '(not recorded)'}"
            )
        if not load.requests:
            log(f"{page.name} {page.path}: no response at {what}, its figures are not valid")
        if load.socket_errors:
            log(f"{page.name} at {what}: socket errors {load.socket_errors}")
    return throughput, latency


def warm_up(page: Page, browser: Browser, *, workers: int) -> float:
    """``2 * workers`` requests of ``page`` at once, so that every worker has compiled its
    templates and opened its database connection; then one more alone. Returns the seconds
    of that one: how slow the page is."""
    threads = [threading.Thread(target=browser.get, args=(page.path,)) for _ in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return check_page(page, browser)


def record(figures: dict, name: str, runs: list[tuple[Load, Load]], *, passes: int) -> None:
    """The page's figures: the medians over the passes. If any response was not a 200, the
    figures are null and what was measured goes into ``<name>_invalid``."""
    rps = [round(throughput.rps, 1) for throughput, _ in runs]
    p50 = [round(latency.p50_ms, 2) for _, latency in runs]
    not_ok = sum(throughput.not_ok + latency.not_ok for throughput, latency in runs)
    if not_ok or not all(throughput.requests and latency.requests for throughput, latency in runs):
        answers = [load.first_not_ok for run in runs for load in run if load.first_not_ok]
        figures[f"{name}_rps"] = figures[f"{name}_p50_ms"] = None
        figures[f"{name}_invalid"] = {
            "rps": rps,
            "p50_ms": p50,
            "not_200": not_ok,
            "requests": sum(t.requests + lat.requests for t, lat in runs),
            "first_not_200": answers[0] if answers else "",
        }
        return
    figures[f"{name}_rps"] = round(statistics.median(rps), 1)
    figures[f"{name}_p50_ms"] = round(statistics.median(p50), 2)
    if passes > 1:
        figures[f"{name}_rps_passes"] = rps


def check_page(page: Page, browser: Browser) -> float:
    """One GET through the Python client: a 200, the page's marker, not the login form.
    Returns its seconds."""
    started = time.perf_counter()
    status, _headers, body = browser.get(page.path)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"{page.name} {page.path} answered {status}: {body[:500]!r}")
    if 'name="username"' in body:
        raise SystemExit(f"{page.name} {page.path}: the login form, not the page")
    if page.marker not in body:
        raise SystemExit(f"{page.name} {page.path}: no {page.marker!r} in the page")
    return elapsed


def count_queries(page: Page, users: dict) -> int:
    """The queries of one request of ``page`` through Django's test client (after one
    untimed request), as the same user, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.user:
        client.force_login(users[page.user])
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"test client: {page.path} answered {response.status_code}")
    return len(captured.captured_queries)


def redis_database(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path else 0


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.set_defaults(settings=SETTINGS)
    arguments.add_argument(
        "--submissions", type=int, default=2000, help="entries to seed (default: 2000)"
    )
    arguments.add_argument(
        "--jurors", type=int, default=20, help="jurors, a quarter per category (default: 20)"
    )
    arguments.add_argument(
        "--duration",
        type=float,
        default=20,
        help="seconds per page at 8 connections; half of it at 1 (default: 20)",
    )
    arguments.add_argument(
        "--gunicorn-workers", type=int, default=2, help="sync workers (default: 2)"
    )
    arguments.add_argument(
        "--passes",
        type=int,
        default=1,
        help="measure every page this many times against the same server (default: 1)",
    )
    arguments.add_argument(
        "--redis-url",
        help="a Redis for the server (REDIS_URL, CELERY_BROKER_URL); its database is EMPTIED "
        "before and after (not DB 0, 1 or 11). Default: none, the embedded services.",
    )
    arguments.add_argument(
        "--pages",
        help=f"a comma list of pages to measure (default: all of {','.join(PAGES)}; the floor "
        "is always measured)",
    )
    arguments.add_argument(
        "--load-generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk, the Python client, or wrk if it is installed (default: %(default)s)",
    )
    args = arguments.parse_args(argv)
    chosen = args.pages.split(",") if args.pages else list(PAGES)
    unknown = set(chosen) - set(PAGES)
    if unknown:
        raise SystemExit(f"--pages: unknown {', '.join(sorted(unknown))}; known: {PAGES}")
    if args.redis_url and redis_database(args.redis_url) in {0, 1, 11}:
        raise SystemExit("--redis-url: not DB 0, 1 or 11, the run empties it (use 14)")
    generator = args.load_generator
    if generator != "python":
        generator = shutil.which("wrk") or ("" if generator == "auto" else None)
        if generator is None:
            raise SystemExit("--load-generator wrk: wrk is not installed")
        generator = generator or "python"
    rng = random.Random(args.seed)
    port = free_port()
    os.environ.update(
        server_environment(port=port, settings=args.settings, redis_url=args.redis_url)
    )
    if args.redis_url:
        flush_redis(args.redis_url)

    figures: dict = {
        "submissions": args.submissions,
        "jurors": args.jurors,
        "workers": args.gunicorn_workers,
        "duration_s": args.duration,
        "passes": args.passes,
        "load_generator": "wrk" if generator != "python" else "python",
        "redis": bool(args.redis_url),
        "machine": machine(),
    }
    started = time.perf_counter()
    try:
        with throwaway_django(database_url=args.database_url, settings=args.settings) as var:
            from django.core.management import call_command
            from django.db import connection, connections
            from django.urls import NoReverseMatch, reverse

            figures["database"] = database_vendor()
            log(f"Laurel from {ROOT}")
            applicants = min(400, max(20, args.submissions // 5))
            elapsed, slug = milliseconds(
                lambda: seed(submissions=args.submissions, applicants=applicants, rng=rng)
            )
            log(f"seeded the demo and {args.submissions} entries in {elapsed:.0f} ms")
            elapsed, jury = milliseconds(lambda: build_jury(slug=slug, jurors=args.jurors, rng=rng))
            log(
                f"seeded the jury in {elapsed:.0f} ms: {jury['entries']} entries in round 1, "
                f"{jury['assignments']} assignments, {jury['reviews']} reviews; the juror has "
                f"{jury['juror_assignments']}"
            )
            award, category = jury["award"], jury["category"]
            users = {"juror": jury["juror"].user, "organiser": organiser_of(award)}
            for user in users.values():
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            elapsed, _ = milliseconds(
                lambda: call_command("collectstatic", "--noinput", verbosity=0)
            )
            log(f"collected the static files in {elapsed:.0f} ms")
            figures.update(
                {
                    "submissions": jury["entries"],
                    "assignments": jury["assignments"],
                    "reviews": jury["reviews"],
                    "juror_assignments": jury["juror_assignments"],
                }
            )

            try:
                results = reverse(
                    "results_manage:category",
                    kwargs={"slug": award.slug, "category": category.pk},
                )
                figures["results_scope"] = "one category"
            except NoReverseMatch:
                results = reverse("results_manage:overview", kwargs={"slug": award.slug})
                figures["results_scope"] = "all categories"
            every = {
                "review_page": Page(
                    "review_page",
                    reverse("jury:review", kwargs={"slug": award.slug, "pk": jury["target"].pk}),
                    "juror",
                    'data-testid="review-status"',
                ),
                "submissions_list": Page(
                    "submissions_list",
                    reverse("submissions_manage:list", kwargs={"slug": award.slug}),
                    "organiser",
                    'data-testid="status-counts"',
                ),
                "juror_dashboard": Page(
                    "juror_dashboard",
                    reverse("jury:dashboard", kwargs={"slug": award.slug}),
                    "juror",
                    'data-testid="dashboard-filter"',
                ),
                "results_category": Page(
                    "results_category",
                    results,
                    "organiser",
                    f'data-testid="category-{category.code}"',
                ),
                "landing": Page("landing", "/", None, 'id="award-title"'),
                "healthz": Page("healthz", "/healthz/", None, '"status": "ok"'),
            }
            floor = Page(
                "floor", f"/bench-floor/?award={award.slug}", "juror", 'data-testid="bench-floor"'
            )
            measured = [every[name] for name in PAGES if name in chosen] + [floor]
            connections.close_all()  # the server's workers have the database to themselves

            log_path = var / "gunicorn.log"
            server = start_gunicorn(port=port, workers=args.gunicorn_workers, log_path=log_path)
            try:
                log(
                    f"gunicorn on 127.0.0.1:{port}, workers {worker_pids(server.pid)}, "
                    f"load by {figures['load_generator']}"
                )
                browsers = {None: Browser(port)}
                for role in ("juror", "organiser"):
                    browsers[role] = Browser(port)
                    browsers[role].login(users[role].email, PASSWORD)
                for page in measured:
                    check_page(page, browsers[page.user])
                for page in measured:
                    page.seconds = warm_up(page, browsers[page.user], workers=args.gunicorn_workers)
                    if page.seconds * MIN_ANSWERS > args.duration / 2:
                        log(
                            f"{page.name}: one request takes {page.seconds:.1f} s, its runs "
                            f"take at least {page.seconds * MIN_ANSWERS:.0f} s"
                        )
                runs: dict = {page.name: [] for page in measured}
                rss_passes = []
                for number in range(1, args.passes + 1):
                    for page in measured:
                        throughput, latency = measure_page(
                            page,
                            port=port,
                            cookies=browsers[page.user].cookie_header(),
                            generator=generator,
                            seconds=args.duration,
                        )
                        runs[page.name].append((throughput, latency))
                        log(
                            f"pass {number} {page.name}: {throughput.rps:.1f} requests/s at 8 "
                            f"connections ({throughput.requests}), p50 {latency.p50_ms:.1f} ms "
                            f"at 1"
                        )
                        # The session is still valid: the page, not a redirect to the login.
                        check_page(page, browsers[page.user])
                    rss = [rss_mb(pid) for pid in worker_pids(server.pid)]
                    rss_passes.append(round(max(rss), 1))
                    log(f"pass {number}: worker RSS {', '.join(f'{mb:.1f}' for mb in rss)} MB")
                errors = log_errors(log_path)
                if errors:
                    raise SystemExit("gunicorn logged failures:\n" + "\n".join(errors[:40]))
            finally:
                stop_process_group(server)

            for page in measured:
                record(figures, page.name, runs[page.name], passes=args.passes)
                figures[f"{page.name}_queries"] = count_queries(page, users)
            for page in measured[:-1]:
                rps, floor_rps = figures[f"{page.name}_rps"], figures["floor_rps"]
                figures[f"{page.name}_floor_ratio"] = (
                    round(rps / floor_rps, 3) if rps is not None and floor_rps else None
                )
            figures["worker_rss_mb"] = rss_passes[-1]
            figures["worker_rss_mb_passes"] = rss_passes
            if len(rss_passes) > 1:
                figures["worker_rss_growth_pct"] = round(
                    (rss_passes[-1] / rss_passes[-2] - 1) * 100, 1
                )
    finally:
        if args.redis_url:
            flush_redis(args.redis_url)
    figures["run_s"] = round(time.perf_counter() - started, 1)
    invalid = [name.removesuffix("_invalid") for name in figures if name.endswith("_invalid")]
    figures["valid"] = not invalid
    emit(figures)
    if invalid:
        raise SystemExit(f"not every response was a 200, not valid: {', '.join(invalid)}")


if __name__ == "__main__":
    main()
