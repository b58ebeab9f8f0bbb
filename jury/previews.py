"""Page images of an entry's PDF documents, so that jurors read them inline on the review
page without a PDF viewer in the browser (uploads are served sandboxed, which stops it).

The first ``MAX_PAGES`` pages are rendered once with pdfium, the PDF engine of Chromium, and
kept in the private file storage beside the upload (``previews/<attachment>-<sha>/``); they
are served only through the jury's permission-checked view, like the files themselves.
"""

from __future__ import annotations

import io
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from submissions.models import Attachment
from submissions.uploads import PDF

log = logging.getLogger(__name__)

MAX_PAGES = 12
WIDTH = 1100  # pixels: sharp on a laptop screen, about 150 kB a page as JPEG
QUALITY = 82
FAILURE_RETRY_S = 3600  # a PDF pdfium could not read is tried again after an hour


def _folder(attachment: Attachment) -> str:
    return f"previews/{attachment.pk}-{attachment.sha256[:16]}"


def _render(attachment: Attachment) -> int:
    import pypdfium2

    with attachment.file.open("rb") as handle:
        data = handle.read()
    document = pypdfium2.PdfDocument(data)
    try:
        pages = min(len(document), MAX_PAGES)
        for index in range(pages):
            page = document[index]
            width = page.get_width() or 1
            image = page.render(scale=WIDTH / width).to_pil().convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=QUALITY, optimize=True)
            default_storage.save(
                f"{_folder(attachment)}/{index + 1}.jpg", ContentFile(buffer.getvalue())
            )
        default_storage.save(
            f"{_folder(attachment)}/pages.txt", ContentFile(f"{pages} {len(document)}".encode())
        )
        return pages
    finally:
        document.close()


def preview_pages(attachment: Attachment) -> tuple[int, int]:
    """(pages rendered, pages in the document) for a PDF, rendering them on first use;
    (0, 0) for anything else or a PDF pdfium cannot read (the download still works). The
    answer is cached, so a review page does not ask the storage (S3) on every view."""
    if attachment.content_type != PDF:
        return 0, 0
    key = f"laurel:preview:{_folder(attachment)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    marker = f"{_folder(attachment)}/pages.txt"
    try:
        if not default_storage.exists(marker):
            _render(attachment)
        with default_storage.open(marker, "rb") as handle:
            shown, total = (int(n) for n in handle.read().split())
    except Exception:  # a damaged or hostile PDF must not break the review page
        log.warning("no preview for attachment %s", attachment.pk, exc_info=True)
        cache.set(key, (0, 0), FAILURE_RETRY_S)
        return 0, 0
    cache.set(key, (shown, total), None)
    return shown, total


def preview_page(attachment: Attachment, number: int):
    """The stored page image (a file opened for reading), or None."""
    shown, _total = preview_pages(attachment)
    if not 1 <= number <= shown:
        return None
    return default_storage.open(f"{_folder(attachment)}/{number}.jpg", "rb")
