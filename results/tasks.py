"""Thin tasks: the publication of results at its moment, and the safety net behind it.

The task names keep the ``jury.`` prefix they had before the results app existed: ETA tasks
already in a broker's queue carry those names and must still find their task."""

from celery import shared_task


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


@shared_task(name="results.share_images")
def share_images(award_id: int) -> int:
    """Make the share images of an award's public decisions (enqueued when the publication
    is scheduled); the public view makes any that are missing on its first request."""
    from awards.models import Award

    from .services.showcase import share_images_render

    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return 0
    return share_images_render(award=award)


@shared_task(name="results.robustness_refresh", acks_late=True)
def robustness_refresh(round_id: int) -> bool:
    """Compute a round's robustness with its data as it is now and keep it in the cache
    (queued, debounced, after reviews change or when a page finds the figures stale)."""
    from awards.models import Round

    from .selectors.figures import robustness_refresh_run

    round_ = Round.objects.select_related("award").filter(pk=round_id).first()
    if round_ is None:
        return False
    robustness_refresh_run(round_)
    return True


@shared_task(name="results.feedback_release", acks_late=True)
def feedback_release(award_id: int) -> bool:
    """The ETA task at the moment the organisers chose for releasing the jury's feedback;
    does nothing if it is early (the moment was moved) or the feedback is out already."""
    from .services.feedback import feedback_release_scheduled

    return feedback_release_scheduled(award_id=award_id)


@shared_task(name="results.feedback_release_due")
def feedback_release_due() -> int:
    """Every minute: release the feedback a lost ETA task left behind."""
    from .services.feedback import feedback_release_due as release_due

    return release_due()


@shared_task(name="results.edition_report_build", bind=True, acks_late=True, ignore_result=True)
def edition_report_build(self, report_id: int) -> str:
    """Build one edition report (enqueued on commit by ``edition_report_request``; a ready
    or failed one is left alone). A failed build is tried again after 30 s, 60 s, 120 s;
    after the last attempt the report is failed with a translated message."""
    from django.db import InterfaceError, OperationalError

    from .services.report import MAX_ATTEMPTS, ReportNotBuilt, edition_report_build_run

    try:
        return str(edition_report_build_run(report_id=report_id))
    except (ReportNotBuilt, OperationalError, InterfaceError) as error:
        raise self.retry(
            exc=error, countdown=30 * 2**self.request.retries, max_retries=MAX_ATTEMPTS - 1
        ) from error


@shared_task(name="results.edition_reports_sweep", ignore_result=True)
def edition_reports_sweep() -> int:
    """Every few minutes: reports left pending by a lost task."""
    from .services.report import edition_reports_sweep as sweep

    return sweep()
