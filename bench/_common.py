"""Plumbing shared by the benches in bench/: a throwaway database with Django set up on it,
timing, and the single JSON line of figures that every bench prints last.

Imported by a bench run as a script (``.venv/bin/python bench/<name>.py``), so it lives next
to the benches and is imported as ``_common``. Nothing here imports Django at module level:
the environment has to be in place before ``django.setup()``.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

# A bench runs as ``python bench/<name>.py``, which puts this folder first on the import path:
# its ``http.py`` would hide the standard library's ``http`` (Django imports it) and
# ``certificates.py`` the app. Every bench imports this module before Django, so the folder
# moves to the end here, where ``_common`` and the benches' other helpers are still found.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _BENCH]
sys.path.append(str(_BENCH))

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Services a developer's shell may point at; a bench uses the embedded ones instead, so its
# figures do not depend on what happens to be configured (and it never writes to them).
FOREIGN_SERVICES = (
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "EMAIL_URL",
)


def log(message: str) -> None:
    """Progress goes to stderr: stdout is kept for the figures."""
    print(message, file=sys.stderr, flush=True)


def emit(figures: dict) -> None:
    """Print the figures as one JSON object: the last line a bench writes to stdout."""
    print(json.dumps(figures), flush=True)


def parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with the options every bench has."""
    result = argparse.ArgumentParser(
        description=(description or "").strip().splitlines()[0] if description else None
    )
    result.add_argument(
        "--database-url",
        help=(
            "a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/laurel_bench; the "
            "database is created for the run and dropped afterwards (it must not exist yet). "
            "Default: an SQLite file in a temporary folder."
        ),
    )
    result.add_argument(
        "--settings",
        default="config.settings.test",
        help="the Django settings module (default: %(default)s)",
    )
    result.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    return result


# --- the throwaway database --------------------------------------------------------------
def _server_conninfo(database_url: str) -> tuple[str, str]:
    """The connection string of the server's ``postgres`` database, and the bench's name."""
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"--database-url must be a postgres:// URL, not {parts.scheme}://")
    name = parts.path.lstrip("/")
    if not DATABASE_NAME.match(name):
        raise SystemExit(f"--database-url: {name!r} is not a plain database name")
    return make_conninfo(database_url, dbname="postgres"), name


def _create_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo, name = _server_conninfo(database_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            # Never drop a database this run did not create.
            raise SystemExit(
                f"database {name!r} exists already; a bench creates its own. Drop it "
                f"(DROP DATABASE {name}) or choose another name."
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created database {name}")


def _drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo, name = _server_conninfo(database_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        conn.execute(drop)
    log(f"dropped database {name}")


@contextmanager
def throwaway_django(*, database_url: str | None, settings: str) -> Iterator[Path]:
    """Django set up on a new, migrated database; everything is removed on the way out.

    Yields the temporary folder that serves as ``LAUREL_VAR_DIR`` (SQLite file, file
    broker, media, mail).
    """
    var_dir = Path(tempfile.mkdtemp(prefix="laurel-bench-"))
    created = False
    django_ready = False
    try:
        if database_url:
            _create_database(database_url)
            created = True
        for name in FOREIGN_SERVICES:
            os.environ.pop(name, None)
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": settings,
                "LAUREL_VAR_DIR": str(var_dir),
                "DATABASE_URL": database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}",
                "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            }
        )
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))

        import django
        from django.core.management import call_command

        django.setup()
        django_ready = True
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        log(f"migrated in {time.perf_counter() - started:.1f} s")
        yield var_dir
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if created:
            _drop_database(database_url)
        shutil.rmtree(var_dir, ignore_errors=True)


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


# --- measuring ---------------------------------------------------------------------------
def milliseconds(func: Callable[[], object]) -> tuple[float, object]:
    """Wall time of one call in ms, and what it returned."""
    started = time.perf_counter()
    result = func()
    return (time.perf_counter() - started) * 1000, result


def measure_page(client, url: str, *, requests: int, warmup: int = 5) -> tuple[list, list]:
    """GET ``url`` with Django's test ``client`` ``warmup`` times untimed, then ``requests``
    times: (milliseconds, queries) of each timed request. Anything but a 200 ends the bench."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    for _ in range(warmup):
        get()
    times, queries = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            elapsed, _response = milliseconds(get)
        times.append(elapsed)
        queries.append(len(captured.captured_queries))
    return times, queries


def median_p95(samples: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (inclusive method), rounded to 0.01."""
    if len(samples) == 1:
        return round(samples[0], 2), round(samples[0], 2)
    p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
    return round(statistics.median(samples), 2), round(p95, 2)


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a child started in its own session (a worker and its children): SIGTERM, and
    SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def machine() -> dict:
    """What the figures ran on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def start_worker(
    *, env: dict[str, str], log_path: Path, concurrency: int, wait_s: float = 60
) -> subprocess.Popen:
    """``celery -A config worker`` in its own process group (its output to ``log_path``),
    returned once it says it is ready; exits the bench if it does not start in ``wait_s``."""
    out = log_path.open("ab")
    # A fixed argument list of our own, no shell.
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            f"--concurrency={concurrency}",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()  # the worker has its own copy
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited: {log_path.read_text()[-3000:]}")
        if b" ready." in log_path.read_bytes():
            return process
        time.sleep(0.2)
    raise SystemExit(f"the worker did not start: {log_path.read_text()[-3000:]}")
