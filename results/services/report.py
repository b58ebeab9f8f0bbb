"""The organisers' edition report: asked for on its page, built by a task, kept privately.

The build is not one transaction (it reads the whole edition and writes a file); each change
of the row is a conditional UPDATE instead, as for the data exports (``privacy.services``):
whoever raises ``attempts`` from the value it read holds the attempt, and only a pending
report becomes ready. A ready or failed report is never built again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Award
from awards.services.audit import audit_log
from core.queue import enqueue, enqueue_on_commit, overdue_by_attempts

from ..enums import ReportFormat, ReportStatus
from ..models import EditionReport
from ..tasks import edition_report_build

log = logging.getLogger("laurel.results.report")

# Runs of one report's build before it is given up: the task's first run and its retries
# (after 30 s, 60 s, 120 s); the sweep sends one whose task was lost.
MAX_ATTEMPTS = 4
# How long after the request the sweep sends attempt n + 1 of a report still pending after
# n attempts (the task's own retries come well before).
SWEEP_AFTER = (
    dt.timedelta(minutes=3),
    dt.timedelta(minutes=10),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=1),
)
SWEEP_BATCH = 50
# Reports one award may have pending at once: each build reads the whole edition.
PENDING_MAX = 3


class ReportError(ValidationError):
    """A request refused, with a translated message."""


class ReportNotBuilt(Exception):
    """A build failed with attempts left: the task tries again."""


def edition_report_request(*, award: Award, format: str, actor: User) -> EditionReport:
    """Ask for the report of ``award`` as ``format`` (``ReportFormat``), in ``actor``'s
    language. Refused (``ReportError``) for an unknown format and while ``PENDING_MAX``
    reports of the award are being prepared.

    Side effects: the report row (pending); an audit entry ``results.report_requested``;
    the task ``results.edition_report_build`` enqueued on commit.
    """
    if format not in ReportFormat.values:
        raise ReportError(_("Please choose PDF or spreadsheet."), code="format")
    with transaction.atomic():
        # The award's row is locked by the audit log anyway; take it first so that two
        # clicks count each other's pending reports.
        Award.objects.select_for_update().only("pk").get(pk=award.pk)
        pending = EditionReport.objects.filter(award=award, status=ReportStatus.PENDING).count()
        if pending >= PENDING_MAX:
            raise ReportError(
                _("%(count)d reports are being prepared already. Please wait until they are ready.")
                % {"count": pending},
                code="pending",
            )
        report = EditionReport.objects.create(award=award, format=format, requested_by=actor)
        audit_log(
            award=award,
            actor=actor,
            action="results.report_requested",
            target=report,
            data={"format": format},
        )
        enqueue_on_commit(edition_report_build, report.pk)
    return report


def _language(report: EditionReport) -> str:
    user = report.requested_by
    language = getattr(user, "preferred_language", "") if user is not None else ""
    return language or settings.LANGUAGE_CODE


def edition_report_content(report: EditionReport) -> bytes:
    """The file of ``report`` made now, in the language of whoever asked for it."""
    from .. import report_files
    from ..selectors.report import edition_figures

    award = Award.objects.select_related("tie_break_criterion").get(pk=report.award_id)
    with translation.override(_language(report)):
        figures = edition_figures(award)
        if report.format == ReportFormat.PDF:
            return report_files.edition_report_pdf(figures)
        return report_files.edition_report_xlsx(figures)


def _give_up(report: EditionReport | None, report_id: int, detail: str) -> str:
    """Mark the report failed with a translated message (the technical error is logged)."""
    if report is None:
        report = EditionReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None:
        return "gone"
    with translation.override(_language(report)):
        message = _(
            "The report could not be made. Please ask for it again; if it fails again, "
            "tell the operators (report %(id)s)."
        ) % {"id": report_id}
    if EditionReport.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(
        status=ReportStatus.FAILED, error=message, finished_at=timezone.now()
    ):
        log.error("edition report %s failed: %s", report_id, detail)
    return ReportStatus.FAILED


def edition_report_build_run(*, report_id: int) -> str:
    """Build the report ``report_id`` if it is still pending and no other run holds this
    attempt; returns its status afterwards ("gone" for a deleted one).

    Ready: the file stored privately, ``finished_at`` now. When the build fails: raises
    ``ReportNotBuilt`` (the task tries again) while attempts remain; failed, with a
    translated message in ``error``, after the last. No audit entry, no mail.
    """
    row = EditionReport.objects.filter(pk=report_id).values_list("status", "attempts").first()
    if row is None:
        return "gone"
    status, attempts = row
    if status != ReportStatus.PENDING:
        return status
    if attempts >= MAX_ATTEMPTS:
        return _give_up(None, report_id, "no attempts left")
    claimed = EditionReport.objects.filter(
        pk=report_id, status=ReportStatus.PENDING, attempts=attempts
    ).update(attempts=attempts + 1)
    if not claimed:
        return ReportStatus.PENDING  # another run holds this attempt
    report = EditionReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None:
        return "gone"
    try:
        content = edition_report_content(report)
        report.file.save(f"report.{report.format}", ContentFile(content), save=False)
    except Exception as error:  # the figures, the drawing and the storage fail differently
        if attempts + 1 >= MAX_ATTEMPTS:
            log.exception("edition report %s: not built after %d attempts", report_id, attempts + 1)
            return _give_up(report, report_id, repr(error))
        log.warning("edition report %s: not built (attempt %d): %r", report_id, attempts + 1, error)
        raise ReportNotBuilt(report_id) from error
    recorded = EditionReport.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(
        status=ReportStatus.READY, file=report.file.name, finished_at=timezone.now(), error=""
    )
    if not recorded:
        # Another run finished first: its file stays, ours goes.
        _delete_file(report.file.storage, report.file.name)
        return EditionReport.objects.filter(pk=report_id).values_list("status", flat=True).first()
    return ReportStatus.READY


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file left behind is harmless; logged
        log.warning("edition report file %s not deleted", name, exc_info=True)


def edition_reports_sweep(*, now: dt.datetime | None = None) -> int:
    """The safety net: send the build again for pending reports whose last attempt is
    overdue (``SWEEP_AFTER``, counted from the request: a task lost with the broker or a
    worker), and fail those that used all their attempts. Returns how many were sent."""
    now = now or timezone.now()
    for pk in EditionReport.objects.filter(
        status=ReportStatus.PENDING, attempts__gte=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        _give_up(None, pk, "no attempts left")
    due = overdue_by_attempts(SWEEP_AFTER, now=now)
    pks = list(
        EditionReport.objects.filter(due, status=ReportStatus.PENDING)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in pks:
        enqueue(edition_report_build, pk)
    return len(pks)
