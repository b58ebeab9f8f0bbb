"""Checking uploaded files by their content, never by their name or the browser's word.

Accepted: PDF, JPEG, PNG and WebP. The first bytes decide the type; the name's extension must
agree with it; images must really decode (Pillow) and PDFs must look like PDFs throughout
(a header, no HTML before it, an end marker). Everything else — SVG, HTML, executables,
archives, empty files — is refused with a message naming the file.
"""

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .enums import AttachmentKind

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"

EXTENSIONS = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg"}, PNG: {".png"}, WEBP: {".webp"}}
KINDS = {
    PDF: AttachmentKind.DOCUMENT,
    JPEG: AttachmentKind.IMAGE,
    PNG: AttachmentKind.IMAGE,
    WEBP: AttachmentKind.IMAGE,
}
MAX_NAME = 120
# A longer "extension" is part of the name (cutting it would keep nothing else).
MAX_EXTENSION = 10


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    kind: str
    name: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """The type the first bytes announce, or None for anything we do not accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def clean_name(raw: str) -> str:
    """A display name safe anywhere: no folders, no control characters, valid UTF-8, short."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = name.replace("\ufffd", "_") or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if len(name) > MAX_NAME:
        if len(ext) > MAX_EXTENSION:
            stem, ext = name, ""
        keep = MAX_NAME - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if ext else stem[:MAX_NAME]
    return name


def _describe(name: str) -> dict[str, str]:
    return {"name": name}


def check_upload(upload: UploadedFile, *, max_pdf_mb: int, max_image_mb: int) -> CheckedFile:
    """Validate ``upload`` by content; returns what it is, or raises a ValidationError that
    names the file and says why."""
    name = clean_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % _describe(name), code="empty")
    upload.seek(0)
    head = upload.read(64)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, JPEG, PNG or WebP file. Other formats (such as SVG, "
                "HTML, Word, ZIP or programs) cannot be uploaded."
            )
            % _describe(name),
            code="type",
        )
    extension = PurePosixPath(name).suffix.lower()
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            _("The content of “%(name)s” does not match its name: it is a %(type)s file.")
            % {"name": name, "type": content_type.split("/")[1].upper()},
            code="mismatch",
        )
    limit_mb = max_pdf_mb if content_type == PDF else max_image_mb
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; at most %(limit)d MB are allowed for this type.")
            % {"name": name, "size": size / 1024 / 1024, "limit": limit_mb},
            code="size",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    if content_type == PDF:
        _check_pdf(upload, name)
    else:
        _check_image(upload, name)
    upload.seek(0)
    return CheckedFile(content_type, KINDS[content_type], name, size, digest.hexdigest())


def _check_pdf(upload: UploadedFile, name: str) -> None:
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    if b"%%EOF" not in tail:
        raise ValidationError(
            _("“%(name)s” is not a complete PDF file.") % _describe(name), code="broken"
        )


def _check_image(upload: UploadedFile, name: str) -> None:
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
        # verify() checks little beyond PNG's checksums: decoding the pixels also catches a
        # truncated JPEG or WebP, which would otherwise fail later, making its thumbnail.
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s” is not a readable image.") % _describe(name), code="broken"
        ) from None


def thumbnail_bytes(upload: UploadedFile, *, size: tuple[int, int] = (480, 480)) -> bytes:
    """A JPEG preview of an image, at most ``size``, orientation applied, metadata dropped."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(size)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=82, optimize=True)
    upload.seek(0)
    return out.getvalue()
