"""Thin tasks: call a service (imported inside the task). Safe to run twice."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="submissions.draft_reminders", ignore_result=True)
def send_draft_reminders() -> int:
    from . import services

    return services.draft_reminders_send(now=timezone.now())
