"""What is stored of an upload (issue #17): a security probe uploaded a PNG carrying an HTML
page after its end and photos with their GPS position; both reached organisers and jurors
unchanged. Uploaded through the page's script as an applicant does, then read back from the
storage and downloaded by the organiser: images are stored encoded again (nothing after the
picture, no metadata, turned upright), PDFs that could run scripts, open programs, carry
files or hide data after their end are refused and nothing is stored."""

import hashlib
import pathlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards.models import AuditEntry
from submissions.models import Attachment
from submissions.uploads import sniff
from tests.helpers import body, login
from tests.submissions.upload_samples import (
    HTML,
    clean_pdf,
    decoded,
    incremental_update,
    object_stream_pdf,
    photo,
    png,
    with_catalog,
)

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def send(client, entry, name: str, content: bytes):
    """What upload.js sends: one file, answered with JSON."""
    return client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry.pk}),
        {"files": SimpleUploadedFile(name, content, "application/octet-stream")},
        headers=JSON,
    )


def stored(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.file.name, "rb") as file:
        return file.read()


def stored_files() -> set[str]:
    root = pathlib.Path(default_storage.path(""))
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


@pytest.fixture
def member(client, people):
    login(client, people["member"])
    return client


def test_a_polyglot_png_is_stored_without_the_html_and_downloaded_so(member, client, people, entry):
    content = png((640, 480)) + HTML

    response = send(member, entry, "poster.png", content)

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    data = stored(attachment)
    assert b"<html" not in data and b"<script" not in data
    assert sniff(data) == "image/png" == attachment.content_type
    assert decoded(data).size == (640, 480)
    # The row describes the stored file: the page shows its size, the export its hash.
    assert attachment.size == len(data) == response.json()["attachment"]["size"]
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert AuditEntry.objects.get(action="attachment.added").data["size"] == len(data)
    login(client, people["organiser"])
    download = client.get(reverse("submissions:attachment", kwargs={"pk": attachment.pk}))
    assert body(download) == data


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "prototype.jpg"), ("PNG", "prototype.png")])
def test_a_photo_is_stored_upright_without_gps_or_camera_data(member, entry, fmt, name):
    response = send(member, entry, name, photo(fmt, size=(1200, 900)))

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    data = stored(attachment)
    image = decoded(data)
    assert (image.format, image.size) == (fmt, (900, 1200))
    assert dict(image.getexif()) == {}
    for trace in (b"Exif", b"GPS", b"Camera maker", b"taken at the lab"):
        assert trace not in data
    # The thumbnail is made of the stored image: upright as well.
    thumb = decoded(default_storage.open(attachment.thumbnail.name).read())
    assert thumb.size == (360, 480)


PDF_REFUSALS = [
    (
        "javascript",
        with_catalog(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "contains JavaScript or actions that open other programs",
    ),
    (
        "launch",
        with_catalog(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        "contains JavaScript or actions that open other programs",
    ),
    (
        "hex-escaped",
        with_catalog(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
        "contains JavaScript or actions that open other programs",
    ),
    (
        "object stream",
        object_stream_pdf(b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (x) >> >>"),
        "contains JavaScript or actions that open other programs",
    ),
    (
        "embedded file",
        with_catalog(b"/Names << /EmbeddedFiles << /Names [(a.exe) 9 0 R] >> >>"),
        "contains embedded files",
    ),
    ("trailing html", clean_pdf() + HTML, "has data after the end of the PDF"),
]


@pytest.mark.parametrize(
    ("case", "content", "reason"), PDF_REFUSALS, ids=[case[0] for case in PDF_REFUSALS]
)
def test_a_pdf_that_could_do_more_than_show_pages_is_refused_and_nothing_stored(
    member, entry, case, content, reason
):
    response = send(member, entry, "Konzept.pdf", content)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"“Konzept.pdf” {reason}")
    assert response.json()["name"] == "Konzept.pdf"
    assert not Attachment.objects.exists()
    assert stored_files() == set()


@pytest.mark.parametrize(
    "content",
    [clean_pdf(), incremental_update(clean_pdf()), clean_pdf() + b"\r\n\0\0"],
    ids=["clean", "incremental-update", "padding"],
)
def test_an_ordinary_pdf_is_stored_byte_for_byte(member, entry, content):
    response = send(member, entry, "Konzept.pdf", content)

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert stored(attachment) == content
    assert (attachment.size, attachment.sha256) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert attachment.preview_status == "pending"


def test_the_page_images_are_rendered_from_the_stored_pdf(member, entry):
    from submissions import services

    send(member, entry, "Konzept.pdf", incremental_update(clean_pdf()))
    attachment = Attachment.objects.get()

    services.attachment_previews_render(attachment_id=attachment.pk)

    attachment.refresh_from_db()
    assert (attachment.preview_status, attachment.preview_pages) == ("ready", 1)


def test_the_slot_limit_judges_the_file_as_uploaded(member, entry):
    slot = entry.award.questions.get(key="images")
    slot.max_file_mb = 1
    slot.save()
    # Over 1 MB as sent (the HTML padding), far below once the picture is encoded again.
    content = png() + HTML * 30000

    response = send(member, entry, "poster.png", content)

    assert response.status_code == 400
    assert "takes files of at most 1 MB" in response.json()["error"]
    assert stored_files() == set()
