"""Thin tasks: take ids, call a service. Safe to run twice (the service claims each delivery
with a conditional update)."""

from celery import shared_task

from core.queue import enqueue


@shared_task(name="webhooks.deliver", acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    from . import services

    sent = services.delivery_send(delivery_id=delivery_id)
    if sent.outcome == "retry":
        # The row holds the retry time too: the sweep sends it if this task is lost.
        enqueue(deliver_webhook, delivery_id, countdown=sent.retry_in)
    return sent.outcome


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep_deliveries() -> int:
    """Every minute: due retries, deliveries whose task was lost or whose worker died."""
    from . import services

    return services.deliveries_sweep()
