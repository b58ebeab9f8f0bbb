"""Checking uploaded files by their content, never by their name or the browser's word, and
keeping only what an entry needs of them.

Accepted: PDF, JPEG, PNG and WebP. The first bytes decide the type; the name's extension must
agree with it. Everything else — SVG, HTML, executables, archives, empty files — is refused
with a message naming the file.

Images are decoded (Pillow) and encoded again in their own format: what is stored is the
picture and nothing else, so neither data hidden after its end (an HTML page behind a PNG)
nor its metadata (EXIF with the GPS position of a prototype or a person, XMP, comments, text
chunks) reaches the organisers and jurors. The EXIF orientation is applied to the pixels
first, and a colour profile is applied (the pixels converted to sRGB) rather than carried
over, because its bytes are the uploader's too.

PDFs are stored as uploaded, so they are refused rather than cleaned when they could do more
than show pages: JavaScript, actions that open other programs, embedded files, rich media,
XFA forms, or data after the end of the file (issue #17).
"""

import hashlib
import io
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

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
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# Encoding images again: close to the camera's own quality; PNG's slow search for the
# smallest file only where it takes well under a second.
JPEG_QUALITY = 90
WEBP_QUALITY = 90
PNG_OPTIMIZE_PIXELS = 4_000_000
ORIENTATION = 0x0112
MAX_NAME = 120
# A longer "extension" is part of the name (cutting it would keep nothing else).
MAX_EXTENSION = 10

# After a PDF's last %%EOF: line ends and the padding some writers add, nothing else.
PDF_TAIL_ALLOWANCE = 1024
PDF_PADDING = b" \t\r\n\f\0"
# What the object streams of one PDF may inflate to, in all; more cannot be checked.
PDF_INFLATE_LIMIT = 64 * 1024 * 1024
# PDF names (after #xx escapes are decoded) that make a document do more than show pages.
# Each JavaScript action, wherever it hangs (/OpenAction, /AA of a page, field or annotation,
# the /Names tree), is `/S /JavaScript`, so /OpenAction and /AA need no rule of their own.
PDF_ACTIVE = {b"JavaScript", b"JS", b"Launch", b"RichMedia"}
PDF_EMBEDDED = {b"EmbeddedFile", b"EmbeddedFiles", b"EF"}
PDF_XFA = {b"XFA"}
# Inside raw stream data (images, fonts, page content) short names turn up by chance in
# binary bytes; only names too long for that are looked for there. They still find an object
# an attacker put into what looks like stream data (the cross-reference table may point there).
PDF_LONG = {b"JavaScript", b"Launch", b"RichMedia", b"EmbeddedFile", b"EmbeddedFiles"}
PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
PDF_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")


@dataclass(frozen=True)
class CheckedFile:
    """What an upload is, and what to store of it.

    ``content`` is the cleaned file to store instead of the upload (images); None means the
    upload is stored as it is (PDFs). ``size`` and ``sha256`` describe what is stored;
    ``uploaded_size`` is the size of the file the applicant sent, which the limits judge.
    """

    content_type: str
    kind: str
    name: str
    size: int
    sha256: str
    content: bytes | None = field(default=None, repr=False)
    uploaded_size: int = 0


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
    """Validate ``upload`` by content; returns what it is and what to store (an image cleaned
    of everything but its picture), or raises a ValidationError that names the file and says
    why. The size limits judge the file as uploaded."""
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
    if content_type == PDF:
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        _check_pdf(upload, name)
        upload.seek(0)
        return CheckedFile(
            content_type, KINDS[content_type], name, size, digest.hexdigest(), None, size
        )
    cleaned = _check_image(upload, name, content_type)
    upload.seek(0)
    return CheckedFile(
        content_type,
        KINDS[content_type],
        name,
        len(cleaned),
        hashlib.sha256(cleaned).hexdigest(),
        cleaned,
        size,
    )


# --- PDF ----------------------------------------------------------------------------------


def _pdf_refusal(name: str, code: str) -> ValidationError:
    messages = {
        "broken": _("“%(name)s” is not a complete PDF file."),
        "trailing": _(
            "“%(name)s” has data after the end of the PDF, which a PDF does not have. Please "
            "export it again (e.g. “Print to PDF”) and upload the new file."
        ),
        "active": _(
            "“%(name)s” contains JavaScript or actions that open other programs; PDFs with such "
            "content cannot be uploaded. Please export it again without them (e.g. “Print to "
            "PDF”)."
        ),
        "embedded": _(
            "“%(name)s” contains embedded files (attachments inside the PDF), which cannot be "
            "uploaded. Please export it again without them (e.g. “Print to PDF”) and upload "
            "each file on its own."
        ),
        "xfa": _(
            "“%(name)s” is an XFA form, which most PDF viewers cannot show and which may run "
            "scripts. Please export it again as an ordinary PDF (e.g. “Print to PDF”)."
        ),
        "unchecked": _(
            "“%(name)s” could not be checked: parts of it are compressed or protected in a way "
            "that cannot be read here. Please export it again without protection (e.g. “Print "
            "to PDF”)."
        ),
    }
    return ValidationError(messages[code] % _describe(name), code=f"pdf_{code}")


def _pdf_names(text: bytes) -> Iterator[bytes]:
    """The names in ``text``, their ``#xx`` escapes decoded (``/J#61vaScript`` is
    ``JavaScript`` to a PDF reader, so it must be to us)."""
    for match in PDF_NAME.finditer(text):
        yield PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def _pdf_verdict(names: Iterator[bytes], *, among: set[bytes] | None = None) -> str | None:
    """The refusal code the first telling name in ``names`` calls for, or None."""
    for name in names:
        if among is not None and name not in among:
            continue
        if name in PDF_ACTIVE:
            return "active"
        if name in PDF_EMBEDDED:
            return "embedded"
        if name in PDF_XFA:
            return "xfa"
    return None


def _pdf_object_stream(dictionary: bytes, data: bytes, budget: int) -> bytes | None:
    """The objects of a compressed object stream (``/Type /ObjStm``) with ``dictionary`` and
    raw ``data``, inflated within ``budget`` bytes; None when they cannot be read (another
    filter, a predictor, encryption, damage, or more than the budget)."""
    names = list(_pdf_names(dictionary))
    filters = [n for n in names if n.endswith(b"Decode") or n in (b"Fl", b"AHx", b"A85", b"LZW")]
    if any(f not in (b"FlateDecode", b"Fl") for f in filters) or b"Predictor" in names:
        return None
    if b"Filter" in names and not filters:
        return None  # a filter given by reference: nobody writes that but to hide something
    if not filters:
        return data
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, budget + 1)
    except zlib.error:
        return None
    if len(inflated) > budget or not inflated:
        return None
    return inflated


def _check_pdf(upload: UploadedFile, name: str) -> None:
    """Refuse a PDF that is incomplete, has data after its end, or holds more than pages.

    Names are looked for in the file's text outside its streams and in its object streams
    (where most writers put the document's dictionaries; Flate only, bounded), and the long
    telling names also inside the other streams. A name in a string or a comment counts too:
    refusing such a rare harmless PDF is the price of not parsing PDFs here.
    """
    upload.seek(0)
    data = upload.read()
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise _pdf_refusal(name, "broken")
    # An incremental update adds another %%EOF; only what follows the last one is not PDF.
    tail = data[end + len(b"%%EOF") :]
    if len(tail) > PDF_TAIL_ALLOWANCE or tail.strip(PDF_PADDING):
        raise _pdf_refusal(name, "trailing")
    budget = PDF_INFLATE_LIMIT
    position = 0
    while True:
        stream = PDF_STREAM.search(data, position)
        outside = data[position : stream.start() if stream else len(data)]
        if code := _pdf_verdict(_pdf_names(outside)):
            raise _pdf_refusal(name, code)
        if stream is None:
            return
        body_end = data.find(b"endstream", stream.end())
        body_end = len(data) if body_end < 0 else body_end
        body = data[stream.end() : body_end]
        position = body_end + len(b"endstream")
        # The stream's dictionary: from its object's header to the keyword.
        headers = list(PDF_OBJ.finditer(outside))
        dictionary = outside[headers[-1].end() :] if headers else outside
        if b"ObjStm" in set(_pdf_names(dictionary)):
            objects = _pdf_object_stream(dictionary, body, budget)
            if objects is None:
                raise _pdf_refusal(name, "unchecked")
            budget -= len(objects)
            code = _pdf_verdict(_pdf_names(objects))
        else:
            code = _pdf_verdict(_pdf_names(body), among=PDF_LONG)
        if code:
            raise _pdf_refusal(name, code)


# --- Images -------------------------------------------------------------------------------


def _webp_lossless(head: bytes) -> bool:
    """Whether a WebP's picture is stored losslessly (a ``VP8L`` chunk), from its chunk list."""
    position = 12
    while position + 8 <= len(head):
        fourcc = head[position : position + 4]
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        length = int.from_bytes(head[position + 4 : position + 8], "little")
        position += 8 + length + (length & 1)
    return False


def _to_srgb(image, profile: bytes | None):
    """``image`` with its colour profile applied (its pixels in sRGB), or as it is when it has
    none or the profile cannot be used: the profile's bytes are not carried over."""
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _check_image(upload: UploadedFile, name: str, content_type: str) -> bytes:
    """The image in ``upload`` encoded again in its own format: orientation applied, no
    metadata, nothing after the picture; an animated image keeps its first frame. Raises a
    ValidationError when it does not decode (Pillow's decompression-bomb limit included)."""
    from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

    fmt = PILLOW_FORMATS[content_type]
    upload.seek(0)
    try:
        with Image.open(upload, formats=[fmt]) as image:
            image.verify()
        # verify() checks little beyond PNG's checksums: decoding the pixels also catches a
        # truncated JPEG or WebP, which would otherwise fail later, making its thumbnail.
        upload.seek(0)
        with Image.open(upload, formats=[fmt]) as image:
            image.load()
            options: dict = {}
            if fmt == "JPEG":
                sampling = JpegImagePlugin.get_sampling(image)
                options = {"quality": JPEG_QUALITY}
                if sampling >= 0:
                    options["subsampling"] = sampling
            elif fmt == "WEBP":
                upload.seek(0)
                lossless = _webp_lossless(upload.read(4096))
                options = {"lossless": True} if lossless else {"quality": WEBP_QUALITY}
            else:
                # Searching for the smallest encoding takes seconds on a large photo.
                options = {"optimize": image.width * image.height <= PNG_OPTIMIZE_PIXELS}
            if "transparency" in image.info and fmt == "PNG":
                options["transparency"] = image.info["transparency"]
            profile = image.info.get("icc_profile")
            # exif_transpose copies an image it does not turn: a large one would be held twice.
            turned = image.getexif().get(ORIENTATION, 1) != 1
            picture = ImageOps.exif_transpose(image) if turned else image
            picture = _to_srgb(picture, profile)
            # Nothing of the original's metadata rides along (Pillow writes some of it, such
            # as a JPEG comment, from here); a PNG's transparent colour is passed above.
            picture.info = {}
            if fmt == "WEBP" and picture.mode not in ("RGB", "RGBA"):
                picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
            out = io.BytesIO()
            picture.save(out, format=fmt, **options)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s” is not a readable image.") % _describe(name), code="broken"
        ) from None
    return out.getvalue()


def thumbnail_bytes(file: IO[bytes], *, size: tuple[int, int] = (480, 480)) -> bytes:
    """A JPEG preview of an image, at most ``size``, orientation applied, metadata dropped."""
    from PIL import Image, ImageOps

    file.seek(0)
    with Image.open(file) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(size)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=82, optimize=True)
    file.seek(0)
    return out.getvalue()
