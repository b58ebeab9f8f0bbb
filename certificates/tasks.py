"""Thin tasks: issue an edition's certificates, draw them in chunks, and the beat's safety net.

Every task takes ids, re-fetches and calls a service; each is safe to run twice (the
services claim rows with conditional updates) and what it does is recorded in the database,
so the sweeper can do it again when a task was lost."""

from celery import shared_task


@shared_task(name="certificates.issue", acks_late=True)
def issue_certificates(award_id: int) -> int:
    """Issue the certificates of an award whose results are public (after the publication)."""
    from awards.models import Award

    from .services import CertificateError, certificates_issue

    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return 0
    try:
        plan = certificates_issue(award=award, actor=None)
    except CertificateError:
        return 0
    return len(plan.create)


@shared_task(name="certificates.draw", acks_late=True)
def draw_certificates(award_id: int) -> int:
    """Draw the next chunk of an award's certificates; hands the rest to a new task."""
    from core.queue import enqueue

    from .services import certificates_draw

    result = certificates_draw(award_id=award_id)
    if result.remaining:
        # Nothing drawn but some left: another worker holds them; look again in a moment.
        enqueue(draw_certificates, award_id, countdown=None if result.drawn else 2)
    return result.drawn


@shared_task(name="certificates.sweep")
def sweep() -> dict:
    """Every few minutes: issue and draw what a lost task left behind."""
    from .services import certificates_sweep

    return certificates_sweep()
