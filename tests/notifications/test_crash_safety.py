"""Every mail is delivered, and at most the mails in flight twice, whatever happens to the
worker or the broker: real worker processes killed with SIGKILL, a real Redis flushed."""

import datetime as dt
import time
from collections import defaultdict

import pytest
import redis

from notifications import services
from notifications.enums import MessageStatus
from notifications.models import Message
from tests.services import require_service

pytestmark = [pytest.mark.worker]

TOTAL = 500
WAIT = 120  # seconds, for each wait
SWEEP_EVERY = 5  # seconds; beat does it every minute


def sent_count() -> int:
    return Message.objects.filter(status=MessageStatus.SENT).count()


def statuses() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in Message.objects.values_list("status", flat=True):
        counts[status] += 1
    return dict(counts)


def sweep_until_all_sent(server, wait) -> int:
    """Sweep as beat would (impatiently) until every message is sent; returns the sweeps.

    ``sending_after`` keeps its default: a live worker is delivering now, and taking its
    messages back would send them twice.
    """
    sweeps = 0
    last = 0.0

    def done() -> bool:
        nonlocal sweeps, last
        if sent_count() == TOTAL:
            return True
        if time.monotonic() - last >= SWEEP_EVERY:
            services.messages_sweep(pending_after=dt.timedelta(0))
            sweeps += 1
            last = time.monotonic()
        return False

    wait(
        done,
        timeout=WAIT,
        describe=lambda: f"rows {statuses()}, {server.count()} mails, {sweeps} sweeps",
    )
    return sweeps


def delivered_once_each(server, messages) -> None:
    """Every message arrived, and each key always with its own Message-ID."""
    ids = server.message_ids()
    assert set(ids) == {m.provider_message_id for m in messages}
    by_key: dict[str, set[str]] = defaultdict(set)
    with server.lock:
        for mail in server.messages:
            by_key[str(mail["X-Laurel-Message"])].add(str(mail["Message-ID"]))
    assert by_key == {m.idempotency_key: {m.provider_message_id} for m in messages}


def test_killed_worker_loses_nothing_and_resends_only_what_was_in_flight(
    outbox_worker, mail_server, announce_many, wait
):
    first = outbox_worker()
    messages = announce_many(range(TOTAL))
    wait(
        lambda: mail_server.count() >= 100,
        timeout=WAIT,
        describe=lambda: f"{mail_server.count()} mails, rows {statuses()}",
    )

    # The worst moment: both worker children have handed a mail to the server, which has
    # taken it but not yet said so; the rows still say "sending".
    mail_server.hold = 60

    def in_flight() -> set[str]:
        arrived = set(mail_server.message_ids())
        sending = Message.objects.filter(status=MessageStatus.SENDING)
        return set(sending.values_list("provider_message_id", flat=True)) & arrived

    wait(
        lambda: len(in_flight()) == 2,
        timeout=WAIT,
        describe=lambda: f"{len(in_flight())} accepted but unconfirmed, rows {statuses()}",
    )
    first.kill()
    mail_server.hold = 0
    stuck = in_flight()
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 2

    # Nothing is in flight any more, so the sweeper may take every "sending" message back.
    unsent = Message.objects.exclude(status=MessageStatus.SENT).count()
    assert (
        services.messages_sweep(pending_after=dt.timedelta(0), sending_after=dt.timedelta(0))
        == unsent
    )
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 0
    outbox_worker()
    sweep_until_all_sent(mail_server, wait)

    delivered_once_each(mail_server, messages)
    duplicates = {mid: n for mid, n in mail_server.message_ids().items() if n > 1}
    assert duplicates == dict.fromkeys(stuck, 2)
    assert mail_server.count() == TOTAL + 2


def test_flushed_broker_loses_nothing_and_sends_nothing_twice(
    outbox_worker, mail_server, announce_many, wait, redis_url, broker_url
):
    require_service(
        broker_url.startswith("redis://"),
        f"flushes the broker, which must be Redis (CELERY_BROKER_URL), not {broker_url}",
    )
    outbox_worker()
    messages = announce_many(range(TOTAL))
    wait(
        lambda: mail_server.count() >= 100,
        timeout=WAIT,
        describe=lambda: f"{mail_server.count()} mails, rows {statuses()}",
    )

    redis.Redis.from_url(broker_url).flushdb()
    # The queued tasks are gone; what the worker already holds still finishes.
    time.sleep(2)
    stalled = sent_count()
    time.sleep(1)
    assert sent_count() == stalled < TOTAL, "the flush came too late to lose any task"

    sweep_until_all_sent(mail_server, wait)

    delivered_once_each(mail_server, messages)
    assert mail_server.count() == TOTAL
