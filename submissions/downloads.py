"""The answers that hand out an entry's file or its preview, the same for everyone who may
get them (members, organisers, jurors): never sniffed or run, never cached on the way."""

from django.http import FileResponse, Http404

from core.http import protected_file

from .models import Attachment


def attachment_download(attachment: Attachment) -> FileResponse:
    """The file as it was uploaded, as a download under its (cleaned) original name."""
    return protected_file(
        FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
    )


def thumbnail_inline(attachment: Attachment) -> FileResponse:
    """An image's JPEG preview, shown inline; Http404 for a document (it has none)."""
    if not attachment.thumbnail:
        raise Http404
    stem = attachment.original_name.rsplit(".", 1)[0] or "preview"
    return protected_file(
        FileResponse(
            attachment.thumbnail.open("rb"),
            as_attachment=False,
            filename=f"{stem}.jpg",
            content_type="image/jpeg",
        )
    )
