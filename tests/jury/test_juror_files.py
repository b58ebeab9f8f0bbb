"""An entry's files as a juror gets them: images inline and documents as downloads with
protective headers, thumbnails, PDF pages read inline, and who may get them."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from submissions import services
from submissions.enums import PreviewStatus
from submissions.models import Attachment
from tests.helpers import body, login, login_url, text
from tests.jury.juror_helpers import (
    ENTRY_PAGE_STATUS,
    add_document,
    add_image,
    assign,
    people,
    slot,
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
# Their page images are rendered after the upload by a task (tests/submissions/
# test_previews.py); the review page only reads how far that is from the attachment.


def _pdf_attachment(submission, pages: int = 3, data: bytes | None = None) -> Attachment:
    """A stored PDF whose pages were rendered, as the task leaves it."""
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
        preview_status=PreviewStatus.PENDING,
    )
    attachment.file.save("tests.pdf", ContentFile(data), save=False)
    attachment.save()
    services.attachment_previews_render(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    return attachment


def _page(name: str, jury, document, number: int) -> str:
    return url(name, jury, pk=document.pk, page=number)


def _image_width(response) -> int:
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).width


@pytest.fixture
def no_rendering(monkeypatch):
    """Fail the test if a request asks pdfium to open a PDF."""

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was rendered in the request")

    monkeypatch.setattr("pypdfium2.PdfDocument", refuse)


def test_the_assigned_juror_reads_a_pdf_inline_page_by_page(client, jury, request):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=3)
    request.getfixturevalue("no_rendering")  # from here on, nothing may render
    client.force_login(juror.user)

    response, documents = _review_page_documents(client, jury, assignment)

    shown = documents[document.pk]
    assert (shown.preview_status, shown.preview_pages, shown.page_count) == ("ready", 3, 3)
    assert list(shown.page_numbers) == [1, 2, 3]
    html = response.content.decode()
    assert 'data-testid="document-preview"' in html
    assert "Read it here (3 pages)" in html
    for number in (1, 2, 3):
        assert _page("document_page", jury, document, number) in html
    assert _page("document_page", jury, document, 4) not in html


def test_each_page_is_served_to_read_and_larger_to_zoom(client, jury):
    juror = jury.jurors[0]
    assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=3)
    client.force_login(juror.user)

    read = client.get(_page("document_page", jury, document, 2))
    zoom = client.get(_page("document_page_large", jury, document, 2))

    for response in (read, zoom):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    assert _image_width(read) == 1100
    assert _image_width(zoom) == 2000
    assert _page("document_page_large", jury, document, 2).endswith("/pages/2/large/")


@pytest.mark.parametrize("name", ["document_page", "document_page_large"])
@pytest.mark.parametrize("number", [0, 4, 99])
def test_a_page_that_was_not_rendered_is_404(client, jury, name, number):
    juror = jury.jurors[0]
    assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=3)
    client.force_login(juror.user)

    assert client.get(_page(name, jury, document, number)).status_code == 404


@pytest.mark.parametrize("name", ["document_page", "document_page_large"])
@pytest.mark.parametrize("role", [*ENTRY_PAGE_STATUS, "anonymous"])
def test_document_pages_by_role(client, matrix, name, role):
    """Only the assigned juror gets the pages: not another juror, not the juror in conflict
    (though assigned), not the applicant, the organiser or another award's juror (404)."""
    document = _pdf_attachment(matrix.submissions[0], pages=1)
    page = _page(name, matrix, document, 1)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == ENTRY_PAGE_STATUS[role]
    if response.status_code == 200:
        response.close()


def _review_page_documents(client, jury, assignment):
    response = client.get(url("review", jury, pk=assignment.pk))
    assert response.status_code == 200
    documents = [
        document
        for section in response.context["sections"]
        for item in section.items
        for document in item.documents
    ]
    return response, {d.pk: d for d in documents}


def test_a_document_being_prepared_shows_no_pages_yet(client, jury, no_rendering):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = add_document(jury.submissions[0])
    Attachment.objects.filter(pk=document.pk).update(preview_status=PreviewStatus.PENDING)
    client.force_login(juror.user)

    response, documents = _review_page_documents(client, jury, assignment)

    shown = documents[document.pk]
    assert (shown.preview_status, shown.preview_pages, list(shown.page_numbers)) == (
        "pending",
        0,
        [],
    )
    assert f"/files/{document.pk}/pages/" not in response.content.decode()
    assert client.get(_page("document_page", jury, document, 1)).status_code == 404


def test_a_pdf_that_cannot_be_rendered_is_still_offered_for_download(client, jury):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], data=b"%PDF-1.4\nnot really a pdf\n%%EOF")
    client.force_login(juror.user)

    response, documents = _review_page_documents(client, jury, assignment)

    assert document.preview_status == PreviewStatus.FAILED
    assert documents[document.pk].preview_status == "failed"
    html = response.content.decode()
    assert f"/files/{document.pk}/pages/" not in html
    assert url("attachment", jury, pk=document.pk) in html
    assert client.get(url("attachment", jury, pk=document.pk)).status_code == 200


def _ready_documents(submission, count: int, pages: int) -> list[Attachment]:
    """Documents whose pages are rendered (as the rows say: the review page reads no more)."""
    return [
        Attachment.objects.create(
            submission=submission,
            question=slot(submission, "documents"),
            kind="document",
            file=ContentFile(b"%PDF-1.4 dossier", name="dossier.pdf"),
            original_name=f"Dossier {n}.pdf",
            content_type="application/pdf",
            size=16,
            sha256=f"{n:064d}",
            preview_status=PreviewStatus.READY,
            preview_pages=pages,
            page_count=pages,
        )
        for n in range(count)
    ]


def test_the_review_page_runs_the_same_queries_for_one_document_or_three_of_20_pages(
    client, jury, no_rendering, django_assert_num_queries, monkeypatch
):
    """And touches no storage: whether pages exist comes from the rows."""
    juror = jury.jurors[0]
    one = assign(jury, juror, jury.submissions[0])
    three = assign(jury, juror, jury.submissions[1])
    _ready_documents(jury.submissions[0], 1, pages=20)
    _ready_documents(jury.submissions[1], 3, pages=20)
    client.force_login(juror.user)
    client.get(url("review", jury, pk=one.pk))  # the session and caches settle
    with CaptureQueriesContext(connection) as first:
        response, documents = _review_page_documents(client, jury, one)
    assert [list(d.page_numbers) for d in documents.values()] == [list(range(1, 21))]

    def no_storage(*args, **kwargs):
        raise AssertionError("the review page asked the storage")

    for method in ("exists", "open", "listdir", "size"):
        monkeypatch.setattr(FileSystemStorage, method, no_storage)
    with django_assert_num_queries(len(first.captured_queries)):
        response, documents = _review_page_documents(client, jury, three)

    assert [d.page_count for d in documents.values()] == [20, 20, 20]
    html = response.content.decode()
    for document in documents.values():
        assert _page("document_page", jury, document, 20) in html
