"""Webhook fan-out, measured in an already set-up throwaway Django
(``_common.throwaway_django``): ``measure_webhooks`` starts a receiver on 127.0.0.1 (a thread
of this process, checking each signature as the guide shows), registers one endpoint of a
new award subscribed to ``entry.submitted``, emits ``events`` events, each in a transaction
of its own as the services do (which writes one delivery each), and sends the deliveries
with the delivery service in this process (``webhooks.services.delivery_send``, the task's
whole work; ``workers`` threads, each with its own database connection, as worker processes
would). The send tasks that committing enqueues are not queued: the bench sends itself.

Figures: ``webhooks`` (events emitted), ``webhooks_delivered`` (events that arrived exactly
once with a valid signature), ``webhooks_per_s`` (deliveries per second while sending),
``webhooks_record_ms`` (median ms to commit one event with its delivery), ``webhooks_duplicates``
and ``webhooks_bad_signatures`` (both should be 0).

``bench/api.py`` runs it; ``python bench/_api_webhooks.py --events 200`` tries it alone on a
throwaway SQLite database (or ``--database-url`` for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

try:  # as a module of ``bench`` (bench/api.py) or run as a script
    from ._common import log
except ImportError:  # pragma: no cover - the script
    from _common import log


class _Receiver:
    """Counts arrivals per ``Laurel-Delivery`` and checks each signature."""

    def __init__(self, secret: str):
        # Here, not at the top: run as a script, bench/http.py would hide the package
        # until ``_common`` has moved the bench folder to the end of the path.
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.secret = secret.encode()
        self.arrivals: Counter[str] = Counter()
        self.bad = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = dict(
                    item.split("=", 1)
                    for item in self.headers.get("Laurel-Signature", "").split(",")
                )
                signed = parts.get("t", "").encode() + b"." + body
                expected = hmac.new(receiver.secret, signed, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, parts.get("v1", ""))
                with receiver.lock:
                    if valid:
                        receiver.arrivals[self.headers.get("Laurel-Delivery", "")] += 1
                    else:
                        receiver.bad += 1
                self.send_response(200 if valid else 400)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def measure_webhooks(*, events: int, workers: int | None = None) -> dict:
    from django.db import connection, connections, transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from awards.models import Award
    from core.events import event_emit
    from webhooks import services
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    if workers is None:  # SQLite takes one writer at a time
        workers = 1 if connection.vendor == "sqlite" else 4
    now = timezone.now()
    award = Award.objects.create(
        name="Webhook Bench Award",
        edition=2032,
        slug="webhook-bench-2032",
        reference_prefix="WHB",
        organiser_name="Bench e.V.",
        status="open",
        submissions_open_at=now - dt.timedelta(days=10),
        submissions_close_at=now + dt.timedelta(days=10),
    )
    endpoint = WebhookEndpoint.objects.create(award=award, url="", events=["entry.submitted"])
    receiver = _Receiver(endpoint.secret)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    enqueued: list[int] = []
    original = services._enqueue_send
    services._enqueue_send = enqueued.append  # the bench sends itself (below)
    try:
        with override_settings(LAUREL_WEBHOOKS_ALLOW_PRIVATE=True):
            record_ms = []
            for n in range(events):
                started = time.perf_counter()
                with transaction.atomic():
                    event_emit(
                        award_id=award.pk,
                        name="entry.submitted",
                        payload={
                            "award": award.slug,
                            "entry": n + 1,
                            "reference": f"WHB-2032-MOB-{n + 1:04d}",
                            "category": "MOB",
                            "status": "submitted",
                        },
                    )
                record_ms.append((time.perf_counter() - started) * 1000)
            log(f"webhooks: {events} events recorded, sending with {workers} thread(s)")

            def send(chunk: list[int]) -> Counter:
                outcomes: Counter[str] = Counter()
                try:
                    for pk in chunk:
                        outcomes[services.delivery_send(delivery_id=pk).outcome] += 1
                finally:
                    connections.close_all()
                return outcomes

            chunks = [enqueued[i::workers] for i in range(workers)]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outcomes = sum(pool.map(send, chunks), Counter())
            seconds = time.perf_counter() - started
    finally:
        services._enqueue_send = original
        receiver.stop()
    delivered_rows = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count()
    once = sum(1 for count in receiver.arrivals.values() if count == 1)
    figures = {
        "webhooks": events,
        "webhooks_delivered": min(once, delivered_rows),
        "webhooks_per_s": round(delivered_rows / seconds, 1) if seconds else None,
        "webhooks_record_ms": round(statistics.median(record_ms), 2) if record_ms else None,
        "webhooks_duplicates": sum(1 for count in receiver.arrivals.values() if count > 1),
        "webhooks_bad_signatures": receiver.bad,
        "webhooks_send_threads": workers,
    }
    log(f"webhooks: {dict(outcomes)} in {seconds:.2f} s")
    return figures


if __name__ == "__main__":  # pragma: no cover - a quick try
    from _common import emit, parser, throwaway_django

    arguments = parser(__doc__)
    arguments.add_argument("--events", type=int, default=200)
    arguments.add_argument("--workers", type=int, default=None)
    args = arguments.parse_args()
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        emit(measure_webhooks(events=args.events, workers=args.workers))
