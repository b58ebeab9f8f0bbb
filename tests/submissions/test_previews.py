"""The page images of PDF documents: rendered after the upload by a task (never in a
request), in two sizes, recorded on the attachment; safe to run twice; a damaged PDF fails
without harm; a storage failure is tried again; the sweep catches what a lost task missed;
deleting the document removes its pages. (The jurors' side: tests/jury/test_juror_files.py.)"""

import datetime as dt
import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from submissions import previews, services
from submissions.enums import PreviewStatus
from submissions.models import Attachment
from submissions.services import previews as preview_services
from submissions.tasks import previews_sweep, render_previews
from tests.factories import AwardFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

DAMAGED = b"%PDF-1.4\nnot really a pdf\n%%EOF\n"


def pdf_bytes(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=24)
        pdf.cell(text=f"Page {number + 1}: load tests of the flax frame")
    return bytes(pdf.output())


@pytest.fixture
def submission():
    return SubmissionFactory(award=AwardFactory(status="open", max_attachments=3))


def upload(submission, data: bytes, name="dossier.pdf", content_type="application/pdf"):
    return services.attachment_add(
        submission=submission,
        actor=submission.created_by,
        upload=SimpleUploadedFile(name, data, content_type),
    )


def pending_pdf(submission, data: bytes, *, sha="b" * 64, **fields) -> Attachment:
    """A stored PDF waiting for its pages (as attachment_add leaves it), without the task."""
    attachment = Attachment(
        submission=submission,
        kind="document",
        original_name="dossier.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=sha,
        preview_status=PreviewStatus.PENDING,
        **fields,
    )
    attachment.file.save("dossier.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def render(attachment) -> PreviewStatus:
    return services.attachment_previews_render(attachment_id=attachment.pk)


def stored(attachment) -> list[str]:
    try:
        return sorted(default_storage.listdir(previews.folder(attachment))[1])
    except FileNotFoundError:
        return []


def width_of(attachment, number: int, size: str) -> int:
    with default_storage.open(previews.page_name(attachment, number, size), "rb") as handle:
        return Image.open(io.BytesIO(handle.read())).width


@pytest.fixture
def no_rendering(monkeypatch):
    """Fail the test if pdfium is asked to open a PDF."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered a PDF")

    monkeypatch.setattr("pypdfium2.PdfDocument", refuse)


# --- Rendering -----------------------------------------------------------------------------


def test_every_page_is_rendered_in_both_sizes_and_counted(submission):
    document = pending_pdf(submission, pdf_bytes(3))

    assert render(document) == PreviewStatus.READY

    document.refresh_from_db()
    assert (document.preview_status, document.preview_pages, document.page_count) == (
        PreviewStatus.READY,
        3,
        3,
    )
    assert document.preview_attempts == 1
    assert stored(document) == [
        "1-zoom.jpg",
        "1.jpg",
        "2-zoom.jpg",
        "2.jpg",
        "3-zoom.jpg",
        "3.jpg",
        "pages.txt",
    ]
    assert width_of(document, 2, previews.READ) == previews.READ_WIDTH == 1100
    assert width_of(document, 2, previews.ZOOM) == previews.ZOOM_WIDTH == 2000


def test_a_long_document_is_rendered_up_to_the_limit_and_its_length_recorded(submission, settings):
    settings.LAUREL_PREVIEW_MAX_PAGES = 2
    document = pending_pdf(submission, pdf_bytes(5))

    render(document)

    document.refresh_from_db()
    assert (document.preview_pages, document.page_count) == (2, 5)
    assert [n for n in stored(document) if n.endswith(".jpg")] == [
        "1-zoom.jpg",
        "1.jpg",
        "2-zoom.jpg",
        "2.jpg",
    ]


def test_a_second_run_does_nothing(submission, monkeypatch):
    document = pending_pdf(submission, pdf_bytes(2))
    render(document)
    monkeypatch.setattr(previews, "Document", None)  # would fail if used

    assert render(document) == PreviewStatus.READY

    document.refresh_from_db()
    assert (document.preview_status, document.preview_attempts) == (PreviewStatus.READY, 1)


def test_a_run_that_loses_the_claim_to_another_does_nothing(submission, monkeypatch, no_rendering):
    """Two runs read the same pending row; the other one raises the attempts first."""
    document = pending_pdf(submission, pdf_bytes(1))
    real_filter = Attachment.objects.filter

    def filter_after_the_other_run_claimed(*args, **kwargs):
        if "preview_attempts" in kwargs:  # this run's claim, made a moment too late
            real_filter(pk=document.pk).update(preview_attempts=1)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Attachment.objects, "filter", filter_after_the_other_run_claimed)

    assert render(document) == PreviewStatus.PENDING

    document.refresh_from_db()
    assert (document.preview_status, document.preview_attempts) == (PreviewStatus.PENDING, 1)


@pytest.mark.parametrize("status", [PreviewStatus.NONE, PreviewStatus.FAILED])
def test_a_document_not_pending_is_left_alone(submission, status, no_rendering):
    document = pending_pdf(submission, pdf_bytes(1))
    Attachment.objects.filter(pk=document.pk).update(preview_status=status)

    assert render(document) == status
    assert stored(document) == []


def test_a_deleted_document_is_not_rendered(submission, no_rendering):
    document = pending_pdf(submission, pdf_bytes(1))
    pk = document.pk
    Attachment.objects.filter(pk=pk).delete()

    assert services.attachment_previews_render(attachment_id=pk) == PreviewStatus.NONE


@pytest.mark.parametrize(
    "data",
    [DAMAGED, b"", b"%PDF-1.7\n" + b"\x00" * 500, pdf_bytes(1)[:200]],
    ids=["not-a-pdf", "empty", "zeros", "truncated"],
)
def test_a_pdf_that_cannot_be_read_fails_and_is_logged(submission, data, caplog):
    document = pending_pdf(submission, data)

    with caplog.at_level(logging.WARNING, logger="submissions.services.previews"):
        assert render(document) == PreviewStatus.FAILED

    document.refresh_from_db()
    assert (document.preview_status, document.preview_pages, document.page_count) == (
        PreviewStatus.FAILED,
        0,
        0,
    )
    assert f"attachment {document.pk}: the PDF cannot be read" in caplog.text
    assert stored(document) == []
    assert render(document) == PreviewStatus.FAILED  # and it is not tried again


def test_a_page_that_fails_ends_the_render_with_the_pages_before_it(submission, monkeypatch):
    document = pending_pdf(submission, pdf_bytes(4))
    real_render = previews.Document.render

    def third_page_breaks(self, number):
        if number == 3:
            raise previews.Unreadable("page 3: broken")
        return real_render(self, number)

    monkeypatch.setattr(previews.Document, "render", third_page_breaks)

    assert render(document) == PreviewStatus.READY

    document.refresh_from_db()
    assert (document.preview_pages, document.page_count) == (2, 4)


def test_a_very_tall_page_is_not_rendered_at_full_width(submission):
    from fpdf import FPDF

    pdf = FPDF(format=(20, 2000))  # mm: a strip a hundred times as tall as wide
    pdf.add_page()
    document = pending_pdf(submission, bytes(pdf.output()))

    assert render(document) == PreviewStatus.READY

    with default_storage.open(previews.page_name(document, 1, previews.ZOOM), "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
    assert image.height <= previews.MAX_ASPECT * previews.ZOOM_WIDTH
    assert image.width < previews.ZOOM_WIDTH


# --- The storage away: tried again, never dropped ----------------------------------------


@pytest.fixture
def storage_down(monkeypatch):
    """The storage refuses to store page images until ``storage_down.up()``."""

    class Switch:
        down = True

        def up(self):
            self.down = False

    switch = Switch()
    real_save = FileSystemStorage.save

    def save(self, name, content, max_length=None):
        if switch.down and name.startswith("previews/"):
            raise OSError(28, "No space left on device")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", save)
    return switch


def test_a_storage_failure_keeps_the_document_pending_and_is_tried_again(submission, storage_down):
    document = pending_pdf(submission, pdf_bytes(2))

    with pytest.raises(previews.PagesNotStored):
        render(document)

    document.refresh_from_db()
    assert (document.preview_status, document.preview_attempts) == (PreviewStatus.PENDING, 1)
    storage_down.up()
    assert render(document) == PreviewStatus.READY
    document.refresh_from_db()
    assert (document.preview_pages, document.preview_attempts) == (2, 2)


def test_after_the_last_attempt_a_storage_failure_fails_the_document(
    submission, storage_down, caplog
):
    document = pending_pdf(submission, pdf_bytes(1))

    for _attempt in range(preview_services.MAX_ATTEMPTS - 1):
        with pytest.raises(previews.PagesNotStored):
            render(document)
    with caplog.at_level(logging.ERROR, logger="submissions.services.previews"):
        assert render(document) == PreviewStatus.FAILED

    document.refresh_from_db()
    assert document.preview_attempts == preview_services.MAX_ATTEMPTS
    assert "giving up" in caplog.text


def test_the_task_retries_a_storage_failure_and_leaves_the_rest_to_the_sweep(
    submission, storage_down
):
    document = pending_pdf(submission, pdf_bytes(1))

    result = render_previews.apply(args=(document.pk,))  # retries at once when run eagerly

    assert result.failed()
    document.refresh_from_db()
    assert document.preview_status == PreviewStatus.PENDING
    assert document.preview_attempts == 1 + render_previews.max_retries


# --- Pages stored by an earlier render ------------------------------------------------------


def test_pages_stored_in_both_sizes_by_an_earlier_render_are_adopted(submission, no_rendering):
    document = pending_pdf(submission, pdf_bytes(3))
    marker = previews.Marker(rendered=3, total=3, sizes=frozenset(previews.SIZES))
    default_storage.save(previews.marker_name(document), ContentFile(marker.text().encode()))

    assert render(document) == PreviewStatus.READY

    document.refresh_from_db()
    assert (document.preview_pages, document.page_count) == (3, 3)


@pytest.mark.parametrize(
    "marker",
    [b"3 3", b"2 3 read zoom", b"3 3 read", b"garbage"],
    ids=["first-renders-one-size", "fewer-pages", "one-size", "unreadable-marker"],
)
def test_an_earlier_render_without_both_sizes_or_every_page_is_rendered_again(submission, marker):
    document = pending_pdf(submission, pdf_bytes(3))
    default_storage.save(previews.marker_name(document), ContentFile(marker))
    default_storage.save(previews.page_name(document, 1), ContentFile(b"old page"))

    assert render(document) == PreviewStatus.READY

    assert width_of(document, 1, previews.READ) == 1100
    assert width_of(document, 1, previews.ZOOM) == 2000
    with default_storage.open(previews.marker_name(document), "rb") as handle:
        assert handle.read() == b"3 3 read zoom\n"
    # Replaced in place, not stored beside the old one under another name.
    assert len([n for n in stored(document) if n.startswith("1")]) == 2


# --- Upload and delete ----------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch) -> list:
    """The tasks sent to the broker, by name with their arguments (none is run)."""
    sent: list = []

    def enqueue(task, *args, **kwargs):
        sent.append((task.name, args))
        return True

    monkeypatch.setattr("core.queue.enqueue", enqueue)  # enqueue_on_commit's
    monkeypatch.setattr(preview_services, "enqueue", enqueue)  # the sweep's
    return sent


def test_an_uploaded_pdf_is_pending_and_its_render_enqueued_on_commit(
    submission, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = upload(submission, pdf_bytes(2))
    assert enqueued == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert enqueued == [("submissions.render_previews", (document.pk,))]
    document.refresh_from_db()
    assert (document.preview_status, document.preview_pages) == (PreviewStatus.PENDING, 0)
    render_previews(document.pk)  # what the worker does with it
    document.refresh_from_db()
    assert (document.preview_status, document.preview_pages) == (PreviewStatus.READY, 2)


def test_an_uploaded_image_has_no_pages_to_render(
    submission, enqueued, django_capture_on_commit_callbacks
):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")

    with django_capture_on_commit_callbacks(execute=True):
        image = upload(submission, buffer.getvalue(), "photo.png", "image/png")

    assert enqueued == []
    image.refresh_from_db()
    assert image.preview_status == PreviewStatus.NONE


def test_an_upload_that_fails_enqueues_nothing(
    submission, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        upload(submission, b"not a pdf at all", "dossier.pdf")

    assert enqueued == []


def test_deleting_a_document_removes_its_page_images(
    submission, django_capture_on_commit_callbacks
):
    document = upload(submission, pdf_bytes(2))
    render(document)
    assert len(stored(document)) == 5

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=document, actor=submission.created_by)

    assert stored(document) == []
    assert not default_storage.exists(previews.folder(document))


def test_a_render_that_finishes_after_the_delete_removes_its_pages(submission, monkeypatch):
    document = pending_pdf(submission, pdf_bytes(1))
    real = preview_services._render_and_store

    def delete_meanwhile(storage, attachment, data, limit):
        result = real(storage, attachment, data, limit)
        Attachment.objects.filter(pk=attachment.pk).delete()
        return result

    monkeypatch.setattr(preview_services, "_render_and_store", delete_meanwhile)

    assert render(document) == PreviewStatus.NONE
    assert stored(document) == []


# --- The sweep ------------------------------------------------------------------------------


def uploaded_ago(attachment, **delta) -> None:
    Attachment.objects.filter(pk=attachment.pk).update(
        created_at=timezone.now() - dt.timedelta(**delta)
    )


def test_the_sweep_sends_what_a_lost_task_left_pending(submission, enqueued):
    lost = pending_pdf(submission, pdf_bytes(1))
    uploaded_ago(lost, minutes=2)
    fresh = pending_pdf(submission, pdf_bytes(1), sha="c" * 64)  # its task may still come
    ready = pending_pdf(submission, pdf_bytes(1), sha="d" * 64)
    render(ready)
    uploaded_ago(ready, minutes=2)

    assert previews_sweep() == 1

    assert enqueued == [("submissions.render_previews", (lost.pk,))]
    assert fresh.pk not in [args[0] for _name, args in enqueued]


def test_the_sweep_waits_longer_before_each_further_attempt(submission, enqueued):
    document = pending_pdf(submission, pdf_bytes(1), preview_attempts=2)
    uploaded_ago(document, minutes=10)

    assert previews_sweep() == 0
    uploaded_ago(document, minutes=31)
    assert previews_sweep() == 1


def test_the_sweep_fails_a_document_that_used_all_its_attempts(submission, enqueued, caplog):
    """A worker killed on a hostile PDF each time leaves it pending with its attempts used."""
    document = pending_pdf(submission, pdf_bytes(1), preview_attempts=preview_services.MAX_ATTEMPTS)
    uploaded_ago(document, days=1)

    with caplog.at_level(logging.ERROR, logger="submissions.services.previews"):
        assert previews_sweep() == 0

    document.refresh_from_db()
    assert document.preview_status == PreviewStatus.FAILED
    assert enqueued == []
    assert f"attachment {document.pk}: no page images" in caplog.text


def test_a_broker_that_is_down_does_not_stop_the_sweep(submission, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(render_previews, "apply_async", broker_down)
    document = pending_pdf(submission, pdf_bytes(1))
    uploaded_ago(document, minutes=2)

    assert previews_sweep() == 1  # logged by core.queue; the next sweep sends it again

    document.refresh_from_db()
    assert document.preview_status == PreviewStatus.PENDING


def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "submissions.previews_sweep" in tasks


# --- The demo ---------------------------------------------------------------------------------


def test_the_jury_demo_leaves_its_documents_ready_to_read(settings):
    settings.DEBUG = True

    call_command("seed_jury_demo", stdout=io.StringIO())

    documents = Attachment.objects.filter(
        submission__award__slug="lightweight-innovation-award-jury-demo",
        content_type="application/pdf",
    )
    assert documents.exists()
    assert set(documents.values_list("preview_status", "preview_pages", "page_count")) == {
        (PreviewStatus.READY, 2, 2)
    }


# --- A real worker ----------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_renders_an_uploaded_pdf(start_worker, settings):
    """Upload → on commit the task goes to the broker → a worker process renders the pages
    into the same storage → the row is ready, and the pages are there to serve."""
    import time

    media = settings.STORAGES["default"]["OPTIONS"]["location"]
    start_worker(
        broker_url=settings.CELERY_BROKER_URL, var_dir=settings.VAR_DIR, DJANGO_MEDIA_ROOT=media
    )
    submission = SubmissionFactory(award=AwardFactory(status="open"))

    document = upload(submission, pdf_bytes(2))  # commits at once (transactional test)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.preview_status != PreviewStatus.PENDING:
            break
        time.sleep(0.2)
    assert (document.preview_status, document.preview_pages, document.page_count) == (
        PreviewStatus.READY,
        2,
        2,
    )
    assert width_of(document, 2, previews.ZOOM) == 2000
