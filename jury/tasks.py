"""Thin tasks: the beat-driven reminders."""

from celery import shared_task

from . import services


@shared_task(name="jury.reminders", acks_late=True)
def send_reminders() -> int:
    """Hourly: the 7/3/1-day reminders that are due; safe to run twice (idempotency keys)."""
    return services.reminders_send_due()


@shared_task(name="jury.publish_results", acks_late=True)
def publish_results(award_id: int) -> bool:
    """The ETA task at the scheduled moment; does nothing if it is early (rescheduled) or
    someone published already."""
    from .services.publication import results_publish

    return results_publish(award_id=award_id)


@shared_task(name="jury.publish_due")
def publish_due() -> int:
    """Every minute: publish what a lost ETA task left behind."""
    from .services.publication import results_publish_due

    return results_publish_due()
