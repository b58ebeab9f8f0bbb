"""Real pieces for outbox tests: an SMTP server that can hold back its reply, a Celery worker
on the test process's own broker, and bounded waits that say what they saw; and the second
award of the organisers' message pages (their helpers are in helpers.py)."""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from notifications import services
from notifications.models import Message
from tests.factories import AwardFactory
from tests.services import SMTPServer, WorkerProcess, free_port


@dataclass
class OutboxSMTPServer(SMTPServer):
    """The test SMTP server, plus ``hold``: seconds to wait, after a mail has been accepted,
    before saying so. A worker killed meanwhile has handed the mail over but never learnt
    that it arrived: the worst moment for a crash."""

    hold: float = 0.0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.hold and reply.startswith("250"):
            await asyncio.sleep(self.hold)
        return reply

    def message_ids(self) -> Counter:
        """How many times each Message-ID arrived."""
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


@pytest.fixture
def mail_server():
    """An aiosmtpd server on a free port; this process's Django sends to it too."""
    from aiosmtpd.controller import Controller

    server = OutboxSMTPServer(host="127.0.0.1", port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=server.host,
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield server
    server.hold = 0
    controller.stop()


@pytest.fixture
def broker_url():
    """The broker this process publishes to (``notify`` enqueues after commit), emptied
    before and after the test.

    A task left behind names a message id that a later test's table may reuse; a later
    worker would pick it up.
    """
    from config.celery import app

    app.control.purge()
    yield settings.CELERY_BROKER_URL
    app.control.purge()


@pytest.fixture
def outbox_worker(broker_url, mail_server, start_worker) -> Callable[..., WorkerProcess]:
    """Start a real worker on this process's broker and test database, mailing to
    ``mail_server``; keyword arguments become environment variables of the worker.

    The order of the arguments is the order of set-up: at the end the workers stop first
    (a Redis worker then puts its unfinished tasks back), then the broker is emptied.
    """

    def start(**env: str) -> WorkerProcess:
        return start_worker(
            broker_url=broker_url,
            var_dir=settings.VAR_DIR,
            EMAIL_URL=f"smtp://{mail_server.host}:{mail_server.port}",
            **env,
        )

    return start


def wait_until(condition: Callable[[], bool], *, timeout: float, describe: Callable[[], str]):
    """Poll ``condition`` until true; fail after ``timeout`` s with ``describe()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout:.0f} s: {describe()}", pytrace=False)


@pytest.fixture
def wait():
    return wait_until


@pytest.fixture
def award():
    return AwardFactory()


@pytest.fixture
def other_award():
    """A second award, for the organisers' message pages (which name their own ``award``)."""
    return AwardFactory(name="Other Award", edition=2028, slug="other-2028")


@pytest.fixture
def announce(award) -> Callable[..., Message]:
    """``announce(i)``: an announcement to r{i}@example.org with key ``t:{i}``."""

    def notify(i: int, email: str | None = None) -> Message:
        return services.notify(
            key="announcement",
            award=award,
            idempotency_key=f"t:{i}",
            values={},
            email=email or f"r{i}@example.org",
            wording=services.Wording("Subject {{ recipient_name }}", "Body"),
        )

    return notify


@pytest.fixture
def announce_many(announce) -> Callable[[range], list[Message]]:
    """Announcements for every number in ``numbers``, in one committed transaction."""

    def notify_all(numbers: range) -> list[Message]:
        with transaction.atomic():
            return [announce(i) for i in numbers]

    return notify_all
