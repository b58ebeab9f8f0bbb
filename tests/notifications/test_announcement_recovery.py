"""An announcement reaches every recipient exactly once whatever happens to its expansion:
the worker killed with SIGKILL mid-way, the broker flushed mid-way, the broker down when the
organiser presses Send. Real worker processes, a real Redis (the shared one's broker
database, or one started by the test on its own port), a real SMTP server.

Duplicates are allowed only where the issue allows them: a mail whose SMTP transaction was
interrupted by the kill is sent again with the same Message-ID."""

import datetime as dt
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager, suppress

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from awards.models import AuditEntry
from notifications import bulk as bulk_service
from notifications import services
from notifications.enums import Audience, BulkStatus, MessageStatus
from notifications.models import BulkSend, Message
from tests.factories import AwardRoleFactory, UserFactory
from tests.services import free_port, require_service

pytestmark = [pytest.mark.worker]

TOTAL = 2000
CHUNK = "50"  # small chunks: the expansion takes many tasks, so a fault hits it mid-way
WAIT = 300  # seconds, for each wait
SWEEP_EVERY = 3  # seconds; beat does it every minute
STALLED_AFTER = dt.timedelta(seconds=5)  # LAUREL_BULK_STALL_AFTER (120 s), shortened
# LAUREL_OUTBOX_PENDING_AFTER (120 s), shortened: not zero, or every sweep would enqueue
# every pending message of the 2,000 again and bury the expansion under no-op deliveries.
PENDING_AFTER = dt.timedelta(seconds=20)


def addresses() -> list[str]:
    return [f"r{i:04d}@example.org" for i in range(TOTAL)]


def announce(award, organiser) -> BulkSend:
    bulk, created = bulk_service.bulk_send_create(
        award=award,
        actor=organiser,
        request_token=uuid.uuid4(),
        audience=Audience.CUSTOM,
        custom_recipients="\n".join(addresses()),
        subject_de="Neuigkeiten",
        body_de="Guten Tag {{ recipient_name }}",
        subject_en="News",
        body_en="Hello {{ recipient_name }}",
    )
    assert created
    return bulk


def state(bulk: BulkSend) -> str:
    bulk.refresh_from_db()
    counts: dict[str, int] = defaultdict(int)
    for status in Message.objects.filter(bulk=bulk).values_list("status", flat=True):
        counts[status] += 1
    return f"{bulk.status}, expanded {bulk.expanded}/{bulk.total}, messages {dict(counts)}"


def sweep_until_delivered(bulk, server, wait) -> int:
    """Sweep as beat does (more often, with the stall timeout shortened) until every
    recipient's mail is sent; returns the sweeps."""
    sweeps = 0
    last = 0.0

    def done() -> bool:
        nonlocal sweeps, last
        sent = Message.objects.filter(bulk=bulk, status=MessageStatus.SENT).count()
        if sent == TOTAL:
            return True
        if time.monotonic() - last >= SWEEP_EVERY:
            bulk_service.bulks_resume_stalled(stalled_after=STALLED_AFTER)
            services.messages_sweep(pending_after=PENDING_AFTER)
            sweeps += 1
            last = time.monotonic()
        return False

    wait(done, timeout=WAIT, describe=lambda: f"{state(bulk)}, {server.count()} mails")
    return sweeps


def every_recipient_once(bulk, server) -> dict[str, int]:
    """Every recipient got the announcement, each always with one Message-ID; returns the
    Message-IDs that arrived more than once."""
    keys = {f"bulk:{bulk.pk}:{address}" for address in addresses()}
    by_key: dict[str, set[str]] = defaultdict(set)
    with server.lock:
        for mail in server.messages:
            by_key[str(mail["X-Laurel-Message"])].add(str(mail["Message-ID"]))
    assert set(by_key) == keys
    assert all(len(ids) == 1 for ids in by_key.values())
    assert Message.objects.filter(bulk=bulk).count() == TOTAL
    bulk.refresh_from_db()
    assert (bulk.status, bulk.expanded) == (BulkStatus.QUEUED, TOTAL)
    return {mid: n for mid, n in server.message_ids().items() if n > 1}


@pytest.fixture
def organiser(award):
    user = UserFactory()
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def chunked_worker(outbox_worker):
    def start():
        return outbox_worker(LAUREL_BULK_CHUNK=CHUNK)

    return start


@pytest.fixture(autouse=True)
def _small_chunks():
    with override_settings(LAUREL_BULK_CHUNK=int(CHUNK)):
        yield


def test_a_killed_worker_mid_expansion_loses_no_recipient(
    chunked_worker, mail_server, wait, award, organiser
):
    first = chunked_worker()
    bulk = announce(award, organiser)
    wait(
        lambda: BulkSend.objects.get(pk=bulk.pk).expanded >= 300,
        timeout=WAIT,
        describe=lambda: state(bulk),
    )
    first.kill()
    bulk.refresh_from_db()
    assert bulk.status == BulkStatus.EXPANDING and bulk.expanded < TOTAL, state(bulk)
    # Nothing is in flight any more: what the dead worker was sending goes back to the queue.
    in_flight = set(
        Message.objects.filter(bulk=bulk, status=MessageStatus.SENDING).values_list(
            "provider_message_id", flat=True
        )
    )
    services.messages_sweep(pending_after=dt.timedelta(0), sending_after=dt.timedelta(0))

    chunked_worker()
    sweep_until_delivered(bulk, mail_server, wait)

    duplicates = every_recipient_once(bulk, mail_server)
    assert set(duplicates) <= in_flight
    assert all(n == 2 for n in duplicates.values())


def test_a_flushed_broker_mid_expansion_loses_no_recipient(
    chunked_worker, mail_server, wait, award, organiser, broker_url
):
    require_service(
        broker_url.startswith("redis://"),
        f"flushes the broker, which must be Redis (CELERY_BROKER_URL), not {broker_url}",
    )
    chunked_worker()
    bulk = announce(award, organiser)
    wait(
        lambda: BulkSend.objects.get(pk=bulk.pk).expanded >= 300,
        timeout=WAIT,
        describe=lambda: state(bulk),
    )
    redis.Redis.from_url(broker_url).flushdb()
    time.sleep(3)  # what the worker holds finishes; the chain's next task is gone
    bulk.refresh_from_db()
    assert bulk.status == BulkStatus.EXPANDING and bulk.expanded < TOTAL, state(bulk)

    sweep_until_delivered(bulk, mail_server, wait)

    assert every_recipient_once(bulk, mail_server) == {}


# --- The broker down when the organiser presses Send ----------------------------------------


@contextmanager
def publishing_to(url: str):
    """This process's Celery app publishes to ``url`` (tasks only; the app caches its
    connections, so the pools are dropped on the way in and out)."""
    from config.celery import app

    before = app.conf.broker_write_url

    def reset():
        # Drop the references only: kombu keeps one pool per broker address, and a closed
        # one would be handed out again to everyone who publishes to that address later.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_write_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_write_url = before
        reset()


def test_the_broker_down_at_send_is_a_success_and_the_sweeper_sends_it(
    start_worker, mail_server, wait, award, organiser, client, own_redis
):
    """Send while the broker is down: the organiser sees the announcement accepted (no
    500), it shows as paused, and once the broker is back the sweeper expands and delivers
    it, every recipient once."""
    client.force_login(organiser)
    form_url = reverse("notifications:announcement_create", kwargs={"slug": award.slug})
    with publishing_to(own_redis.url):  # own_redis is not started: the broker is down
        response = client.post(
            form_url,
            {
                "request_token": str(uuid.uuid4()),
                "audience": Audience.CUSTOM,
                "custom_recipients": "\n".join(addresses()),
                "subject_de": "Neuigkeiten",
                "body_de": "Guten Tag {{ recipient_name }}",
                "subject_en": "News",
                "body_en": "Hello {{ recipient_name }}",
                "confirm": "on",
            },
        )
        bulk = BulkSend.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk}
        )
        assert AuditEntry.objects.filter(action="announcement.created").count() == 1
        assert (bulk.status, bulk.expanded) == (BulkStatus.EXPANDING, 0)

        # The organiser's page says it is paused once it has not moved on for a while.
        BulkSend.objects.filter(pk=bulk.pk).update(
            advanced_at=bulk.created_at - dt.timedelta(seconds=settings.LAUREL_BULK_STALL_AFTER)
        )
        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="stalled"' in page and "data-state-stalled hidden" not in page

        own_redis.start()
        start_worker(
            broker_url=own_redis.url,
            var_dir=settings.VAR_DIR,
            EMAIL_URL=f"smtp://{mail_server.host}:{mail_server.port}",
            LAUREL_BULK_CHUNK=CHUNK,
        )
        sweep_until_delivered(bulk, mail_server, wait)

    assert every_recipient_once(bulk, mail_server) == {}


# --- The database away for 10 s in the middle of the expansion -------------------------------


class FlakyProxy:
    """A TCP proxy in front of PostgreSQL for the worker only: ``outage(seconds)`` cuts
    every open connection and refuses new ones for that long, as a database restart does,
    while the shared server (and this test process's own connection) stays untouched."""

    def __init__(self, target_port: int):
        import socket
        import threading

        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.down_until = 0.0
        self.connections: list = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if time.monotonic() < self.down_until:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            import socket

            for s in (source, sink):
                # shutdown first: close() alone would leave the other pipe thread blocked in
                # recv() on the socket, which then never sends PostgreSQL its FIN.
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    s.close()

    def outage(self, seconds: float) -> None:
        import socket

        self.down_until = time.monotonic() + seconds
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            # Each step on its own: a socket its pipe thread already shut down refuses the
            # shutdown, and must still be closed (else PostgreSQL keeps the session, and its
            # locks, open; the server's idle-in-transaction timeout is the net under that).
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                s.close()

    def close(self):
        self.running = False
        self.listener.close()
        self.outage(0)


def test_the_database_away_for_10_s_mid_expansion_loses_no_recipient(
    start_worker, mail_server, wait, award, organiser, broker_url
):
    from django.db import connection

    require_service(
        connection.vendor == "postgresql",
        "cuts the worker's database connections: needs PostgreSQL (DATABASE_URL)",
    )
    from tests.services import database_url_for_test_db

    proxy = FlakyProxy(int(connection.settings_dict.get("PORT") or 5432))
    try:
        url = database_url_for_test_db().replace(
            f":{connection.settings_dict.get('PORT') or 5432}/", f":{proxy.port}/"
        )
        start_worker(
            broker_url=broker_url,
            var_dir=settings.VAR_DIR,
            EMAIL_URL=f"smtp://{mail_server.host}:{mail_server.port}",
            LAUREL_BULK_CHUNK=CHUNK,
            DATABASE_URL=url,
        )
        bulk = announce(award, organiser)
        wait(
            lambda: BulkSend.objects.get(pk=bulk.pk).expanded >= 300,
            timeout=WAIT,
            describe=lambda: state(bulk),
        )
        proxy.outage(10)
        time.sleep(10)
        bulk.refresh_from_db()
        assert bulk.expanded < TOTAL, "the outage came too late to hit the expansion"

        # A delivery cut between the SMTP server's acceptance and the status update stays
        # "sending": the sweeper gives it back after a while, and it goes again with its
        # Message-ID (the documented duplicate).
        sweeps = 0
        last = 0.0

        def done() -> bool:
            nonlocal sweeps, last
            if Message.objects.filter(bulk=bulk, status=MessageStatus.SENT).count() == TOTAL:
                return True
            if time.monotonic() - last >= SWEEP_EVERY:
                bulk_service.bulks_resume_stalled(stalled_after=STALLED_AFTER)
                services.messages_sweep(
                    pending_after=PENDING_AFTER, sending_after=dt.timedelta(seconds=20)
                )
                sweeps += 1
                last = time.monotonic()
            return False

        wait(done, timeout=WAIT, describe=lambda: f"{state(bulk)}, {mail_server.count()} mails")
    finally:
        proxy.close()

    duplicates = every_recipient_once(bulk, mail_server)
    assert all(n == 2 for n in duplicates.values())
    assert len(duplicates) <= 4  # only what was between SMTP and the database at the cut
