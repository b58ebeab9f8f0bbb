"""A person's data export: asked for on the "Your data" page, built by a task, downloaded by
them alone until it expires, then deleted.

``export_request`` records the export (queued) and enqueues ``privacy.export_build`` on
commit; the task calls ``export_build_run``, which builds the ZIP (``privacy.exports``),
stores it, marks the export ready and mails the person that it is. ``privacy.exports_sweep``
(beat) sends the build again for a queued export whose task was lost, gives up on one that
used all its attempts, and expires the ready ones whose time is up, deleting their files.

The build is not one transaction (it reads and writes files for minutes); each change of the
row is a conditional UPDATE instead, like the page images of documents
(``submissions.services.previews``): whoever raises ``attempts`` from the value it read
holds the attempt, and only a queued export becomes ready. Two builds of one export at once
both write a ZIP; the first to finish is recorded and the other deletes its own.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import account_mail_send
from core.queue import enqueue, enqueue_on_commit, overdue_by_attempts

from . import exports
from .models import DataExport, ExportStatus
from .tasks import build_export

log = logging.getLogger(__name__)

# Exports one person may ask for within REQUEST_WINDOW (a ready one replaced counts too, a
# failed one not).
REQUESTS_PER_DAY = 3
REQUEST_WINDOW = dt.timedelta(days=1)
# Builds of one export, counting every start (the task's retries and the sweep's sends);
# after the last one fails the export is failed and the person may ask again.
MAX_ATTEMPTS = 5
# How long after the request the sweep sends attempt n + 1 of an export still queued after
# n attempts: the task's own first try and retries come well before.
SWEEP_AFTER = (
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
SWEEP_BATCH = 100


class ExportRefused(ValidationError):
    """The person asked for more exports than ``REQUESTS_PER_DAY``."""


class ExportNotBuilt(Exception):
    """A build failed with attempts left: the task tries again."""


def export_request(*, user: User) -> DataExport:
    """Ask for an export of everything Laurel holds about ``user``.

    While one is being prepared, that one is returned (nothing new). A ready one is replaced:
    it expires and its file is deleted after commit, so that at most one exists. More than
    ``REQUESTS_PER_DAY`` requests within a day are refused (``ExportRefused``): each build
    reads all of a person's data and files.

    Side effects: the export row; ``privacy.export_build`` enqueued on commit. No audit entry
    (no award is concerned); the person's security log is not touched.
    """
    with transaction.atomic():
        # One request of a person at a time: two clicks cannot queue two exports.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        queued = DataExport.objects.filter(user=user, status=ExportStatus.QUEUED).first()
        if queued is not None:
            return queued
        now = timezone.now()
        # A failed build is Laurel's fault, not a request too many.
        recent = DataExport.objects.filter(
            user=user, requested_at__gt=now - REQUEST_WINDOW
        ).exclude(status=ExportStatus.FAILED)
        if recent.count() >= REQUESTS_PER_DAY:
            raise ExportRefused(
                _(
                    "You have asked for %(count)d exports within a day. Please wait until "
                    "tomorrow before you ask again."
                )
                % {"count": REQUESTS_PER_DAY},
                code="rate_limited",
            )
        for ready in DataExport.objects.filter(user=user, status=ExportStatus.READY):
            DataExport.objects.filter(pk=ready.pk).update(
                status=ExportStatus.EXPIRED, file="", size=0
            )
            if ready.file:
                storage, name = ready.file.storage, ready.file.name
                transaction.on_commit(lambda s=storage, n=name: _delete_file(s, n))
        export = DataExport.objects.create(user=user, requested_at=now)
        enqueue_on_commit(build_export, export.pk)
    return export


def export_build_run(*, export_id: int) -> str:
    """Build the export ``export_id`` if it is still queued and no other run holds this
    attempt; returns its status afterwards.

    Ready: the file stored, ``ready_at`` now, ``expires_at`` ``LAUREL_EXPORT_DAYS`` days on,
    and the person mailed (outbox, in their language) with a link to the "Your data" page.
    When the build fails: raises ``ExportNotBuilt`` (the task tries again) while attempts
    remain, failed (with the error recorded, logged) after the last.
    """
    row = DataExport.objects.filter(pk=export_id).values_list("status", "attempts").first()
    if row is None:
        return "gone"
    status, attempts = row
    if status != ExportStatus.QUEUED:
        return status
    if attempts >= MAX_ATTEMPTS:
        return _give_up(export_id, "no attempts left")
    claimed = DataExport.objects.filter(
        pk=export_id, status=ExportStatus.QUEUED, attempts=attempts
    ).update(attempts=attempts + 1)
    if not claimed:
        return ExportStatus.QUEUED  # another run holds this attempt
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        return "gone"
    try:
        exports.export_build(export)
    except Exception as error:  # storage and database errors differ by backend
        if attempts + 1 >= MAX_ATTEMPTS:
            log.exception("data export %s: not built after %d attempts", export_id, attempts + 1)
            return _give_up(export_id, repr(error))
        log.warning("data export %s: not built (attempt %d): %r", export_id, attempts + 1, error)
        raise ExportNotBuilt(export_id) from error
    now = timezone.now()
    expires_at = now + dt.timedelta(days=settings.LAUREL_EXPORT_DAYS)
    with transaction.atomic():
        recorded = DataExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.READY,
            file=export.file.name,
            size=export.size,
            ready_at=now,
            expires_at=expires_at,
            error="",
        )
        if recorded:
            account_mail_send(
                user=export.user,
                template="data_export_ready",
                context={
                    "link": settings.SITE_URL + reverse("privacy:data"),
                    "expires_at": expires_at,
                    "days": settings.LAUREL_EXPORT_DAYS,
                },
            )
    if not recorded:
        # Another run finished first, or the export was replaced meanwhile: ours goes.
        current = DataExport.objects.filter(pk=export_id).values_list("file", flat=True).first()
        if current != export.file.name:
            _delete_file(export.file.storage, export.file.name)
        return DataExport.objects.filter(pk=export_id).values_list("status", flat=True).first()
    return ExportStatus.READY


def exports_sweep(*, now: dt.datetime) -> int:
    """Send the build again for queued exports whose last attempt is overdue
    (``SWEEP_AFTER``, counted from the request): a task lost with the broker or a worker.
    Fails those that used all their attempts, and expires the due ones
    (``export_expire_due``). Returns how many builds were sent."""
    for pk in DataExport.objects.filter(
        status=ExportStatus.QUEUED, attempts__gte=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        _give_up(pk, "no attempts left")
    due = overdue_by_attempts(SWEEP_AFTER, now=now)
    pks = list(
        DataExport.objects.filter(due, status=ExportStatus.QUEUED)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in pks:
        enqueue(build_export, pk)
    export_expire_due(now=now)
    return len(pks)


def export_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire the ready exports whose ``expires_at`` has passed and delete their files.
    Returns how many expired. A file the storage does not delete is logged and its export
    stays as it is (no longer downloadable: ``export_file_for`` checks the time), so that
    the next sweep tries again."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        expired += _expire(export)
    return expired


def export_file_for(*, user: User, token: str) -> DataExport:
    """``user``'s ready, unexpired export ``token``; Http404 for anyone else's, one that is
    not ready, expired, or unknown (the answer never tells which)."""
    export = DataExport.objects.filter(
        user=user, token=token, status=ExportStatus.READY, expires_at__gt=timezone.now()
    ).first()
    if export is None or not export.file:
        raise Http404
    return export


def _expire(export: DataExport) -> int:
    """Delete the file, then mark the export expired (if it is still ready)."""
    if export.file and not _delete_file(export.file.storage, export.file.name):
        return 0
    return DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
        status=ExportStatus.EXPIRED, file="", size=0
    )


def _delete_file(storage, name: str) -> bool:
    try:
        storage.delete(name)
    except Exception:
        log.exception("could not delete the data export file %s", name)
        return False
    return True


def _give_up(export_id: int, error: str) -> str:
    if DataExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, error=error[:200]
    ):
        log.error("data export %s failed: %s", export_id, error)
    return ExportStatus.FAILED
