"""Thin tasks: call a service (imported inside the task). Safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone


@shared_task(name="privacy.export_build", bind=True, acks_late=True, ignore_result=True)
def build_export(self, export_id: int) -> str:
    """Build one data export (enqueued on commit by ``export_request``). A failed build is
    tried again after 30 s, 60 s, 120 s; past the retries the export is still queued and the
    sweep sends it again later, until its attempts are used up."""
    from . import services

    try:
        return str(services.export_build_run(export_id=export_id))
    except (services.ExportNotBuilt, OperationalError, InterfaceError) as error:
        raise self.retry(
            exc=error, countdown=30 * 2**self.request.retries, max_retries=3
        ) from error


@shared_task(name="privacy.exports_sweep", ignore_result=True)
def exports_sweep() -> int:
    """Every few minutes: exports whose build was lost, and the ones that expired."""
    from . import services

    return services.exports_sweep(now=timezone.now())
