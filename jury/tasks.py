"""Thin tasks: the beat-driven reminders."""

from celery import shared_task


@shared_task(name="jury.reminders", acks_late=True)
def send_reminders() -> int:
    """Hourly: the 7/3/1-day reminders that are due; safe to run twice (idempotency keys)."""
    from .services import reminders_send_due

    return reminders_send_due()
