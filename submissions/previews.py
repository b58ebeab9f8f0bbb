"""Page images of an entry's PDF documents, so that jurors read them in the browser without
a PDF viewer (uploads are served sandboxed, which stops the browser's own).

This module renders and names; it stores nothing and changes no row. The service
``submissions.services.attachment_previews_render`` runs it after an upload (a task) and
records the outcome on the attachment (``preview_status``, ``preview_pages``, ``page_count``).

Each page is rendered once with pdfium (Chromium's PDF engine) in two sizes, both JPEG:
``read`` (``READ_WIDTH`` px wide, shown in the page) and ``zoom`` (``ZOOM_WIDTH`` px, opened on
demand). They live in the private file storage beside the upload, under
``previews/<attachment>-<sha256[:16]>/`` (``<n>.jpg`` and ``<n>-zoom.jpg``), and are served
only through the jury's permission-checked views, like the files themselves. ``pages.txt``,
written after the last page, says how many pages were rendered, in which sizes, so that a
render whose outcome never reached the database is adopted rather than repeated.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .enums import PreviewStatus

if TYPE_CHECKING:
    from .models import Attachment

READ = "read"
ZOOM = "zoom"
SIZES = (READ, ZOOM)
READ_WIDTH = 1100  # pixels: sharp on a laptop screen; up to about 250 kB a page
ZOOM_WIDTH = 2000  # pixels: small print legible when zoomed; up to about 550 kB a page
QUALITY = {READ: 82, ZOOM: 80}
# A page at most this many times as tall as it is wide is rendered at full width; a taller
# one (a hostile PDF's 1 × 100,000 pt page) is scaled down to this height, so that no page
# asks for more than ZOOM_WIDTH × 4 × ZOOM_WIDTH pixels.
MAX_ASPECT = 4
MARKER = "pages.txt"

log = logging.getLogger(__name__)


class Unreadable(Exception):
    """pdfium could not open the file or render one of its pages: damaged, encrypted, not
    really a PDF, or hostile. Trying again would not help."""


def folder(attachment: Attachment) -> str:
    """Where the page images of ``attachment`` are stored (one folder per file content)."""
    return f"previews/{attachment.pk}-{attachment.sha256[:16]}"


def page_name(attachment: Attachment, number: int, size: str = READ) -> str:
    """The stored name of page ``number`` (1-based) in ``size``."""
    suffix = "" if size == READ else f"-{size}"
    return f"{folder(attachment)}/{number}{suffix}.jpg"


def marker_name(attachment: Attachment) -> str:
    return f"{folder(attachment)}/{MARKER}"


@dataclass(frozen=True)
class Marker:
    """What ``pages.txt`` says: pages rendered, pages in the file, the sizes rendered."""

    rendered: int
    total: int
    sizes: frozenset[str]

    def text(self) -> str:
        return f"{self.rendered} {self.total} {' '.join(sorted(self.sizes))}\n"

    @classmethod
    def parse(cls, data: bytes) -> Marker | None:
        """The marker in ``data``; None for anything else. The first renders wrote only the
        counts (one size): such a marker has no sizes."""
        words = data.decode("ascii", errors="replace").split()
        try:
            rendered, total = int(words[0]), int(words[1])
        except (IndexError, ValueError):
            return None
        if not 0 <= rendered <= total:
            return None
        return cls(rendered=rendered, total=total, sizes=frozenset(words[2:]))

    def covers(self, limit: int) -> bool:
        """Whether the pages it names can be adopted as this render's outcome: both sizes,
        and as many pages as a render with ``limit`` would make."""
        return set(SIZES) <= self.sizes and self.rendered == min(self.total, limit)


class Document:
    """A PDF opened for rendering, used as a context manager (pdfium's memory is freed on
    exit). Raises Unreadable for anything pdfium cannot open."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2

        try:
            self._pdf = pypdfium2.PdfDocument(data)
            self.page_count = len(self._pdf)
        except Exception as error:  # pdfium's error or a crash in its wrapper: not readable
            raise Unreadable(f"{type(error).__name__}: {error}") from error

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pdf.close()

    def render(self, number: int) -> dict[str, bytes]:
        """Page ``number`` (1-based) as JPEG bytes per size. Raises Unreadable when pdfium
        fails on the page (or runs out of memory on it)."""
        try:
            page = self._pdf[number - 1]
            try:
                width = max(page.get_width(), 1.0)
                height = max(page.get_height(), 1.0)
                scale = min(ZOOM_WIDTH / width, MAX_ASPECT * ZOOM_WIDTH / height)
                zoom = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
            read = zoom.copy()
            read.thumbnail((READ_WIDTH, MAX_ASPECT * READ_WIDTH))
            return {READ: _jpeg(read, QUALITY[READ]), ZOOM: _jpeg(zoom, QUALITY[ZOOM])}
        except Exception as error:
            raise Unreadable(f"page {number}: {type(error).__name__}: {error}") from error


def _jpeg(image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


class PagesNotStored(Exception):
    """The storage did not give the PDF or take its page images (unreachable, full, slow):
    not the file's fault, so the render is tried again (the task's retries, then the sweep)
    while the attachment keeps its attempts (``preview_attempts``)."""


def open_page(attachment: Attachment, number: int, size: str = READ):
    """The stored image of page ``number`` in ``size``, opened for reading; None for a page
    that was not rendered (or a document whose pages are not ready). Reads no row."""
    if attachment.preview_status != PreviewStatus.READY or size not in SIZES:
        return None
    if not 1 <= number <= attachment.preview_pages:
        return None
    try:
        return attachment.file.storage.open(page_name(attachment, number, size), "rb")
    except FileNotFoundError:
        log.warning("attachment %s: page %d (%s) is missing", attachment.pk, number, size)
        return None
