"""The content check of uploads (submissions/uploads.py): pure functions, no database."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from submissions.uploads import MAX_NAME, check_upload, clean_name, sniff, thumbnail_bytes
from tests.submissions.upload_samples import (
    BERLIN,
    clean_pdf,
    decoded,
    incremental_update,
    object_stream_pdf,
    photo,
    png,
    with_catalog,
)

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
    assert checked.uploaded_size == len(content)
    # What is stored: a PDF as uploaded, an image encoded again; size and hash describe it.
    stored = content if kind == "document" else checked.content
    assert checked.content is None if kind == "document" else sniff(stored) == content_type
    assert checked.size == len(stored)
    assert checked.sha256 == hashlib.sha256(stored).hexdigest()


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


# --- Images are stored encoded again (issue #17) ------------------------------------------


def test_a_polyglot_png_loses_the_html_after_its_end():
    content = png() + HTML

    checked = check(upload("poster.png", content))

    assert checked.uploaded_size == len(content)
    assert b"<html" not in checked.content and b"<script" not in checked.content
    assert sniff(checked.content) == "image/png"
    assert decoded(checked.content).getpixel((10, 10)) == (255, 0, 0)


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png")])
def test_a_photo_loses_its_gps_position_and_is_turned_upright(fmt, name):
    content = photo(fmt)
    assert b"Camera maker" in content  # the metadata is really there before

    checked = check(upload(name, content))

    image = decoded(checked.content)
    assert image.format == fmt
    assert image.size == (300, 400)  # orientation 6 applied: portrait now
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    for trace in (b"Exif", b"GPS", b"Camera maker", b"Firmware", b"taken at the lab"):
        assert trace not in checked.content
    # Turned clockwise, the sensor's left edge (blue) is at the top.
    red, _green, blue = image.convert("RGB").getpixel((150, 5))
    assert blue > 200 and red < 60


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")])
def test_an_upright_photo_loses_its_gps_position_too(fmt, name):
    checked = check(upload(name, photo(fmt, orientation=1)))

    image = decoded(checked.content)
    assert (image.format, image.size) == (fmt, (400, 300))
    assert dict(image.getexif()) == {}
    assert b"GPS" not in checked.content and b"Camera maker" not in checked.content


def test_a_jpeg_is_encoded_again_in_good_quality_keeping_its_subsampling():
    from PIL import JpegImagePlugin

    buffer = io.BytesIO()
    Image.effect_noise((320, 240), 40).convert("RGB").save(
        buffer, "JPEG", quality=95, subsampling=0
    )

    image = decoded(check(upload("detail.jpg", buffer.getvalue())).content)

    assert JpegImagePlugin.get_sampling(image) == 0


def test_a_transparent_png_keeps_its_transparency():
    rgba = decoded(check(upload("logo.png", png(mode="RGBA", color=(0, 128, 0, 100)))).content)
    icon = Image.new("P", (64, 48), 1)
    icon.putpalette([255, 0, 0, 0, 0, 255])
    icon.putpixel((0, 0), 0)
    buffer = io.BytesIO()
    icon.save(buffer, "PNG", transparency=1)
    indexed = decoded(check(upload("icon.png", buffer.getvalue())).content)

    assert (rgba.mode, rgba.getpixel((1, 1))) == ("RGBA", (0, 128, 0, 100))
    assert indexed.mode == "P"
    assert indexed.convert("RGBA").getpixel((1, 1))[3] == 0
    assert indexed.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 255)


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 52.52N 13.40E, lab in Adlershof")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")

    checked = check(upload("plan.png", png(pnginfo=info)))

    assert b"Adlershof" not in checked.content and b"xmpmeta" not in checked.content
    assert decoded(checked.content).text == {}


def test_a_colour_profile_is_applied_to_the_pixels_not_carried_over():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", icc_profile=profile)

    image = decoded(check(upload("photo.jpg", buffer.getvalue())).content)

    assert "icc_profile" not in image.info
    assert all(abs(a - b) <= 4 for a, b in zip(image.getpixel((5, 5)), (200, 30, 30), strict=True))


@pytest.mark.parametrize("lossless", [True, False])
def test_a_webp_stays_a_webp_without_its_metadata(lossless):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8825).update(BERLIN)
    Image.new("RGB", (80, 60), "red").save(buffer, "WEBP", exif=exif, lossless=lossless)

    checked = check(upload("photo.webp", buffer.getvalue() + HTML))

    image = decoded(checked.content)
    assert (image.format, image.size) == ("WEBP", (80, 60))
    assert b"EXIF" not in checked.content and b"<html" not in checked.content
    assert (b"VP8L" in checked.content) is lossless


def test_an_animated_png_keeps_its_first_frame():
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (40, 40), color) for color in ("red", "blue")]
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])

    image = decoded(check(upload("blink.png", buffer.getvalue())).content)

    assert getattr(image, "n_frames", 1) == 1
    assert image.getpixel((1, 1)) == (255, 0, 0)


def test_an_image_too_large_to_decode_safely_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    assert refusal(upload("bomb.png", png(size=(100, 100)))) == [
        "“bomb.png” is not a readable image."
    ]


def test_a_pdf_is_stored_as_uploaded():
    checked = check(upload("plan.pdf", clean_pdf()))

    assert checked.content is None


# --- PDFs that could do more than show pages (issue #17) ----------------------------------

ACTIVE = (
    "“{}” contains JavaScript or actions that open other programs; PDFs with such content "
    "cannot be uploaded. Please export it again without them (e.g. “Print to PDF”)."
)
EMBEDDED = (
    "“{}” contains embedded files (attachments inside the PDF), which cannot be uploaded. "
    "Please export it again without them (e.g. “Print to PDF”) and upload each file on its own."
)
TRAILING = (
    "“{}” has data after the end of the PDF, which a PDF does not have. Please export it again "
    "(e.g. “Print to PDF”) and upload the new file."
)
UNCHECKED = (
    "“{}” could not be checked: parts of it are compressed or protected in a way that cannot "
    "be read here. Please export it again without protection (e.g. “Print to PDF”)."
)


@pytest.mark.parametrize(
    "content",
    [
        clean_pdf(),
        PDF,
        incremental_update(clean_pdf()),
        clean_pdf() + b"\r\n",
        clean_pdf() + b"\0" * 1000,
        object_stream_pdf(b"<< /Type /Catalog /Pages 3 0 R /OpenAction [3 0 R /Fit] >>"),
        object_stream_pdf(b"<< /Type /Catalog /Pages 3 0 R >>", filters=b""),
    ],
    ids=["fpdf2", "minimal", "incremental", "newline", "padding", "objstm", "objstm-plain"],
)
def test_a_pdf_that_only_shows_pages_is_accepted(content):
    assert check(upload("plan.pdf", content)).content_type == "application/pdf"


@pytest.mark.parametrize(
    "entries",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/AA << /O << /S /JavaScript /JS (this.exportDataObject()) >> >>",
        b"/OpenAction << /JS (app.alert(1)) >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (calc.exe) >> >>",
        b"/Names << /JavaScript << /Names [(a) 9 0 R] >> >>",
        # Hex escapes in names: /J#61vaScript is /JavaScript to every PDF reader.
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"/OpenAction << /S /#4C#61#75#6E#63#68 /F (calc.exe) >>",
        b"/Extensions << /RichMedia 1 >>",
    ],
    ids=["openaction-js", "aa-js", "js-only", "launch", "names-js", "hex-js", "hex-launch", "rm"],
)
def test_a_pdf_with_javascript_or_launch_actions_is_refused(entries):
    assert refusal(upload("plan.pdf", with_catalog(entries))) == [ACTIVE.format("plan.pdf")]


def test_a_pdf_with_embedded_files_is_refused():
    content = with_catalog(b"/Names << /EmbeddedFiles << /Names [(x.exe) 9 0 R] >> >>")

    assert refusal(upload("plan.pdf", content)) == [EMBEDDED.format("plan.pdf")]


def test_an_xfa_form_is_refused():
    content = with_catalog(b"/AcroForm << /Fields [] /XFA 9 0 R >>")

    assert refusal(upload("form.pdf", content)) == [
        "“form.pdf” is an XFA form, which most PDF viewers cannot show and which may run "
        "scripts. Please export it again as an ordinary PDF (e.g. “Print to PDF”)."
    ]


def test_javascript_inside_a_compressed_object_stream_is_found():
    content = object_stream_pdf(
        b"<< /Type /Catalog /Pages 3 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    )
    assert b"JavaScript" not in content  # invisible without inflating

    assert refusal(upload("plan.pdf", content)) == [ACTIVE.format("plan.pdf")]


def test_javascript_hidden_in_what_looks_like_stream_data_is_found():
    hidden = (
        b"9 0 obj\n<< /Length 500 >>\nstream\n"
        b"10 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\nendstream\nendobj\n"
    )
    content = clean_pdf().replace(b"xref\n", hidden + b"xref\n", 1)

    assert refusal(upload("plan.pdf", content)) == [ACTIVE.format("plan.pdf")]


@pytest.mark.parametrize(
    "filters",
    [
        b"/Filter /LZWDecode",
        b"/Filter [/FlateDecode] /DecodeParms << /Predictor 12 >>",
        b"/Filter 7 0 R",
    ],
    ids=["lzw", "predictor", "indirect"],
)
def test_an_object_stream_that_cannot_be_read_is_refused(filters):
    content = object_stream_pdf(b"<< /Type /Catalog /Pages 3 0 R >>", filters=filters)

    assert refusal(upload("plan.pdf", content)) == [UNCHECKED.format("plan.pdf")]


def test_an_encrypted_object_stream_cannot_be_checked():
    content = object_stream_pdf(b"<< /Type /Catalog >>").replace(b"x\x9c", b"\x13\x37", 1)

    assert refusal(upload("plan.pdf", content)) == [UNCHECKED.format("plan.pdf")]


def test_object_streams_are_inflated_only_up_to_a_limit(monkeypatch):
    from submissions import uploads

    monkeypatch.setattr(uploads, "PDF_INFLATE_LIMIT", 1000)
    content = object_stream_pdf(b"<< /Type /Catalog /Pad (" + b" " * 5000 + b") >>")

    assert refusal(upload("plan.pdf", content)) == [UNCHECKED.format("plan.pdf")]


@pytest.mark.parametrize(
    "tail",
    [HTML, b"\n" + HTML + b"\n", b"\n" * 2000, b"\0" * 600 + b"x"],
    ids=["html", "html-in-lines", "too-much-padding", "byte-after-padding"],
)
def test_a_pdf_with_data_after_its_end_is_refused(tail):
    assert refusal(upload("plan.pdf", clean_pdf() + tail)) == [TRAILING.format("plan.pdf")]


def test_only_what_follows_the_last_end_marker_counts():
    # An editor's incremental update adds a second %%EOF; what follows the first is the
    # update, not stray data.
    updated = incremental_update(clean_pdf())

    assert refusal(upload("plan.pdf", updated + HTML)) == [TRAILING.format("plan.pdf")]
    assert check(upload("plan.pdf", updated)).content_type == "application/pdf"
