"""The embedded broker (config/broker.py, one SQLite file) under real load, and the supervisor
that starts a failed worker again (``dev.py supervise``, used by Procfile.dev).

The workers here run ``append`` (below, loaded with ``-I``): each task writes its number to a
file in one appending write, so what ran is counted from the file, not from the broker.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from celery import shared_task

from tests.services import ROOT, WorkerProcess, worker_env

THIS_MODULE = "tests.config.test_embedded_broker"
APPEND = "tests.embedded_broker.append"
# 20,000 tasks take about 30 s on two cores; LAUREL_BROKER_TEST_TASKS shortens a local run.
TASKS = int(os.environ.get("LAUREL_BROKER_TEST_TASKS", "20000"))
PRODUCERS = 4


@shared_task(name=APPEND, ignore_result=True)
def append(path: str, number: int, pause: float = 0.0) -> None:
    """Note that ``number`` ran, and in which worker: one line, one O_APPEND write."""
    if pause:
        time.sleep(pause)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{number} {os.getppid()}\n".encode())
    finally:
        os.close(fd)


def produce(first: int, last: int, path: str, pause: float = 0.0) -> None:
    """Send ``append`` for ``first`` … ``last - 1`` through the configured broker (run in a
    producer process of its own, see ``_producer``)."""
    from config.celery import app

    with app.producer_or_acquire() as producer:
        for number in range(first, last):
            app.send_task(APPEND, args=[path, number, pause], producer=producer)


def _producer(env: dict, first: int, last: int, path: Path, pause: float = 0.0):
    code = f"from {THIS_MODULE} import produce; produce({first}, {last}, {str(path)!r}, {pause})"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)


def _ran(path: Path) -> Counter:
    """How often each number ran."""
    try:
        return Counter(int(line.split()[0]) for line in path.read_text().splitlines())
    except FileNotFoundError:
        return Counter()


def _wait_for(path: Path, count: int, timeout: float) -> Counter:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ran = _ran(path)
        if len(ran) >= count:
            return ran
        time.sleep(0.2)
    return _ran(path)


@pytest.fixture
def embedded(isolated_var) -> dict:
    """The environment of a process on a fresh embedded broker in ``isolated_var`` (the
    tasks here need no database: the worker's is an empty file)."""
    return worker_env(
        database_url=f"sqlite:///{isolated_var / 'worker.sqlite3'}",
        broker_url=f"sqlite:///{isolated_var / 'celery' / 'broker.sqlite3'}",
        var_dir=isolated_var,
    )


def test_the_broker_without_a_server_is_the_sqlite_file_in_var(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "REDIS_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", LAUREL_VAR_DIR=str(tmp_path))
    code = "from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == f"sqlite:///{tmp_path}/celery/broker.sqlite3"


@pytest.mark.worker
def test_concurrent_producers_and_workers_lose_and_repeat_nothing(embedded, isolated_var):
    """4 producers and 2 workers at once (the race that stopped the file-system broker's
    worker): every task runs exactly once, no worker stops, the queue ends empty."""
    results = isolated_var / "ran.log"
    workers = [
        WorkerProcess(embedded, isolated_var / f"worker-{n}.log", ["-I", THIS_MODULE])
        for n in range(2)
    ]
    producers = []
    try:
        for worker in workers:
            worker.start()
        share = -(-TASKS // PRODUCERS)
        producers = [
            _producer(embedded, n * share, min(TASKS, (n + 1) * share), results)
            for n in range(PRODUCERS)
        ]
        for producer in producers:
            assert producer.wait(timeout=120) == 0

        ran = _wait_for(results, TASKS, timeout=120)

        assert sorted(ran) == list(range(TASKS)), f"lost: {TASKS - len(ran)}"
        assert sum(ran.values()) == TASKS, "some ran twice"
        for worker in workers:
            log = worker.log_path.read_text(errors="replace")
            assert worker.process.poll() is None, log[-3000:]
            assert "Unrecoverable error" not in log
        with sqlite3.connect(isolated_var / "celery" / "broker.sqlite3") as db:
            left = db.execute("SELECT count(*) FROM message WHERE queue = 'celery'").fetchone()
        assert left == (0,)
    finally:
        for producer in producers:
            if producer.poll() is None:
                producer.kill()
        for worker in workers:
            worker.stop()


def _supervise(env: dict, command: list[str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "dev.py", "supervise", "--", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the teardown can end it all
        )


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_for_text(log: Path, text: str, count: int = 1, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} ×{count} not in {log}: {log.read_text()[-3000:]}")


@pytest.mark.worker
def test_the_supervisor_restarts_a_killed_worker_which_then_runs_every_task(embedded, isolated_var):
    """``kill -9`` of the worker in the middle of a queue: the supervisor starts a new one,
    which runs the rest and also the tasks the killed one had taken but not finished."""
    results = isolated_var / "ran.log"
    log = isolated_var / "supervised.log"
    worker = ["celery", "-A", "config", "worker", "--loglevel=INFO", "--without-mingle"]
    worker += ["--without-gossip", "--concurrency=2", "-I", THIS_MODULE]
    env = {**embedded, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    supervisor = _supervise(env, worker, log)
    try:
        _wait_for_text(log, " ready.")
        count = 200
        assert _producer(env, 0, count, results, pause=0.05).wait(timeout=60) == 0
        _wait_for(results, 20, timeout=30)
        first_worker = {int(line.split()[1]) for line in results.read_text().splitlines()}
        assert len(first_worker) == 1
        os.kill(first_worker.pop(), signal.SIGKILL)

        _wait_for_text(log, "supervise: celery was killed by signal 9; starting it again")
        _wait_for_text(log, " ready.", count=2)
        ran = _wait_for(results, count, timeout=60)

        assert sorted(ran) == list(range(count)), f"lost: {sorted(set(range(count)) - set(ran))}"
        workers = {int(line.split()[1]) for line in results.read_text().splitlines()}
        assert len(workers) >= 2  # (a pool process of the killed one may finish its task)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert log.read_text().count(" ready.") == 2  # stopped, not started again
    finally:
        _end(supervisor)


def test_the_supervisor_starts_a_failing_command_again_until_it_succeeds(tmp_path):
    runs = tmp_path / "runs"
    # Fails twice, then succeeds: the supervisor ends with it.
    code = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); "
        "sys.exit(0 if len(p.read_text()) >= 3 else 3)"
    )
    log = tmp_path / "supervise.log"
    supervisor = _supervise(dict(os.environ), [sys.executable, "-c", code, str(runs)], log)
    try:
        assert supervisor.wait(timeout=30) == 0
        assert runs.read_text() == "xxx"
        text = log.read_text()
        assert "exited with 3; starting it again in 1 s" in text
        assert "exited with 3; starting it again in 2 s" in text
    finally:
        _end(supervisor)


def test_the_supervisor_stops_its_command_on_sigterm_and_does_not_start_it_again(tmp_path):
    started = tmp_path / "started"
    code = (
        "import pathlib, sys, time; p = pathlib.Path(sys.argv[1]); "
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); time.sleep(60)"
    )
    supervisor = _supervise(
        dict(os.environ), [sys.executable, "-c", code, str(started)], tmp_path / "log"
    )
    try:
        deadline = time.monotonic() + 20
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        supervisor.send_signal(signal.SIGTERM)  # to the supervisor alone, not its group

        assert supervisor.wait(timeout=10) == 0
        time.sleep(1.5)
        assert started.read_text() == "x"
    finally:
        _end(supervisor)
