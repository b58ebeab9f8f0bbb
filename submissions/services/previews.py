"""The page images of PDF documents: rendered after the upload by a task, never in a request,
and recorded on the attachment (``preview_status``, ``preview_pages``, ``page_count``,
``preview_attempts``), so that a page showing documents reads rows and touches no storage.

``attachment_add`` marks a stored PDF pending and enqueues ``submissions.render_previews``
on commit; the task calls ``attachment_previews_render``; ``submissions.previews_sweep``
(beat) sends the render again for a pending document whose task was lost or whose storage
failed, and gives up on one that used all its attempts.

Not one transaction: a render takes seconds to minutes, which no transaction should stay
open for (PostgreSQL ends one idle that long). Each change of the row is a single
conditional UPDATE instead, so the work is safe to run twice and at the same time:
whoever raises ``preview_attempts`` from the value it read holds the attempt; a second run
finds the row ready, or someone else's attempt, and does nothing. The rows carry no time of
the claim, so the sweep cannot tell a render still running from a lost one; it waits longer
before each further attempt (``SWEEP_AFTER``), and two renders of one document at once
write the same images twice, nothing worse. No audit entry: no person changed anything
(the uploader's ``attachment.added`` entry stands); failures are logged.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import Q

from core.queue import enqueue

from .. import previews
from ..enums import PreviewStatus
from ..models import Attachment
from ..tasks import render_previews
from ..uploads import PDF

log = logging.getLogger(__name__)

# Renders of one document, counting every start (a worker killed on a hostile PDF counts
# too); after the last one fails the document stays "could not be read" (downloads work).
MAX_ATTEMPTS = 5
# How long after the upload the sweep starts attempt n + 1 of a document still pending after
# n attempts: the task's own first try and retries come well before, so the sweep only
# catches what they missed (a lost task, a storage away for a while).
SWEEP_AFTER = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
SWEEP_BATCH = 200  # documents sent per sweep; the rest wait for the next


def attachment_previews_render(*, attachment_id: int) -> PreviewStatus:
    """Render and store the page images of a pending PDF (up to
    ``settings.LAUREL_PREVIEW_MAX_PAGES`` pages, each in the ``read`` and the ``zoom``
    size) and record them: ready with the pages rendered and in the file. Pages stored by an
    earlier render of the same file in both sizes are adopted instead.

    Does nothing (returns the status as it is) for a row that is not pending, that another
    run holds, or that is gone. Failed, logged, for a PDF pdfium cannot read (a damaged one
    whose first pages render is ready with those pages). When the storage does not give the
    PDF or take the images: raises ``previews.PagesNotStored`` (the task tries again) while
    attempts remain (``MAX_ATTEMPTS``), failed after the last.
    """
    row = (
        Attachment.objects.filter(pk=attachment_id)
        .values_list("preview_status", "preview_attempts")
        .first()
    )
    if row is None:
        return PreviewStatus.NONE
    status, attempts = row
    if status != PreviewStatus.PENDING:
        return PreviewStatus(status)
    if attempts >= MAX_ATTEMPTS:
        return _give_up(attachment_id)
    claimed = Attachment.objects.filter(
        pk=attachment_id, preview_status=PreviewStatus.PENDING, preview_attempts=attempts
    ).update(preview_attempts=attempts + 1)
    if not claimed:
        return PreviewStatus.PENDING  # another run holds this attempt
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return PreviewStatus.NONE
    if attachment.content_type != PDF:
        return _finish(attachment, PreviewStatus.NONE, rendered=0, total=0)
    storage = attachment.file.storage
    limit = settings.LAUREL_PREVIEW_MAX_PAGES
    try:
        marker = _stored_marker(storage, attachment)
        if marker is not None and marker.covers(limit):
            log.info("attachment %s: adopting the %d pages stored", attachment_id, marker.rendered)
            rendered, total = marker.rendered, marker.total
        else:
            with attachment.file.open("rb") as handle:
                data = handle.read()
            rendered, total = _render_and_store(storage, attachment, data, limit)
    except previews.Unreadable as error:
        log.warning("attachment %s: the PDF cannot be read (%s)", attachment_id, error)
        return _finish(attachment, PreviewStatus.FAILED, rendered=0, total=0)
    except Exception as error:  # the storage's errors differ by backend; all mean "not now"
        if attempts + 1 >= MAX_ATTEMPTS:
            log.error(
                "attachment %s: page images not stored after %d attempts, giving up: %r",
                attachment_id,
                attempts + 1,
                error,
            )
            return _finish(attachment, PreviewStatus.FAILED, rendered=0, total=0)
        log.warning(
            "attachment %s: page images not stored (attempt %d): %r",
            attachment_id,
            attempts + 1,
            error,
        )
        raise previews.PagesNotStored(attachment_id) from error
    return _finish(attachment, PreviewStatus.READY, rendered=rendered, total=total)


def attachment_previews_sweep(*, now: dt.datetime) -> int:
    """Send the render again for pending documents whose last attempt is overdue
    (``SWEEP_AFTER``, counted from the upload): a task lost with the broker or a worker, a
    storage that failed every retry. A document that used all its attempts (a worker killed
    on it each time) fails, logged. Returns how many renders were sent (at most
    ``SWEEP_BATCH``)."""
    for pk in Attachment.objects.filter(
        preview_status=PreviewStatus.PENDING, preview_attempts__gte=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        _give_up(pk)
    due = Q()
    for attempts, after in enumerate(SWEEP_AFTER):
        due |= Q(preview_attempts=attempts, created_at__lte=now - after)
    pks = list(
        Attachment.objects.filter(due, preview_status=PreviewStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in pks:
        enqueue(render_previews, pk)
    return len(pks)


def attachment_previews_remove(*, storage: Storage, folder: str) -> None:
    """Delete the page images in ``folder`` (``previews.folder`` of an attachment) and the
    folder, best effort: a cleanup logs what it could not remove and goes on."""
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        files = []
    except Exception:
        log.exception("could not list the page images in %s", folder)
        files = []
    for name in files:
        try:
            storage.delete(f"{folder}/{name}")
        except Exception:
            log.exception("could not remove the page image %s/%s", folder, name)
    try:
        storage.delete(folder)  # the emptied folder of a file-system storage; nothing on S3
    except Exception:
        log.warning("could not remove the folder %s", folder, exc_info=True)


def _give_up(attachment_id: int) -> PreviewStatus:
    if Attachment.objects.filter(pk=attachment_id, preview_status=PreviewStatus.PENDING).update(
        preview_status=PreviewStatus.FAILED, preview_pages=0
    ):
        log.error("attachment %s: no page images after %d attempts", attachment_id, MAX_ATTEMPTS)
    return PreviewStatus.FAILED


def _finish(
    attachment: Attachment, status: PreviewStatus, *, rendered: int, total: int
) -> PreviewStatus:
    """Record the outcome, if the row is still pending (a second run may have been first)."""
    updated = Attachment.objects.filter(
        pk=attachment.pk, preview_status=PreviewStatus.PENDING
    ).update(preview_status=status, preview_pages=rendered, page_count=total)
    if not updated and not Attachment.objects.filter(pk=attachment.pk).exists():
        # Deleted while rendering: attachment_delete removed the folder before these pages.
        attachment_previews_remove(
            storage=attachment.file.storage, folder=previews.folder(attachment)
        )
        return PreviewStatus.NONE
    return status


def _stored_marker(storage: Storage, attachment: Attachment) -> previews.Marker | None:
    name = previews.marker_name(attachment)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        return previews.Marker.parse(handle.read(200))


def _render_and_store(
    storage: Storage, attachment: Attachment, data: bytes, limit: int
) -> tuple[int, int]:
    """(pages rendered, pages in the file). Raises previews.Unreadable when pdfium cannot
    open the file or render its first page; a later page that fails ends the render there."""
    with previews.Document(data) as document:
        total = document.page_count
        if total == 0:
            raise previews.Unreadable("no pages")
        rendered = 0
        for number in range(1, min(total, limit) + 1):
            try:
                images = document.render(number)
            except previews.Unreadable:
                if number == 1:
                    raise
                log.warning(
                    "attachment %s: pages from %d on cannot be rendered",
                    attachment.pk,
                    number,
                    exc_info=True,
                )
                break
            for size, content in images.items():
                _put(storage, previews.page_name(attachment, number, size), content)
            rendered = number
    marker = previews.Marker(rendered=rendered, total=total, sizes=frozenset(previews.SIZES))
    _put(storage, previews.marker_name(attachment), marker.text().encode())
    return rendered, total


def _put(storage: Storage, name: str, content: bytes) -> None:
    """Store ``content`` under exactly ``name``, replacing what an earlier render left (a
    file-system storage saves under another name rather than overwrite)."""
    stored = storage.save(name, ContentFile(content))
    if stored == name:
        return
    storage.delete(stored)
    storage.delete(name)
    again = storage.save(name, ContentFile(content))
    if again != name:  # a render running at the same time stored the same page meanwhile
        storage.delete(again)
