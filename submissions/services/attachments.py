"""Documents and images of an entry, stored through Django's storage API (local or S3).

A stored file and its row come and go together. ``attachment_add`` writes the files before
the row and removes whatever it wrote (a complete file or the part a full disk let through)
when anything after fails, so that no row names a file that was not written completely and
no file stays without a row; ``attachment_delete`` removes the files once the row is gone.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from awards.services import audit_log
from core.queue import enqueue_on_commit

from .. import previews
from ..enums import AttachmentKind, PreviewStatus, SubmissionStatus
from ..models import Attachment, Question, Submission
from ..tasks import render_previews
from ..uploads import PDF, check_upload, thumbnail_bytes
from .entries import IncompleteSubmission, _ensure_changeable, _lock, entry_form_questions
from .previews import attachment_previews_remove

log = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The file storage did not take a file (full, unreachable, read-only, a short write).

    Not the applicant's fault, so not a ValidationError: the upload answers 503. Nothing was
    kept, neither a row nor a file.
    """

    def __init__(self, *, name: str) -> None:
        self.name = name
        self.message = _(
            "“%(name)s” could not be stored: the file storage is full or unavailable. "
            "Nothing was saved; please try again later."
        ) % {"name": name}
        super().__init__(self.message)


def _remove(storage: Storage, names: list[str]) -> None:
    """Delete ``names``, best effort: a cleanup must not hide the failure that caused it."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            log.exception("could not remove the stored file %s", name)


def _store(field_file: FieldFile, content: File, *, size: int, written: list[str]) -> None:
    """Write ``content`` (``size`` bytes) under a new generated name of ``field_file``'s
    field and set it on the instance; the name goes into ``written`` before the write starts,
    so that the caller's cleanup also finds a partial file.

    Raises StorageUnavailable when the storage refuses the write or keeps fewer bytes than
    were sent (a full disk can end a copy short without an error).
    """
    field = field_file.field
    storage = field_file.storage
    # A generated name (128 random bits) is free, so the storage writes under this very name
    # and a partial file is found under it.
    name = field.generate_filename(field_file.instance, "upload")
    written.append(name)
    try:
        stored = storage.save(name, content, max_length=field.max_length)
        written[-1] = stored
        stored_size = storage.size(stored)
    except Exception as error:
        log.warning("the storage did not take %s: %r", name, error)
        raise StorageUnavailable(name=field_file.instance.original_name) from error
    if stored_size != size:
        log.warning("the storage kept %d of %d bytes of %s", stored_size, size, stored)
        raise StorageUnavailable(name=field_file.instance.original_name)
    # As FieldFile.save does: the instance now names the stored file (a committed file).
    setattr(field_file.instance, field.attname, stored)


def _slot(current: Submission, question: Question | None, kind: str) -> Question:
    """The file slot ``question`` of ``current``'s form, checked to take ``kind``; without
    one, the first slot of the form that takes ``kind`` (a plain form's upload)."""
    slots = entry_form_questions(current).file_slots()
    if question is None:
        for slot in slots:
            if kind in (slot.file_kinds or []):
                return slot
        raise ValidationError(_("The form has no place for this kind of file."), code="no_slot")
    slot = next((s for s in slots if s.pk == question.pk), None)
    if slot is None:
        raise ValidationError(_("The form has no such file field."), code="no_slot")
    if kind not in (slot.file_kinds or []):
        allowed = ", ".join(str(AttachmentKind(k).label) for k in slot.file_kinds or [])
        raise ValidationError(
            _("“%(slot)s” takes only: %(kinds)s.") % {"slot": slot.label, "kinds": allowed},
            code="wrong_kind",
        )
    return slot


@transaction.atomic
def attachment_add(
    *,
    submission: Submission,
    actor: User,
    upload: UploadedFile,
    question: Question | None = None,
) -> Attachment:
    """Check ``upload`` by its content and store it under a generated name, in the file slot
    ``question`` of the entry's form (None: the first slot that takes its kind).

    Refused (ValidationError naming the file) for a wrong or mismatched type, a kind the slot
    does not take, an empty or oversized file (the award's limit, or the slot's when smaller;
    judged on the file as uploaded), a PDF with JavaScript, launch actions, embedded files, an
    XFA form or data after its end (``uploads.check_upload``), or one file too many (the
    award's, or the slot's); DeadlinePassed after the deadline; SubmissionTransitionError
    unless the entry is a draft or submitted. Images are stored encoded again, without their
    metadata and anything after the picture (size and hash on the row are the stored file's),
    and get a JPEG thumbnail of the stored image. StorageUnavailable when the storage does not
    take the file or its thumbnail completely; then nothing is kept (the partial files are
    removed, the transaction rolls back). Side effects: an ``attachment.added`` audit entry;
    for a PDF, its page images pending and the ``submissions.render_previews`` task enqueued
    on commit.
    """
    current = _lock(submission)
    _ensure_changeable(current)
    award = current.award
    if current.attachments.count() >= award.max_attachments:
        raise ValidationError(
            _("An entry can have at most %(max)d files; remove one first.")
            % {"max": award.max_attachments},
            code="too_many",
        )
    checked = check_upload(upload, max_pdf_mb=award.max_pdf_mb, max_image_mb=award.max_image_mb)
    slot = _slot(current, question, checked.kind)
    # Judged on the file as uploaded, like the award's limits: the size the applicant knows.
    if slot.max_file_mb and checked.uploaded_size > slot.max_file_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(slot)s” takes files of at most %(mb)d MB.")
            % {"slot": slot.label, "mb": slot.max_file_mb},
            code="too_large",
        )
    if slot.max_files and current.attachments.filter(question=slot).count() >= slot.max_files:
        raise ValidationError(
            ngettext(
                "“%(slot)s” takes at most %(max)d file; remove one first.",
                "“%(slot)s” takes at most %(max)d files; remove one first.",
                slot.max_files,
            )
            % {"slot": slot.label, "max": slot.max_files},
            code="too_many",
        )
    attachment = Attachment(
        submission=current,
        question=slot,
        kind=checked.kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        # Rendered by a task once the file is stored and committed, never in a request.
        preview_status=PreviewStatus.PENDING if checked.content_type == PDF else PreviewStatus.NONE,
    )
    # What is stored: an image as the check encoded it again (no metadata, nothing after the
    # picture), a PDF as uploaded. Size and hash on the row are the stored file's.
    content: File = upload
    if checked.content is not None:
        content = ContentFile(checked.content, name=upload.name)
    content.seek(0)
    # Made before anything is stored, of the stored image: one the thumbnail cannot be made
    # of leaves nothing.
    thumbnail = thumbnail_bytes(content) if checked.kind == AttachmentKind.IMAGE else None
    content.seek(0)
    # Storages such as S3 keep the upload's content type and serve the file with it: the
    # browser's word (text/html for a PDF, say) must not get there.
    content.content_type = checked.content_type
    written: list[str] = []
    try:
        _store(attachment.file, content, size=checked.size, written=written)
        if thumbnail is not None:
            _store(
                attachment.thumbnail,
                ContentFile(thumbnail, name="thumb.jpg"),
                size=len(thumbnail),
                written=written,
            )
        attachment.save()
        audit_log(
            award=award,
            actor=actor,
            action="attachment.added",
            target=attachment,
            data={"submission": current.pk, "name": checked.name, "size": checked.size},
        )
    except BaseException:
        # Also for an abort (a worker's timeout raises SystemExit): the transaction rolls
        # back, so the files go too. A rollback of a caller's transaction after this returns
        # cannot be seen from here; the views call this outside any other transaction.
        _remove(attachment.file.storage, written)
        raise
    if attachment.preview_status == PreviewStatus.PENDING:
        enqueue_on_commit(render_previews, attachment.pk)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    """Remove a file from an entry before the deadline; the stored objects (the file, its
    thumbnail, a document's page images) go with it once the transaction has committed.
    Refused (IncompleteSubmission) for the last file of a required file slot of a submitted
    entry, and for entries that are neither drafts nor submitted."""
    current = _lock(attachment.submission)
    _ensure_changeable(current)
    slot = attachment.question
    if (
        current.status == SubmissionStatus.SUBMITTED
        and slot is not None
        and slot.required
        and not current.attachments.filter(question=slot).exclude(pk=attachment.pk).exists()
    ):
        # A submitted entry stays complete, as submission_update keeps it.
        raise IncompleteSubmission(
            {
                slot.field_name: [
                    _(
                        "A submitted entry needs a file in “%(slot)s”: add another one "
                        "before removing this."
                    )
                    % {"slot": slot.label}
                ]
            }
        )
    audit_log(
        award=current.award,
        actor=actor,
        action="attachment.deleted",
        target=attachment,
        data={"submission": current.pk, "name": attachment.original_name},
    )
    files = [f for f in (attachment.file, attachment.thumbnail) if f]
    names = [(f.storage, f.name) for f in files]
    storage, pages = attachment.file.storage, previews.folder(attachment)
    attachment.delete()

    def remove() -> None:
        for file_storage, name in names:
            file_storage.delete(name)
        # Also when none were rendered: a render may have stored some before this commit
        # (one that finishes later removes its own, finding the row gone).
        attachment_previews_remove(storage=storage, folder=pages)

    transaction.on_commit(remove)
