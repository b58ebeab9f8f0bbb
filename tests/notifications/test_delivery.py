"""The outbox end to end: notify() → broker → a real worker process → a real SMTP server.

Worker tests publish through this process's Celery app (the broker of the settings: a folder
on a laptop, Redis in CI) and start ``celery worker`` on that broker and the test database.
"""

import datetime as dt
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications import bulk as bulk_sends
from notifications import services
from notifications.enums import Audience, BulkStatus, MessageStatus
from notifications.models import BulkSend, Message
from tests.factories import UserFactory
from tests.services import free_port

WAIT = 60  # seconds; a worker needs about one to pick a task up from the file-system broker
SETTLE = 2.0  # seconds to let a wrongly queued second delivery show up before counting


def settle(server) -> Counter:
    """Let deliveries still in flight arrive, then count Message-IDs at the server."""
    time.sleep(SETTLE)
    return server.message_ids()


def status_of(message: Message) -> tuple[str, int]:
    row = Message.objects.get(pk=message.pk)
    return row.status, row.attempts


def part(mail, subtype: str) -> str:
    """A body part with the row's line ends (SMTP carries CRLF)."""
    return mail.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


# --- With a worker ----------------------------------------------------------------------


@pytest.mark.worker
def test_committed_notification_is_sent_by_the_worker(outbox_worker, mail_server, award, wait):
    outbox_worker()
    user = UserFactory(full_name="Erika Mustermann", preferred_language="en")
    submitted = dt.datetime(2030, 3, 1, 9, 30, tzinfo=dt.UTC)
    with transaction.atomic():
        message = services.notify(
            key="submission.received",
            award=award,
            idempotency_key="submission.received:7",
            recipient=user,
            values={
                "submission_title": "Carbon bicycle frame",
                "reference": "LIA-2030-MOB-0007",
                "category": "Mobility",
                "submitted_at": submitted,
                "deadline": submitted + dt.timedelta(days=9),
                "submission_url": "https://laurel.example/s/7/",
                "summary": "A frame of flax fibre.",
                "answers": "Team: Six engineers and designers.",
                "files": "frame.pdf, photo.jpg",
            },
        )

    wait(
        lambda: status_of(message) == (MessageStatus.SENT, 1),
        timeout=WAIT,
        describe=lambda: f"message is {status_of(message)}, {mail_server.count()} mail(s)",
    )
    row = Message.objects.get()
    (mail,) = mail_server.wait_for(1)
    assert row.sent_at is not None
    assert row.last_error == ""
    assert row.claimed_at is None
    assert row.provider_message_id == services.message_id_for("submission.received:7")
    assert mail["Message-ID"] == row.provider_message_id
    assert mail["Subject"] == "Your entry LIA-2030-MOB-0007 has been received"
    assert mail["To"] == user.email
    assert mail["X-Laurel-Message"] == "submission.received:7"
    assert part(mail, "plain") == row.body_text
    assert part(mail, "html") == row.body_html
    assert '<a href="https://laurel.example/s/7/">' in part(mail, "html")
    assert settle(mail_server) == Counter({row.provider_message_id: 1})


@pytest.mark.worker
def test_same_idempotency_key_twice_makes_one_message_and_one_mail(
    outbox_worker, mail_server, announce, wait
):
    outbox_worker()
    with transaction.atomic():
        first = announce(1)
    with transaction.atomic():
        again = announce(1, email="someone-else@example.org")
    with transaction.atomic():
        other = announce(2)

    wait(
        lambda: Message.objects.filter(status=MessageStatus.SENT).count() == 2,
        timeout=WAIT,
        describe=lambda: f"statuses {list(Message.objects.values_list('status', flat=True))}",
    )
    assert again.pk == first.pk
    assert Message.objects.count() == 2
    assert settle(mail_server) == Counter(
        {first.provider_message_id: 1, other.provider_message_id: 1}
    )
    assert [m["To"] for m in mail_server.to("r1@example.org")] == ["r1@example.org"]


@pytest.mark.worker
def test_rolled_back_transaction_leaves_no_message_and_sends_nothing(
    outbox_worker, mail_server, announce, wait
):
    outbox_worker()
    with pytest.raises(RuntimeError, match="the event failed"), transaction.atomic():
        announce(1)
        raise RuntimeError("the event failed")
    # Enqueued after the rolled-back one: once it is sent, the first one had its chance.
    with transaction.atomic():
        later = announce(2)

    wait(
        lambda: status_of(later)[0] == MessageStatus.SENT,
        timeout=WAIT,
        describe=lambda: f"later message is {status_of(later)}",
    )
    assert list(Message.objects.values_list("idempotency_key", flat=True)) == ["t:2"]
    assert settle(mail_server) == Counter({later.provider_message_id: 1})


@pytest.mark.worker
def test_temporary_refusals_are_retried_by_the_sweeper_until_sent(
    outbox_worker, mail_server, announce, wait
):
    mail_server.reply = "451 4.3.0 try later"
    outbox_worker()
    with transaction.atomic():
        message = announce(1)

    for attempt, delay in [(1, 30), (2, 60)]:
        wait(
            lambda attempt=attempt: status_of(message) == (MessageStatus.PENDING, attempt),
            timeout=WAIT,
            describe=lambda: f"message is {status_of(message)}",
        )
        row = Message.objects.get()
        assert row.last_error == "SMTPDataError: (451, b'4.3.0 try later')"
        assert row.next_attempt_at - row.updated_at == dt.timedelta(seconds=delay)
        # Not due yet: even an impatient sweeper leaves it to its retry time.
        assert services.messages_sweep(pending_after=dt.timedelta(0)) == 0
        if attempt == 2:
            mail_server.reply = None
        # The retry time has come (instead of waiting 30 s and 60 s).
        Message.objects.filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        assert services.messages_sweep(pending_after=dt.timedelta(0)) == 1

    wait(
        lambda: status_of(message)[0] == MessageStatus.SENT,
        timeout=WAIT,
        describe=lambda: f"message is {status_of(message)}",
    )
    row = Message.objects.get()
    assert row.attempts == 3
    assert row.last_error == ""
    assert row.sent_at is not None
    assert settle(mail_server) == Counter({row.provider_message_id: 1})


@pytest.mark.worker
def test_permanent_refusal_fails_with_the_reason_and_is_never_retried(
    outbox_worker, mail_server, announce, wait
):
    mail_server.reply = "550 5.1.1 no such user"
    outbox_worker()
    with transaction.atomic():
        message = announce(1)

    wait(
        lambda: status_of(message)[0] == MessageStatus.FAILED,
        timeout=WAIT,
        describe=lambda: f"message is {status_of(message)}",
    )
    mail_server.reply = None
    failed = Message.objects.get()
    assert failed.last_error == "SMTPDataError: (550, b'5.1.1 no such user')"
    assert failed.attempts == 1
    assert failed.sent_at is None

    assert services.message_deliver(message_id=message.pk) == services.Delivery("skipped")
    assert (
        services.messages_sweep(pending_after=dt.timedelta(0), sending_after=dt.timedelta(0)) == 0
    )
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error, row.updated_at) == (
        MessageStatus.FAILED,
        1,
        "SMTPDataError: (550, b'5.1.1 no such user')",
        failed.updated_at,
    )
    assert settle(mail_server) == Counter()


@pytest.mark.worker
def test_bulk_send_is_expanded_in_chunks_and_each_mail_sent_once(
    outbox_worker, mail_server, award, wait, settings
):
    settings.LAUREL_BULK_CHUNK = 500
    worker = outbox_worker(LAUREL_BULK_CHUNK="500")
    addresses = [f"b{i:04d}@example.org" for i in range(1200)]
    with transaction.atomic():
        announcement, created = bulk_sends.bulk_send_create(
            award=award,
            actor=UserFactory(),
            request_token=uuid.uuid4(),
            audience=Audience.CUSTOM,
            subject_de="Ankündigung",
            body_de="Liebe Gäste,\n\ndie Preisverleihung beginnt um 18 Uhr.",
            subject_en="Announcement",
            body_en="Dear guests,\n\nthe ceremony starts at 6 pm.",
            custom_recipients="\n".join(reversed(addresses)),
        )
    assert created is True

    def progress() -> str:
        row = BulkSend.objects.get()
        sent = Message.objects.filter(status=MessageStatus.SENT).count()
        mails = mail_server.count()
        return f"bulk {row.status} {row.expanded}/{row.total}, {sent} sent, {mails} mails"

    wait(
        lambda: Message.objects.filter(status=MessageStatus.SENT).count() == 1200,
        timeout=120,
        describe=progress,
    )
    row = BulkSend.objects.get()
    assert (row.status, row.total, row.expanded) == (BulkStatus.QUEUED, 1200, 1200)
    expected = {
        services.message_id_for(f"bulk:{announcement.pk}:{address}"): 1 for address in addresses
    }
    assert settle(mail_server) == Counter(expected)
    assert sorted(str(m["To"]) for m in mail_server.messages) == addresses
    assert {str(m["Subject"]) for m in mail_server.messages} == {"Ankündigung"}
    expansions = [
        line
        for line in worker.log_path.read_text().splitlines()
        if "notifications.bulk_expand[" in line and "received" in line
    ]
    assert len(expansions) == 3

    assert bulk_sends.bulk_expand_chunk(bulk_id=announcement.pk) is False
    assert Message.objects.count() == 1200
    assert BulkSend.objects.get().expanded == 1200
    assert settle(mail_server) == Counter(expected)


# --- In this process ----------------------------------------------------------------------


@pytest.mark.django_db
def test_unreachable_server_is_a_temporary_failure(announce, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    message = announce(1)

    assert services.message_deliver(message_id=message.pk) == services.Delivery("retry", 30)

    row = Message.objects.get()
    assert (row.status, row.attempts, row.claimed_at) == (MessageStatus.PENDING, 1, None)
    assert row.last_error.startswith("ConnectionRefusedError: ")
    assert row.next_attempt_at - row.updated_at == dt.timedelta(seconds=30)


@pytest.mark.django_db
def test_temporary_failures_give_up_after_eight_attempts(announce, mail_server):
    mail_server.reply = "421 4.7.0 too many connections"
    message = announce(1)

    outcomes = [services.message_deliver(message_id=message.pk) for _ in range(9)]

    assert outcomes == [
        services.Delivery("retry", 30),
        services.Delivery("retry", 60),
        services.Delivery("retry", 120),
        services.Delivery("retry", 240),
        services.Delivery("retry", 480),
        services.Delivery("retry", 960),
        services.Delivery("retry", 1920),
        services.Delivery("failed"),
        services.Delivery("skipped"),
    ]
    row = Message.objects.get()
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 8)
    assert row.last_error == "SMTPDataError: (421, b'4.7.0 too many connections')"
    assert mail_server.messages == []


@pytest.mark.django_db
def test_sweeper_requeues_a_waiting_message_once_per_pending_after(announce, broker_url):
    # Its task never reached the broker (the test's transaction never commits): lost.
    message = announce(1)
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=3)
    )

    assert services.messages_sweep(pending_after=dt.timedelta(minutes=2)) == 1
    # A backlog longer than pending_after is only waiting in the queue: not again yet.
    assert services.messages_sweep(pending_after=dt.timedelta(minutes=2)) == 0
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert services.messages_sweep(pending_after=dt.timedelta(minutes=2)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_message_at_once_send_one_mail(announce_many, mail_server):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so the claim never races")
    messages = announce_many(range(20))

    def race(message_id: int) -> list[str]:
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def deliver() -> None:
            try:
                start.wait()
                outcomes.append(services.message_deliver(message_id=message_id).outcome)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return sorted(outcomes)

    outcomes = [race(message.pk) for message in messages]

    assert outcomes == [["sent", "skipped"]] * 20
    assert mail_server.message_ids() == Counter({m.provider_message_id: 1 for m in messages})
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 20
