"""A real Celery worker sends the deliveries: an entry submitted and results published reach
a receiver written from the guide, signed, once each."""

import time

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from results import services as results_services
from tests.results.test_publication import decided_award
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_events import ready_draft, submit
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

WAIT = 60


@pytest.fixture
def broker_url():
    """This process's broker, emptied before and after (nothing left for a later worker)."""
    from config.celery import app

    app.control.purge()
    yield settings.CELERY_BROKER_URL
    app.control.purge()


def wait_for(condition, describe):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {WAIT} s: {describe()}", pytrace=False)


@pytest.mark.worker
def test_a_worker_delivers_entry_submitted_and_results_published(
    broker_url, start_worker, settings
):
    settings.LAUREL_WEBHOOKS_ALLOW_PRIVATE = True
    start_worker(
        broker_url=broker_url, var_dir=settings.VAR_DIR, LAUREL_WEBHOOKS_ALLOW_PRIVATE="true"
    )
    with Receiver() as receiver:
        draft = ready_draft()
        scene = decided_award()
        for award in (draft.award, scene.award):
            services.endpoint_create(
                award=award,
                actor=scene.organiser,
                url=receiver.url,
                events=["entry.submitted", "results.published"],
            )
        # One receiver for both awards' endpoints: they share its secret.
        receiver.secret = "whsec_shared-by-the-test"
        WebhookEndpoint.objects.update(secret=receiver.secret)

        with transaction.atomic():
            entry = submit(draft)
        results_services.publication_schedule(
            award=scene.award, at=timezone.now(), actor=scene.organiser
        )
        wait_for(
            lambda: len(receiver.received) >= 2,
            lambda: (
                f"received {receiver.received}, deliveries "
                f"{list(WebhookDelivery.objects.values_list('event', 'status', 'log'))}"
            ),
        )
        time.sleep(1)  # anything sent twice would arrive meanwhile

    assert sorted(event["event"] for event in receiver.received) == [
        "entry.submitted",
        "results.published",
    ]
    assert all(request["valid"] for request in receiver.requests)
    submitted = next(e for e in receiver.received if e["event"] == "entry.submitted")
    assert submitted["data"]["reference"] == entry.reference
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}
