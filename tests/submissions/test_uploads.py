"""The content check of uploads (submissions/uploads.py): pure functions, no database."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from submissions.uploads import MAX_NAME, check_upload, clean_name, sniff, thumbnail_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
NOT_ACCEPTED = (
    "“{}” is not a PDF, JPEG, PNG or WebP file. Other formats (such as SVG, HTML, Word, ZIP or "
    "programs) cannot be uploaded."
)
MB = 1024 * 1024


def image_bytes(fmt: str, size=(64, 48), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt, **save)
    return buffer.getvalue()


def noisy_jpeg(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


def check(file, *, max_pdf_mb=20, max_image_mb=10):
    with translation.override("en"):
        return check_upload(file, max_pdf_mb=max_pdf_mb, max_image_mb=max_image_mb)


def refusal(file, **limits) -> list[str]:
    with pytest.raises(ValidationError) as error:
        check(file, **limits)
    return error.value.messages


# --- Accepted -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "kind"),
    [
        ("Konzept.pdf", PDF, "application/pdf", "document"),
        ("photo.png", image_bytes("PNG"), "image/png", "image"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg", "image"),
        ("photo.JPEG", image_bytes("JPEG"), "image/jpeg", "image"),
        ("photo.webp", image_bytes("WEBP"), "image/webp", "image"),
    ],
)
def test_it_accepts_pdf_jpeg_png_and_webp_by_content(name, content, content_type, kind):
    import hashlib

    # The browser's type is ignored: the content decides.
    checked = check(upload(name, content, "text/html"))

    assert checked.content_type == content_type
    assert checked.kind == kind
    assert checked.name == name
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_it_leaves_the_upload_at_its_start_for_storing():
    file = upload("photo.png", image_bytes("PNG"))

    check(file)

    assert file.tell() == 0


def test_a_pdf_up_to_the_pdf_limit_is_accepted_although_it_is_bigger_than_the_image_limit():
    content = PDF[:-7] + b"0" * (11 * MB) + b"\n%%EOF\n"

    assert check(upload("big.pdf", content)).content_type == "application/pdf"


# --- Refused, each with its message --------------------------------------------------------


def test_an_oversized_pdf_is_refused_with_its_size_and_the_limit():
    content = PDF[:-7] + b"0" * (21 * MB) + b"\n%%EOF\n"

    assert refusal(upload("big.pdf", content)) == [
        f"“big.pdf” is {len(content) / MB:.1f} MB; at most 20 MB are allowed for this type."
    ]


def test_an_oversized_image_is_refused_at_the_image_limit():
    content = image_bytes("PNG") + b"\0" * (11 * MB)

    assert refusal(upload("huge.png", content)) == [
        "“huge.png” is 11.0 MB; at most 10 MB are allowed for this type."
    ]


def test_the_limits_come_from_the_award():
    content = PDF[:-7] + b"0" * (2 * MB) + b"\n%%EOF\n"

    assert refusal(upload("plan.pdf", content), max_pdf_mb=1) == [
        "“plan.pdf” is 2.0 MB; at most 1 MB are allowed for this type."
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.pdf", b"Hello, I am plain text pretending to be a PDF."),
        ("invoice.pdf", HTML),
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 100),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 100),
        ("documents.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\0" * 100),
        ("documents.pdf", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\0" * 100),
        ("antrag.docx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"\0" * 100),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        # A PDF header that does not start the file is not a PDF.
        ("wrapped.pdf", b"<html>" + PDF),
    ],
)
def test_wrong_magic_bytes_are_refused_whatever_the_name(name, content):
    assert refusal(upload(name, content, "application/pdf")) == [NOT_ACCEPTED.format(name)]


def test_an_empty_file_is_refused():
    assert refusal(upload("empty.pdf", b"")) == ["“empty.pdf” is empty."]


def test_a_truncated_pdf_without_end_marker_is_refused():
    content = PDF[: PDF.index(b"%%EOF")] + b"0" * 5000

    assert refusal(upload("cut.pdf", content)) == ["“cut.pdf” is not a complete PDF file."]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.jpg", image_bytes("PNG"), "PNG"),
        ("photo.png", image_bytes("JPEG"), "JPEG"),
        ("photo.webp", image_bytes("PNG"), "PNG"),
        ("photo.pdf", image_bytes("PNG"), "PNG"),
        ("paper.png", PDF, "PDF"),
        ("paper", PDF, "PDF"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused(name, content, kind):
    assert refusal(upload(name, content)) == [
        f"The content of “{name}” does not match its name: it is a {kind} file."
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("cut.png", image_bytes("PNG", size=(640, 480))[:-200]),
        ("cut.jpg", noisy_jpeg()[:20000]),
        ("garbage.jpg", b"\xff\xd8\xff\xe0" + b"\x13" * 400),
        ("garbage.webp", b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x13" * 400),
    ],
)
def test_an_image_with_the_right_magic_but_broken_content_is_not_readable(name, content):
    assert refusal(upload(name, content)) == [f"“{name}” is not a readable image."]


# --- Names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/var/www/../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("re\x00port\r\n.pdf", "report.pdf"),
        ("\u202efdp.exe", "fdp.exe"),  # right-to-left override: hides the real extension
        ("Präsentation.pdf", "Präsentation.pdf"),
        ("Pra\u0308sentation.pdf", "Präsentation.pdf"),  # decomposed umlaut, normalised
        (b"Bericht \xff\xfe.pdf", "Bericht __.pdf"),
        ("", "file"),
        ("..", "file"),
        ("\x00\x01", "file"),
        ("  .hidden.pdf. ", "hidden.pdf"),
    ],
)
def test_names_are_cleaned_to_a_safe_display_name(raw, clean):
    assert clean_name(raw) == clean


def test_a_very_long_name_is_cut_to_120_characters_keeping_the_extension():
    name = clean_name("Lightweight " * 30 + "final.pdf")

    assert len(name) == MAX_NAME == 120
    assert name.endswith(".pdf")
    assert name.startswith("Lightweight Lightweight")


def test_a_very_long_extension_counts_as_part_of_the_name():
    name = clean_name("x." + "y" * 300)

    assert name == "x." + "y" * 118


def test_a_path_traversal_name_is_accepted_under_its_last_part():
    checked = check(upload("../../etc/passwd.pdf", PDF))

    assert checked.name == "passwd.pdf"


def test_a_windows_path_is_refused_by_its_last_part_in_the_message():
    assert refusal(upload("C:\\Windows\\evil.pdf", HTML)) == [NOT_ACCEPTED.format("evil.pdf")]


def test_sniff_knows_only_the_accepted_types():
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert sniff(b"\xff\xd8\xff\xdb") == "image/jpeg"
    assert sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None
    assert sniff(b"") is None


# --- Thumbnails ---------------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_large_png_gets_a_jpeg_thumbnail_of_at_most_480_pixels():
    file = upload("big.png", image_bytes("PNG", size=(4000, 3000)))

    thumb = _open(thumbnail_bytes(file))

    assert thumb.format == "JPEG"
    assert thumb.size == (480, 360)
    assert thumb.mode == "RGB"
    assert file.tell() == 0


def test_the_thumbnail_applies_the_exif_orientation_and_drops_the_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    image = Image.new("RGB", (4000, 3000), "white")
    image.paste("blue", (0, 0, 400, 3000))  # a blue band on the left edge of the sensor
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)

    thumb = _open(thumbnail_bytes(upload("portrait.jpg", buffer.getvalue())))

    assert thumb.size == (360, 480)
    # Rotated clockwise, the sensor's left edge is at the top.
    red, _green, blue = thumb.getpixel((180, 5))
    assert blue > 200 and red < 60
    assert dict(thumb.getexif()) == {}


def test_a_transparent_png_gets_an_rgb_thumbnail():
    buffer = io.BytesIO()
    Image.new("RGBA", (800, 800), (0, 128, 0, 100)).save(buffer, "PNG")

    thumb = _open(thumbnail_bytes(upload("logo.png", buffer.getvalue())))

    assert (thumb.format, thumb.mode, thumb.size) == ("JPEG", "RGB", (480, 480))


def test_a_webp_gets_a_thumbnail():
    thumb = _open(thumbnail_bytes(upload("a.webp", image_bytes("WEBP", size=(1000, 500)))))

    assert (thumb.format, thumb.size) == ("JPEG", (480, 240))
