"""The outbox's delivery, driven by a test instead of a worker.

Every mail goes into the outbox (``EMAIL_BACKEND`` is the outbox; ``LAUREL_DELIVERY_EMAIL_BACKEND``
the real transport) and a Celery worker delivers it after commit. Most tests run inside one
transaction that never commits and have no worker, so they deliver in this process, on
their own database connection (which sees their uncommitted rows), what a worker would.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tests.services import SMTPServer


def deliver_due() -> list[str]:
    """Deliver every message that is due now, oldest first, as the worker would; their
    outcomes ("sent", "retry", "failed", "skipped")."""
    from notifications import services
    from notifications.enums import MessageStatus
    from notifications.models import Message

    due = (
        Message.objects.filter(status=MessageStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [services.message_deliver(message_id=pk).outcome for pk in list(due)]


@dataclass
class DeliveringSMTPServer(SMTPServer):
    """The test SMTP server whose ``wait_for`` first delivers what the outbox holds (the
    worker's part), then waits for the mail to arrive."""

    def wait_for(self, count: int, timeout: float = 20.0):
        deliver_due()
        return super().wait_for(count, timeout)
