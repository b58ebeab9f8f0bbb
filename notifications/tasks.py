"""Thin tasks: take ids, call a service. Safe to run twice.

Tasks import the services inside the task (services import the tasks to enqueue them), so
the two modules never import each other at load time."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from core.queue import enqueue

log = logging.getLogger(__name__)


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver_message(message_id: int) -> str:
    from . import services

    delivery = services.message_deliver(message_id=message_id)
    if delivery.outcome == "retry":
        # A new task rather than self.retry: the row already holds the retry time, and the
        # sweeper re-enqueues it if this countdown task is lost.
        # (If the broker cannot take it, the sweeper finds the message due.)
        enqueue(deliver_message, message_id, countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep_outbox() -> int:
    """Every minute: deliveries whose task was lost, and announcements whose expansion
    stalled."""
    from . import bulk, services

    bulk.bulks_resume_stalled()
    return services.messages_sweep()


@shared_task(
    name="notifications.bulk_expand",
    acks_late=True,
    ignore_result=True,
    # The database away for a moment: try again, waiting longer each time (1 s … 60 s);
    # past the retries the sweeper resumes the expansion.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=12,
)
def expand_bulk_send(bulk_id: int) -> None:
    from . import bulk

    # The service enqueues the next chunk itself (before this chunk's mails).
    bulk.bulk_expand_chunk(bulk_id=bulk_id)
