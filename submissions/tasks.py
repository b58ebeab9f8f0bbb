"""Thin tasks: call a service. Safe to run twice."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="submissions.draft_reminders", ignore_result=True)
def send_draft_reminders() -> int:
    return services.draft_reminders_send(now=timezone.now())
