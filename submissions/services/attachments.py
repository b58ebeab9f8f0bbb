"""Documents and images of an entry, stored through Django's storage API (local or S3)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from awards.services import audit_log

from ..enums import AttachmentKind, SubmissionStatus
from ..models import Attachment, Submission
from ..uploads import check_upload, thumbnail_bytes
from .entries import IncompleteSubmission, _ensure_changeable, _lock


@transaction.atomic
def attachment_add(*, submission: Submission, actor: User, upload: UploadedFile) -> Attachment:
    """Check ``upload`` by its content and store it under a generated name.

    Refused (ValidationError naming the file) for a wrong or mismatched type, an empty or
    oversized file, or one file too many; DeadlinePassed after the deadline;
    SubmissionTransitionError unless the entry is a draft or submitted. Images get a
    JPEG thumbnail. Side effect: an ``attachment.added`` audit entry.
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
    attachment = Attachment(
        submission=current,
        kind=checked.kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    upload.seek(0)
    # Storages such as S3 keep the upload's content type and serve the file with it: the
    # browser's word (text/html for a PDF, say) must not get there.
    upload.content_type = checked.content_type
    attachment.file.save("upload", upload, save=False)
    if checked.kind == AttachmentKind.IMAGE:
        attachment.thumbnail.save("thumb", ContentFile(thumbnail_bytes(upload)), save=False)
    attachment.save()
    audit_log(
        award=award,
        actor=actor,
        action="attachment.added",
        target=attachment,
        data={"submission": current.pk, "name": checked.name, "size": checked.size},
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    """Remove a file from an entry before the deadline; the stored objects go with it once
    the transaction has committed. Refused (IncompleteSubmission) for the last image of a
    submitted entry, and for entries that are neither drafts nor submitted."""
    current = _lock(attachment.submission)
    _ensure_changeable(current)
    if (
        current.status == SubmissionStatus.SUBMITTED
        and attachment.kind == AttachmentKind.IMAGE
        and not current.attachments.filter(kind=AttachmentKind.IMAGE)
        .exclude(pk=attachment.pk)
        .exists()
    ):
        # A submitted entry stays complete, as submission_update keeps it.
        raise IncompleteSubmission(
            {
                "attachments": [
                    _("A submitted entry needs an image: add another one before removing this.")
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
    attachment.delete()

    def remove() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove)
