"""How many tasks a second each broker without a server carries, and whether it loses any.

For each candidate broker, in a fresh temporary folder: starts ``--consumers`` real Celery
workers (``celery -A _broker_app worker``, ``--concurrency`` processes each, Laurel's
delivery settings: late acknowledgement, prefetch 1), then ``--producers`` processes that
send ``--tasks`` tasks between them as fast as they can. Each task appends its number to a
file in one write, so what ran is counted from the file, not from the broker. Measures

- ``tasks_per_s``: tasks run per second, from the first send until the last task ran,
- ``publish_per_s``: tasks sent per second by the producers together,
- ``lost``: tasks sent and never run, ``duplicates``: tasks run more than once,
- ``crashes``: workers that stopped by themselves, ``producer_errors``: sends that failed.

Candidates: ``filesystem`` (kombu's file-system transport, Laurel's earlier default),
``filesystem-atomic`` (the same with its write race fixed: write under a hidden name, then
rename), ``sqla-sqlite`` (kombu's SQLAlchemy transport on SQLite in WAL mode), ``sqlite``
(Laurel's embedded broker, ``config/broker.py``), ``sqlite-busy-handler`` (the same without
its write lock: writers wait in SQLite's busy handler) and, given ``--redis-url``, ``redis``
(whose database is EMPTIED before and after; only DB 14 or 15). ``--kill`` kills one
worker with SIGKILL halfway and starts a new one: what a crash costs (give the tasks some
work with ``--task-ms``, so that the killed worker has some in hand). ``--payload`` pads
every task's arguments (bytes): large messages widen the file-system transport's race.

No Django and no database: the bench needs only the broker.

    .venv/bin/python bench/broker.py                                  # every candidate
    .venv/bin/python bench/broker.py --brokers sqlite --tasks 20000
    .venv/bin/python bench/broker.py --kill --redis-url redis://127.0.0.1:6379/14
"""

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import emit, log, machine, stop_process_group

BENCH = Path(__file__).resolve().parent
DEFAULT_BROKERS = (
    "filesystem",
    "filesystem-atomic",
    "sqla-sqlite",
    "sqlite-busy-handler",
    "sqlite",
)


# --- producers (run in their own processes) -----------------------------------------------
def produce(numbers: range, padding: str, seconds: float, start, errors) -> None:
    from _broker_app import app

    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()
        start.wait()
        for number in numbers:
            try:
                app.send_task("bench.append", args=[number, padding, seconds], producer=producer)
            except Exception:  # counted: a failed send is a figure, not the end of the run
                with errors.get_lock():
                    errors.value += 1


# --- workers ------------------------------------------------------------------------------
def start_worker(*, env: dict, log_path: Path, concurrency: int) -> subprocess.Popen:
    env = {**env, "BENCH_WORKER": log_path.stem}
    out = log_path.open("ab")
    # A fixed argument list of our own, no shell.
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "_broker_app",
            "worker",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
            f"--concurrency={concurrency}",
            f"--hostname=bench-{log_path.stem}@%h",
        ],
        cwd=BENCH,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()
    return process


def wait_ready(process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    """Wait until the worker consumes (``_broker_app`` notes it in a file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a worker exited: {log_path.read_text()[-3000:]}")
        if (log_path.parent / f"ready-{log_path.stem}").exists():
            return
        time.sleep(0.1)
    raise SystemExit(f"a worker did not start: {log_path.read_text()[-3000:]}")


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def count(path: Path) -> Counter:
    try:
        return Counter(int(line) for line in path.read_text().split())
    except FileNotFoundError:
        return Counter()


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- one candidate ------------------------------------------------------------------------
def run(name: str, args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"laurel-broker-{name}-"))
    env = {
        **os.environ,
        "BENCH_BROKER": name,
        "BENCH_DIR": str(folder),
        "BENCH_POLLING_INTERVAL": str(args.polling_interval),
        "PYTHONPATH": str(BENCH),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # Celery would set Django up in the workers
    if args.redis_url:
        env["BENCH_REDIS_URL"] = args.redis_url
    os.environ.update({k: env[k] for k in ("BENCH_BROKER", "BENCH_DIR", "BENCH_POLLING_INTERVAL")})
    if name == "redis":
        os.environ["BENCH_REDIS_URL"] = args.redis_url
        flush_redis(args.redis_url)
    results = folder / "done.log"
    workers: list[tuple[subprocess.Popen, Path]] = []
    figures: dict = {}
    try:
        for n in range(args.consumers):
            log_path = folder / f"worker{n}.log"
            workers.append(
                (start_worker(env=env, log_path=log_path, concurrency=args.concurrency), log_path)
            )
        for process, log_path in workers:
            wait_ready(process, log_path)

        spawn = multiprocessing.get_context("spawn")
        start = spawn.Event()
        errors = spawn.Value("i", 0)
        padding = "x" * args.payload
        share = -(-args.tasks // args.producers)
        producers = [
            spawn.Process(
                target=produce,
                args=(
                    range(i * share, min(args.tasks, (i + 1) * share)),
                    padding,
                    args.task_ms / 1000,
                    start,
                    errors,
                ),
            )
            for i in range(args.producers)
        ]
        for producer in producers:
            producer.start()
        time.sleep(2)  # let them import and connect
        log(f"{name}: {args.tasks} tasks, {args.producers} producers, {args.consumers} workers")
        started = time.monotonic()
        start.set()
        produce_s = None
        killed = False
        done, last_change, last_done = 0, started, -1
        while True:
            now = time.monotonic()
            if produce_s is None and not any(p.is_alive() for p in producers):
                produce_s = now - started
            done = len(count(results))
            if done != last_done:
                last_change, last_done = now, done
            if args.kill and not killed and done >= args.tasks // 2:
                killed = True
                process, log_path = workers[0]
                kill(process)
                log(f"{name}: killed worker 0 at {done} tasks; starting a new one")
                restarted = start_worker(
                    env=env,
                    log_path=log_path.with_name("worker0-restarted.log"),
                    concurrency=args.concurrency,
                )
                workers.append((restarted, log_path.with_name("worker0-restarted.log")))
            if done >= args.tasks and produce_s is not None:
                break
            if now - last_change > args.stall:
                log(f"{name}: nothing ran for {args.stall} s; giving up at {done}")
                break
            time.sleep(0.05)
        total_s = last_change - started
        time.sleep(1)  # a task run twice may still be on its way
        for producer in producers:
            producer.join(timeout=30)
        crashed = sum(
            1
            for i, (process, _log) in enumerate(workers)
            if process.poll() is not None and not (args.kill and i == 0)
        )
        unrecoverable = sum(
            path.read_text(errors="replace").count("Unrecoverable error")
            for _process, path in workers
        )
        ran = count(results)
        unique = sum(1 for number in ran if 0 <= number < args.tasks)
        figures = {
            "tasks_per_s": round(unique / total_s, 1) if total_s else None,
            "publish_per_s": round(args.tasks / produce_s, 1) if produce_s else None,
            "produce_s": round(produce_s, 2) if produce_s else None,
            "total_s": round(total_s, 2),
            "done": unique,
            "lost": args.tasks - unique,
            "duplicates": sum(ran.values()) - len(ran),
            "crashes": max(crashed, unrecoverable),
            "producer_errors": errors.value,
        }
        if unrecoverable:
            figures["error"] = next(
                line.strip()
                for _process, path in workers
                for line in path.read_text(errors="replace").splitlines()
                if "Unrecoverable error" in line
            )[:200]
        log(f"{name}: {json.dumps(figures)}")
        return figures
    finally:
        for process, _log in workers:
            stop_process_group(process)
        if name == "redis":
            flush_redis(args.redis_url)
        from _broker_app import clean

        clean(folder)


def main(argv: list[str] | None = None) -> None:
    arguments = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    arguments.add_argument("--tasks", type=int, default=20000, help="default: %(default)s")
    arguments.add_argument("--producers", type=int, default=4, help="default: %(default)s")
    arguments.add_argument(
        "--consumers", type=int, default=2, help="worker processes (default: %(default)s)"
    )
    arguments.add_argument(
        "--concurrency", type=int, default=2, help="pool processes per worker (default: 2)"
    )
    arguments.add_argument(
        "--brokers",
        default=",".join(DEFAULT_BROKERS),
        help="comma-separated candidates (default: %(default)s; add redis with --redis-url)",
    )
    arguments.add_argument(
        "--redis-url", help="also measure Redis, e.g. redis://127.0.0.1:6379/14 (emptied)"
    )
    arguments.add_argument(
        "--payload", type=int, default=0, help="bytes of padding per task (default: 0)"
    )
    arguments.add_argument(
        "--polling-interval",
        type=float,
        default=0.02,
        help="kombu's polling interval for the candidates that take one (default: 0.02, "
        "Laurel's earlier setting; sqlite has its own back-off up to 0.1)",
    )
    arguments.add_argument(
        "--task-ms", type=float, default=0, help="milliseconds each task works (default: 0)"
    )
    arguments.add_argument("--kill", action="store_true", help="SIGKILL one worker halfway")
    arguments.add_argument(
        "--stall", type=float, default=20, help="give up after this many idle seconds"
    )
    arguments.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per candidate, taken in turns (A B C A B C …) so that a busy moment of the "
        "machine does not fall on one candidate only; rates are the median (default: 1)",
    )
    args = arguments.parse_args(argv)
    brokers = [b for b in args.brokers.split(",") if b]
    if args.redis_url:
        if args.redis_url.rstrip("/").rsplit("/", 1)[-1] not in {"14", "15"}:
            raise SystemExit("--redis-url: use database 14 or 15; it is emptied")
        if "redis" not in brokers:
            brokers.append("redis")
    elif "redis" in brokers:
        raise SystemExit("redis needs --redis-url")

    figures: dict = {
        "tasks": args.tasks,
        "producers": args.producers,
        "consumers": args.consumers,
        "concurrency": args.concurrency,
        "payload": args.payload,
        "task_ms": args.task_ms,
        "kill": args.kill,
        "repeat": args.repeat,
        "machine": machine(),
    }
    runs: dict[str, list[dict]] = {name: [] for name in brokers}
    for _round in range(args.repeat):
        for name in brokers:
            runs[name].append(run(name, args))
    for name in brokers:
        figures[name] = summary(runs[name])
    emit(figures)


def summary(runs: list[dict]) -> dict:
    """One run as it is; several: the median of each rate and time (with every run's
    ``tasks_per_s``), the sums of what went wrong."""
    if len(runs) == 1:
        return runs[0]
    result: dict = {}
    for key in ("tasks_per_s", "publish_per_s", "produce_s", "total_s"):
        values = [run[key] for run in runs if run.get(key) is not None]
        result[key] = round(statistics.median(values), 2) if values else None
    result["tasks_per_s_runs"] = [run.get("tasks_per_s") for run in runs]
    for key in ("lost", "duplicates", "crashes", "producer_errors"):
        result[key] = sum(run[key] for run in runs)
    errors = [run["error"] for run in runs if "error" in run]
    if errors:
        result["error"] = errors[0]
    return result


if __name__ == "__main__":
    main()
