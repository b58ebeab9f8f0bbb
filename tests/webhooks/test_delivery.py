"""Sending: signed as documented (a receiver written from the guide checks it), retried with
backoff, disabled after repeated failure with a mail to the organisers, sent again by hand,
and swept when a task or a worker was lost."""

import datetime as dt
import json
import socket
import threading
import time

import pytest
from django.utils import timezone, translation

from awards.models import AuditEntry
from core.events import event_emit
from notifications.models import Message
from tests.webhooks.receiver import Receiver, verify
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def emit(award, name="entry.submitted", **data) -> WebhookDelivery:
    event_emit(award_id=award.pk, name=name, payload={"award": award.slug, "entry": 7, **data})
    return WebhookDelivery.objects.latest("pk")


def send(delivery, **kwargs) -> str:
    return services.delivery_send(delivery_id=delivery.pk, **kwargs).outcome


def due_again(delivery) -> None:
    """The retry's moment has come."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_the_receiver_from_the_guide_verifies_the_signature_and_gets_the_event(
    award, endpoint, receiver
):
    delivery = emit(award, reference="LIA-2030-MOB-0001")

    assert send(delivery) == "delivered"

    (request,) = receiver.requests
    assert request["valid"] is True
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["Laurel-Event"] == "entry.submitted"
    assert headers["Laurel-Delivery"] == str(delivery.event_id)
    assert receiver.received == [
        {
            "id": str(delivery.event_id),
            "event": "entry.submitted",
            "created_at": delivery.payload["created_at"],
            "data": {"award": award.slug, "entry": 7, "reference": "LIA-2030-MOB-0001"},
        }
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    assert [entry["status_code"] for entry in delivery.log] == [200]


def test_a_wrong_secret_or_changed_body_is_refused_by_the_receiver(award, endpoint, receiver):
    receiver.secret = "whsec_not-the-one"
    delivery = emit(award)

    assert send(delivery) == "retry"

    assert receiver.requests[0]["valid"] is False
    body, header = receiver.requests[0]["body"], receiver.requests[0]["headers"]["Laurel-Signature"]
    assert verify(endpoint.secret, header, body) is True
    assert verify(endpoint.secret, header, body.replace(b"7", b"8")) is False


def test_the_receiver_refuses_a_replay_older_than_five_minutes(endpoint):
    body = json.dumps({"id": "x", "event": "entry.submitted", "data": {}}).encode()
    old = int(time.time()) - 5 * 60 - 1
    recent = int(time.time()) - 5 * 60 + 5

    assert (
        verify(endpoint.secret, services.signature_header(endpoint.secret, body, old), body)
        is False
    )
    assert verify(endpoint.secret, services.signature_header(endpoint.secret, body, recent), body)


def test_a_receiver_answering_500_then_200_gets_it_on_the_retry(award, endpoint, receiver):
    receiver.answers = [500]
    delivery = emit(award)
    before = timezone.now()

    assert send(delivery) == "retry"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    wait = delivery.next_attempt_at - before
    assert dt.timedelta(seconds=55) < wait < dt.timedelta(seconds=70)  # 1 minute
    assert send(delivery) == "skipped"  # not due yet

    due_again(delivery)
    assert send(delivery) == "delivered"

    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert [entry["status_code"] for entry in delivery.log] == [500, 200]
    assert delivery.log[0]["error"] == "HTTP 500" and delivery.log[0]["ms"] >= 0
    assert len(receiver.received) == 1
    # Both attempts carried the same event id: the receiver can tell a retry.
    assert {r["headers"]["Laurel-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}


def test_the_backoff_grows_and_the_delivery_fails_after_the_last_attempt(award, endpoint, receiver):
    receiver.answers = [503] * 20
    delivery = emit(award)
    waits = []
    for _attempt in range(len(services.RETRY_DELAYS)):
        sent = services.delivery_send(delivery_id=delivery.pk)
        waits.append(sent.retry_in)
        due_again(delivery)

    assert waits == [60, 300, 1800, 7200, 21600, 43200]
    assert send(delivery) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 7, None)


def test_an_endpoint_failing_ten_times_in_a_row_is_disabled_and_the_organisers_are_mailed(
    award, organiser, endpoint, receiver
):
    receiver.answers = [500] * 50
    deliveries = [emit(award) for _ in range(services.DISABLE_AFTER)]
    for delivery in deliveries[:-1]:
        send(delivery)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == services.DISABLE_AFTER - 1
    assert not Message.objects.filter(template_key="webhooks.endpoint_disabled").exists()

    send(deliveries[-1])

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "10" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    (mail,) = Message.objects.filter(template_key="webhooks.endpoint_disabled")
    assert mail.recipient == organiser and mail.language == "en"
    assert mail.subject == f"Webhook disabled: {receiver.url}"
    assert "failed 10 times in a row (last: HTTP 500)" in mail.body_text
    assert f"/manage/{award.slug}/webhooks/" in mail.body_text
    # From now on nothing is sent to it: its waiting deliveries fail without a request.
    requests = len(receiver.requests)
    due_again(deliveries[0])
    assert send(deliveries[0]) == "failed"
    assert len(receiver.requests) == requests
    # A new event records nothing for a disabled endpoint.
    emit(award)
    assert WebhookDelivery.objects.count() == len(deliveries)


def test_a_success_resets_the_count_of_failures(award, endpoint, receiver):
    receiver.answers = [500, 500, 200]
    for _ in range(3):
        send(emit(award))

    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.is_active


def test_a_delivery_is_sent_again_by_hand_as_a_new_attempt_now(
    award, organiser, endpoint, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args, **kw: sent.append(args))
    delivery = emit(award)
    assert send(delivery) == "delivered"

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery, actor=organiser)

    assert sent == [(delivery.pk,)]  # the send task, once the change committed
    assert send(delivery) == "delivered"
    delivery.refresh_from_db()
    # A new series of attempts (its retries would start again); the log keeps both.
    assert delivery.attempts == 1 and [e["status_code"] for e in delivery.log] == [200, 200]
    assert len(receiver.received) == 2
    entry = AuditEntry.objects.get(award=award, action="webhook.redelivered")
    assert entry.data["event_id"] == str(delivery.event_id)


def test_a_delivery_of_a_disabled_endpoint_is_not_sent_again_by_hand(award, organiser, endpoint):
    delivery = emit(award)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    with translation.override("en"), pytest.raises(services.WebhookError, match="disabled"):
        services.delivery_redeliver(delivery=delivery, actor=organiser)


def test_sending_twice_sends_once(award, endpoint, receiver):
    delivery = emit(award)

    assert [send(delivery), send(delivery)] == ["delivered", "skipped"]
    assert len(receiver.requests) == 1


def test_the_sweep_sends_due_retries_and_what_a_dead_worker_left_in_sending(
    award, endpoint, receiver, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(
        "webhooks.services.enqueue", lambda task, *args, **kw: enqueued.append(args[0])
    )
    due = emit(award)
    stuck = emit(award)
    fresh = emit(award)
    later = timezone.now() + dt.timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=stuck.pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    WebhookDelivery.objects.filter(pk=fresh.pk).update(next_attempt_at=later)

    sweep_at = timezone.now() + dt.timedelta(seconds=31)
    assert services.deliveries_sweep(now=sweep_at) == 2

    assert sorted(enqueued) == sorted([due.pk, stuck.pk])
    stuck.refresh_from_db()
    assert stuck.status == "pending"
    # The lost attempt counts: it is in the log and in the endpoint's failures in a row.
    assert stuck.log[-1]["status_code"] is None and "worker stopped" in stuck.log[-1]["error"]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    for pk in enqueued:
        assert services.delivery_send(delivery_id=pk, now=sweep_at).outcome == "delivered"
    assert len(receiver.received) == 2


def test_a_receiver_that_does_not_answer_is_retried(award, endpoint, monkeypatch):
    monkeypatch.setattr(services, "TIMEOUT", 0.5)
    with Receiver() as silent:
        silent.server.shutdown()  # listens, never answers
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=silent.url)
        delivery = emit(award)

        assert send(delivery) == "retry"

    delivery.refresh_from_db()
    assert delivery.log[0]["status_code"] is None
    assert (
        "timed out" in delivery.log[0]["error"].lower()
        or "timeout" in delivery.log[0]["error"].lower()
    )


def test_redirects_are_not_followed(award, endpoint, receiver):
    receiver.answers = [302]
    delivery = emit(award)

    assert send(delivery) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302 and len(receiver.requests) == 1


def test_a_receiver_that_trickles_its_answer_is_cut_after_the_attempts_time(
    award, endpoint, monkeypatch
):
    """One byte at a time, each within TIMEOUT: the whole attempt still ends in time."""
    monkeypatch.setattr(services, "TIMEOUT", 2)
    monkeypatch.setattr(services, "ATTEMPT_TIMEOUT", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    worker = threading.Thread(target=trickle, daemon=True)
    worker.start()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        url=f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    )
    delivery = emit(award)
    started = time.monotonic()
    try:
        assert send(delivery) == "retry"
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 5
    delivery.refresh_from_db()
    assert "no complete answer within 1 s" in delivery.log[0]["error"]


def test_any_failure_of_an_attempt_is_recorded_and_retried(award, endpoint, monkeypatch):
    """Even what is no network error (a task's time limit) ends as a logged attempt."""
    from celery.exceptions import SoftTimeLimitExceeded

    def cut(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_post", cut)
    delivery = emit(award)

    assert send(delivery) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "SoftTimeLimitExceeded" in delivery.log[0]["error"]
