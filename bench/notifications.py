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
  they took together (the work itself, without the wait in the queue).

The broker is the embedded file-system one by default; ``--broker redis://127.0.0.1:6379/14``
uses that Redis database instead and EMPTIES it before and after the run.

    .venv/bin/python bench/notifications.py [--recipients 5000] [--broker redis://…/14]
    .venv/bin/python bench/notifications.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import email.parser
import email.policy
import io
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from _common import ROOT, database_vendor, emit, log, parser, throwaway_django


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(*, env: dict[str, str], log_path: Path, concurrency: int) -> subprocess.Popen:
    """``celery -A config worker`` in its own process group, once it says it is ready."""
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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited: {log_path.read_text()[-3000:]}")
        if b" ready." in log_path.read_bytes():
            return process
        time.sleep(0.2)
    raise SystemExit(f"the worker did not start: {log_path.read_text()[-3000:]}")


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def flush_redis(broker: str) -> None:
    import redis

    redis.Redis.from_url(broker).flushdb()
    log(f"emptied {broker}")


def use_broker(broker: str) -> None:
    """Point this process's Celery app (the producer behind notify) at ``broker``."""
    from config.celery import app

    app.conf.broker_url = broker
    if not broker.startswith("filesystem://"):
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


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--recipients", type=int, default=5000, help="addresses (default: %(default)s)"
    )
    arguments.add_argument(
        "--broker",
        default="filesystem://",
        help="filesystem:// (default) or a Redis URL such as redis://127.0.0.1:6379/14, "
        "whose database is emptied before and after the run",
    )
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
    if not (args.broker.startswith("filesystem://") or args.broker.startswith("redis://")):
        raise SystemExit("--broker must be filesystem:// or redis://…")

    from aiosmtpd.controller import Controller

    figures: dict = {
        "recipients": args.recipients,
        "broker": args.broker.split("://")[0],
        "chunk": args.chunk,
        "concurrency": args.concurrency,
    }
    smtp = CountingSMTPServer()
    port = free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    worker = None
    if args.broker.startswith("redis://"):
        flush_redis(args.broker)
    try:
        with throwaway_django(database_url=args.database_url, settings=args.settings) as var:
            # aiosmtpd logs every SMTP command at INFO: thousands of lines per run.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
            os.environ["LAUREL_BULK_CHUNK"] = str(args.chunk)
            from django.conf import settings

            settings.LAUREL_BULK_CHUNK = args.chunk
            use_broker(args.broker)
            figures["database"] = database_vendor()
            award, actor = seed()

            env = {
                **os.environ,
                "CELERY_BROKER_URL": args.broker,
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            }
            worker = start_worker(
                env=env, log_path=var / "worker.log", concurrency=args.concurrency
            )
            log(f"worker ready; sending to {args.recipients} addresses via {args.broker}")
            figures.update(
                measure(award=award, actor=actor, smtp=smtp, args=args, log_path=var / "worker.log")
            )
            stop_worker(worker)
            worker = None
    finally:
        if worker is not None:
            stop_worker(worker)
        controller.stop()
        if args.broker.startswith("redis://"):
            flush_redis(args.broker)
    emit(figures)


EXPANSION_DONE = re.compile(r"notifications\.bulk_expand\[[^]]+\] succeeded in ([0-9.]+)s")


def expansion_work(log_path: Path) -> dict:
    """How many expansion tasks the worker ran and the seconds they took together."""
    runs = [float(m) for m in EXPANSION_DONE.findall(log_path.read_text(errors="replace"))]
    return {"expand_tasks": len(runs), "expand_work_s": round(sum(runs), 2)}


def measure(*, award, actor, smtp: CountingSMTPServer, args, log_path: Path) -> dict:
    from notifications.bulk import bulk_send_create
    from notifications.enums import Audience, BulkStatus
    from notifications.models import BulkSend

    addresses = "\n".join(f"guest{n:05d}@bench.laurel.example" for n in range(args.recipients))
    started = time.monotonic()
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
    }
    log(f"figures: {figures}")
    return figures


if __name__ == "__main__":
    main()
