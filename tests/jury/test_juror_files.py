"""An entry's files as a juror gets them: images inline and documents as downloads with
protective headers, thumbnails, PDF pages read inline, and who may get them."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from submissions.models import Attachment
from tests.helpers import body, login, login_url, text
from tests.jury.juror_helpers import (
    ENTRY_PAGE_STATUS,
    add_document,
    add_image,
    assign,
    people,
    url,
    user_of,
)

pytestmark = pytest.mark.django_db

# --- Files ----------------------------------------------------------------------------------


def test_the_review_page_shows_images_inline_and_documents_as_downloads(client, jury, assigned):
    image, document = add_image(jury.submissions[0]), add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert f'<img src="{url("thumbnail", jury, pk=image.pk)}"' in page
    assert f'<a href="{url("attachment", jury, pk=document.pk)}"' in page
    assert "Plan.pdf" in page


def test_an_assigned_juror_downloads_a_file_with_protective_headers(client, jury, assigned):
    document = add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    response = client.get(url("attachment", jury, pk=document.pk))

    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 plan"
    assert response["Content-Disposition"] == 'attachment; filename="Plan.pdf"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_thumbnail_is_served_inline_and_a_document_has_none(client, jury, assigned):
    image, document = add_image(jury.submissions[0]), add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    response = client.get(url("thumbnail", jury, pk=image.pk))
    missing = client.get(url("thumbnail", jury, pk=document.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == jpeg_of(image)
    assert missing.status_code == 404


def jpeg_of(attachment) -> bytes:
    with attachment.thumbnail.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("name", ["attachment", "thumbnail"])
@pytest.mark.parametrize("role", [*ENTRY_PAGE_STATUS, "anonymous"])
def test_files_by_role(client, matrix, name, role):
    image = add_image(matrix.submissions[0])
    page = url(name, matrix, pk=image.pk)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == ENTRY_PAGE_STATUS[role]
    if response.status_code == 200:
        response.close()


# --- Documents read inline --------------------------------------------------------------


def _pdf_attachment(submission, pages: int = 3, data: bytes | None = None) -> Attachment:
    from fpdf import FPDF

    if data is None:
        pdf = FPDF()
        for number in range(pages):
            pdf.add_page()
            pdf.set_font("helvetica", size=24)
            pdf.cell(text=f"Page {number + 1}: load tests of the flax frame")
        data = bytes(pdf.output())
    attachment = Attachment(
        submission=submission,
        kind="document",
        original_name="tests.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="a" * 64,
    )
    attachment.file.save("tests.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def test_the_assigned_juror_reads_a_pdf_inline_page_by_page(client, jury):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=3)
    client.force_login(juror.user)
    slug = jury.award.slug

    page = client.get(reverse("jury:review", kwargs={"slug": slug, "pk": assignment.pk}))
    second = client.get(
        reverse("jury:document_page", kwargs={"slug": slug, "pk": document.pk, "page": 2})
    )
    fourth = client.get(
        reverse("jury:document_page", kwargs={"slug": slug, "pk": document.pk, "page": 4})
    )

    html = page.content.decode()
    assert 'data-testid="document-preview"' in html
    assert "Read it here (3 pages)" in html
    for number in (1, 2, 3):
        assert f"/files/{document.pk}/pages/{number}/" in html
    assert second.status_code == 200
    assert second["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(second.streaming_content)))
    assert image.width == 1100
    assert fourth.status_code == 404


def test_pages_of_a_document_are_not_served_to_a_juror_who_is_not_assigned(client, jury):
    assign(jury, jury.jurors[0], jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=1)
    client.force_login(jury.jurors[1].user)

    response = client.get(
        reverse(
            "jury:document_page",
            kwargs={"slug": jury.award.slug, "pk": document.pk, "page": 1},
        )
    )

    assert response.status_code == 404


def test_a_pdf_that_cannot_be_rendered_is_still_offered_for_download(client, jury):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], data=b"%PDF-1.4\nnot really a pdf\n%%EOF")
    client.force_login(juror.user)

    page = client.get(reverse("jury:review", kwargs={"slug": jury.award.slug, "pk": assignment.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="document-preview"' not in html
    assert reverse("jury:attachment", kwargs={"slug": jury.award.slug, "pk": document.pk}) in html
