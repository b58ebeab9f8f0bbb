"""How fast an announcement to many recipients is prepared and delivered, and how often twice.

Starts an SMTP server (aiosmtpd) in this process and a real worker subprocess
(``celery -A config worker``, concurrency 2) on the throwaway database, the broker and the
SMTP server. Seeds the demo awards, then sends an announcement to N addresses (the custom
audience, so no accounts are needed) with ``bulk_send_create``: the worker expands it into
messages in chunks of LAUREL_BULK_CHUNK and delivers them. Measures

- ``enqueue_s``: from ``bulk_send_create`` until every recipient is a message (the worker
  expands chunk after chunk; each next chunk is queued behind the previous chunk's mails),
- ``first_mail_s`` and ``total_s``: until the first and the last mail arrived,
- ``mails_per_s``: mails arrived per second between the first and the last one,
- ``duplicates``: mails that arrived more than once (counted by Message-ID),
- ``expand_tasks`` and ``expand_work_s``: the expansion tasks the worker ran and the seconds
  they took together (the work itself, without the wait in the queue),
- ``smtplib_mails_per_s``: before the announcement, the same number of mails sent to the same
  SMTP server by a bare ``smtplib`` loop in this process, one connection per mail as the
  outbox does: what the mail path costs without Laurel, the broker and the database.

One run measures both brokers, each in a process of its own with its own throwaway
database: the top-level figures are the embedded broker's (the SQLite file of
``config/broker.py``, what runs without servers), the object ``redis`` holds the same
figures for Redis (``--redis-url``, whose database is EMPTIED before and after; not DB 0 or
1), or the reason it was not measured. ``--brokers embedded`` leaves Redis out.

    .venv/bin/python bench/notifications.py [--recipients 5000] [--redis-url redis://…/14]
    .venv/bin/python bench/notifications.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import argparse
import email.message
import email.parser
import email.policy
import email.utils
import io
import json
import logging
import os
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from _common import (
    ROOT,
    database_vendor,
    emit,
    log,
    median_p95,
    parser,
    start_worker,
    stop_process_group,
    throwaway_django,
)


class CountingSMTPServer:
    """An aiosmtpd handler that only notes each mail's Message-ID and when it arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: Counter = Counter()
        self.arrivals: list[float] = []
        self._headers = email.parser.BytesHeaderParser(policy=email.policy.compat32)

    async def handle_DATA(self, server, session, envelope):
        headers = self._headers.parsebytes(envelope.content)
        with self.lock:
            self.message_ids[headers["Message-ID"]] += 1
            self.arrivals.append(time.monotonic())
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def reset(self) -> None:
        with self.lock:
            self.message_ids.clear()
            self.arrivals.clear()


def smtplib_rate(*, port: int, count: int) -> float:
    """Mails per second of a bare smtplib loop: one connection per mail, like the outbox."""
    started = time.perf_counter()
    for n in range(count):
        message = email.message.EmailMessage()
        message["From"] = "Laurel <awards@laurel.example>"
        message["To"] = f"guest{n:05d}@bench.laurel.example"
        message["Subject"] = "Einladung zur Preisverleihung"
        message["Message-ID"] = email.utils.make_msgid(domain="bench.laurel.example")
        message.set_content("Guten Tag,\n\ndie Preisverleihung beginnt um 18 Uhr.")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    return count / (time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_database(url: str) -> int:
    tail = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() and url.count("/") > 2 else 0


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()
    log(f"emptied {url}")


def use_broker(broker: str) -> None:
    """Point this process's Celery app (the producer behind notify) at ``broker``."""
    from config.celery import app

    app.conf.broker_url = broker
    app.conf.broker_transport_options = {"visibility_timeout": 24 * 3600}


def seed() -> tuple:
    """The demo awards; returns the current award and an organiser to send as."""
    from django.core.management import call_command

    from accounts.models import User
    from awards import selectors

    call_command("seed_demo", "--force", stdout=io.StringIO())
    award = selectors.award_current()
    actor = User.objects.create_user(
        email="organiser@bench.laurel.example", password=None, full_name="Bench Organiser"
    )
    return award, actor


BROKERS = ("embedded", "redis")


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--recipients", type=int, default=5000, help="addresses (default: %(default)s)"
    )
    arguments.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="the Redis database to measure as well (default: %(default)s); it is EMPTIED "
        "before and after the run, so DB 0 and 1 are refused",
    )
    arguments.add_argument(
        "--brokers",
        default=",".join(BROKERS),
        help="which to measure: embedded, redis or both (default: %(default)s)",
    )
    arguments.add_argument("--single", choices=BROKERS, help=argparse.SUPPRESS)
    arguments.add_argument(
        "--chunk", type=int, default=500, help="LAUREL_BULK_CHUNK (default: %(default)s)"
    )
    arguments.add_argument(
        "--concurrency", type=int, default=2, help="worker processes (default: %(default)s)"
    )
    arguments.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds to wait for every mail before reporting what arrived (default: %(default)s)",
    )
    args = arguments.parse_args(argv)
    if redis_database(args.redis_url) in {0, 1}:
        raise SystemExit("--redis-url: not DB 0 or 1, the run empties it (use 14 or 15)")
    if args.single:
        emit(measure_broker(args.single, args))
        return

    brokers = [name for name in args.brokers.split(",") if name]
    if unknown := set(brokers) - set(BROKERS):
        raise SystemExit(f"--brokers: unknown {', '.join(sorted(unknown))}")
    figures: dict = {}
    for name in brokers:
        result = run_in_own_process(name, args)
        if name == "embedded":
            figures.update(result)
        else:
            figures[name] = result
    emit(figures)


def run_in_own_process(name: str, args) -> dict:
    """One broker's run in a new process: its own throwaway database and Django set-up."""
    if name == "redis" and not redis_reachable(args.redis_url):
        log(f"Redis at {args.redis_url} does not answer; not measured")
        return {"error": f"no Redis at {args.redis_url}"}
    command = [sys.executable, __file__, "--single", name]
    for option in ("recipients", "redis_url", "chunk", "concurrency", "timeout", "settings"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    command += ["--seed", str(args.seed)]
    if args.database_url:
        command += ["--database-url", args.database_url]
    # Our own script with our own arguments, no shell.
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return {"error": f"the {name} run failed with exit code {result.returncode}"}
    return json.loads(lines[-1])


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def measure_broker(name: str, args) -> dict:
    """The whole measurement on one broker, in this process."""
    from aiosmtpd.controller import Controller

    figures: dict = {"recipients": args.recipients, "chunk": args.chunk}
    smtp = CountingSMTPServer()
    port = free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    worker = None
    redis_url = args.redis_url if name == "redis" else None
    if redis_url:
        flush_redis(redis_url)
    try:
        with throwaway_django(database_url=args.database_url, settings=args.settings) as var:
            # aiosmtpd logs every SMTP command at INFO: thousands of lines per run.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
            os.environ["LAUREL_BULK_CHUNK"] = str(args.chunk)
            from django.conf import settings

            settings.LAUREL_BULK_CHUNK = args.chunk
            broker = redis_url or settings.CELERY_BROKER_URL
            if redis_url:
                use_broker(redis_url)
            figures["broker"] = broker.split("://")[0]
            figures["concurrency"] = args.concurrency
            figures["database"] = database_vendor()

            log(f"smtplib: {args.recipients} mails, one connection each")
            figures["smtplib_mails_per_s"] = round(
                smtplib_rate(port=port, count=args.recipients), 1
            )
            smtp.reset()
            award, actor = seed()

            env = {
                **os.environ,
                "CELERY_BROKER_URL": broker,
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            }
            worker = start_worker(
                env=env, log_path=var / "worker.log", concurrency=args.concurrency
            )
            log(f"worker ready; sending to {args.recipients} addresses via {broker}")
            figures.update(
                measure(
                    award=award,
                    actor=actor,
                    smtp=smtp,
                    args=args,
                    log_path=var / "worker.log",
                    worker_pid=worker.pid,
                )
            )
            stop_process_group(worker)
            worker = None
            if figures.get("mails_per_s"):
                figures["vs_smtplib"] = round(
                    figures["mails_per_s"] / figures["smtplib_mails_per_s"], 2
                )
    finally:
        if worker is not None:
            stop_process_group(worker)
        controller.stop()
        if redis_url:
            flush_redis(redis_url)
    return figures


EXPANSION_DONE = re.compile(r"notifications\.bulk_expand\[[^]]+\] succeeded in ([0-9.]+)s")
DELIVERY_DONE = re.compile(r"notifications\.deliver\[[^]]+\] succeeded in ([0-9.]+)s")


def expansion_work(log_path: Path) -> dict:
    """How many expansion tasks the worker ran and the seconds they took together, and how
    long one delivery task took (median and 95th percentile, in ms)."""
    text = log_path.read_text(errors="replace")
    runs = [float(m) for m in EXPANSION_DONE.findall(text)]
    deliveries = [float(m) * 1000 for m in DELIVERY_DONE.findall(text)]
    median, p95 = median_p95(deliveries) if deliveries else (None, None)
    return {
        "expand_tasks": len(runs),
        "expand_work_s": round(sum(runs), 2),
        "deliver_task_ms_median": median,
        "deliver_task_ms_p95": p95,
    }


def cpu_seconds(pid: int) -> dict:
    """CPU seconds (user + system) of the worker's main process and of its pool processes
    so far, from /proc (Linux; empty elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(process: str) -> list[str] | None:
        try:
            text = Path(f"/proc/{process}/stat").read_text()
        except OSError:
            return None
        return text.rsplit(")", 1)[1].split()  # fields from the state on

    main = stat(str(pid))
    if main is None:
        return {}
    pool = [
        fields
        for name in os.listdir("/proc")
        if name.isdigit() and (fields := stat(name)) is not None and fields[1] == str(pid)
    ]
    # utime and stime are fields 14 and 15 of the stat line, 11 and 12 after the state.
    return {
        "worker_main_cpu_s": round((int(main[11]) + int(main[12])) / tick, 2),
        "worker_pool_cpu_s": round(sum(int(f[11]) + int(f[12]) for f in pool) / tick, 2),
    }


def measure(
    *, award, actor, smtp: CountingSMTPServer, args, log_path: Path, worker_pid: int
) -> dict:
    from notifications.bulk import bulk_send_create
    from notifications.enums import Audience, BulkStatus
    from notifications.models import BulkSend

    addresses = "\n".join(f"guest{n:05d}@bench.laurel.example" for n in range(args.recipients))
    worker_cpu_before = cpu_seconds(worker_pid)
    started = time.monotonic()
    cpu_before = time.process_time()
    announcement, _created = bulk_send_create(
        award=award,
        actor=actor,
        request_token=uuid.uuid4(),
        audience=Audience.CUSTOM,
        subject_de="Einladung zur Preisverleihung",
        body_de="Guten Tag,\n\ndie Preisverleihung des {{ award_name }} beginnt um 18 Uhr.",
        subject_en="Invitation to the award ceremony",
        body_en="Hello,\n\nthe ceremony of the {{ award_name }} starts at 6 pm.",
        custom_recipients=addresses,
    )
    created_s = time.monotonic() - started

    enqueue_s = None
    last_report = started
    deadline = started + args.timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        if enqueue_s is None:
            row = BulkSend.objects.get(pk=announcement.pk)
            if row.status == BulkStatus.QUEUED:
                enqueue_s = now - started
        if smtp.count() >= args.recipients:
            break
        if now - last_report >= 10:
            last_report = now
            row = BulkSend.objects.get(pk=announcement.pk)
            log(f"{now - started:6.0f} s: {row.expanded} expanded, {smtp.count()} mails")
        time.sleep(0.2)
    arrived = smtp.count() >= args.recipients
    if enqueue_s is None and BulkSend.objects.get(pk=announcement.pk).status == BulkStatus.QUEUED:
        enqueue_s = time.monotonic() - started
    bench_cpu_s = time.process_time() - cpu_before  # the SMTP server, mostly
    worker_cpu = {
        key: round(value - worker_cpu_before.get(key, 0), 2)
        for key, value in cpu_seconds(worker_pid).items()
    }
    time.sleep(2)  # mails still in flight would be duplicates: let them arrive
    with smtp.lock:
        ids = Counter(smtp.message_ids)
        arrivals = sorted(smtp.arrivals)
    row = BulkSend.objects.get(pk=announcement.pk)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    figures = {
        "expanded": row.expanded,
        "delivered": len(ids),
        "duplicates": sum(n - 1 for n in ids.values()),
        "create_s": round(created_s, 3),
        "enqueue_s": round(enqueue_s, 2) if enqueue_s is not None else None,
        "first_mail_s": round(arrivals[0] - started, 2) if arrivals else None,
        "total_s": round(arrivals[-1] - started, 2) if arrivals else None,
        "mails_per_s": round((len(arrivals) - 1) / span, 1) if span else None,
        "complete": arrived,
        **expansion_work(log_path),
        **worker_cpu,
        "bench_cpu_s": round(bench_cpu_s, 2),
    }
    log(f"figures: {figures}")
    return figures


if __name__ == "__main__":
    main()
