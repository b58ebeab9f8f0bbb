"""Thin tasks: call a service (imported inside the task). Safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .previews import PagesNotStored


@shared_task(name="submissions.draft_reminders", ignore_result=True)
def send_draft_reminders() -> int:
    from . import services

    return services.draft_reminders_send(now=timezone.now())


@shared_task(
    name="submissions.render_previews",
    acks_late=True,
    ignore_result=True,
    # The storage or the database away for a moment: try again after 30 s, 60 s, 120 s;
    # past the retries the row is still pending and the sweep sends it again later.
    autoretry_for=(PagesNotStored, OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=3,
)
def render_previews(attachment_id: int) -> str:
    """The page images of one PDF document (enqueued on commit by ``attachment_add``)."""
    from . import services

    return str(services.attachment_previews_render(attachment_id=attachment_id))


@shared_task(name="submissions.previews_sweep", ignore_result=True)
def previews_sweep() -> int:
    """Every few minutes: renders whose task was lost or whose storage failed."""
    from . import services

    return services.attachment_previews_sweep(now=timezone.now())


@shared_task(name="submissions.retention_sweep", ignore_result=True)
def retention_sweep() -> int:
    """Daily: tell applicants a month ahead, then delete the files and texts of entries that
    won nothing once their award's retention period has passed (``submissions.retention``)."""
    from . import retention

    return retention.retention_sweep(now=timezone.now())
