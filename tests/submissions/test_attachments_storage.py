"""attachment_add / attachment_delete through Django's storage API, on local files and on an
S3-compatible server (moto in server mode)."""

import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from awards.models import AuditEntry
from submissions import services
from submissions.models import Attachment, Submission
from tests.factories import AwardFactory, SubmissionFactory, complete_entry_fields
from tests.submissions.helpers import answer_values

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(params=["local", "s3"])
def backend(request, settings):
    """The storage under test: the per-test local folder, or a private bucket on moto."""
    if request.param == "local":
        return None
    s3 = request.getfixturevalue("s3_server")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3["options"]},
    }
    return s3


@pytest.fixture
def submission():
    return SubmissionFactory(award=AwardFactory(status="open", max_attachments=2))


def add(submission, name, content, content_type="application/octet-stream"):
    return services.attachment_add(
        submission=submission,
        actor=submission.created_by,
        upload=SimpleUploadedFile(name, content, content_type),
    )


def stored_names(backend) -> set[str]:
    if backend is None:
        root = default_storage.path("")
        import pathlib

        return {
            str(path.relative_to(root)) for path in pathlib.Path(root).rglob("*") if path.is_file()
        }
    listing = backend["client"].list_objects_v2(Bucket=backend["bucket"])
    return {item["Key"] for item in listing.get("Contents", [])}


def read(backend, name: str) -> bytes:
    if backend is None:
        with default_storage.open(name, "rb") as file:
            return file.read()
    return backend["client"].get_object(Bucket=backend["bucket"], Key=name)["Body"].read()


def test_a_pdf_is_stored_under_a_generated_name_with_its_exact_bytes(backend, submission):
    attachment = add(submission, "../../Geheim & Konzept.pdf", PDF, "application/pdf")

    attachment.refresh_from_db()
    assert re.fullmatch(
        rf"submissions/{submission.award_id}/[0-9a-f]{{32}}\.pdf", attachment.file.name
    )
    assert "Konzept" not in attachment.file.name
    assert attachment.original_name == "Geheim & Konzept.pdf"
    assert (attachment.kind, attachment.content_type, attachment.size) == (
        "document",
        "application/pdf",
        len(PDF),
    )
    assert not attachment.thumbnail
    assert stored_names(backend) == {attachment.file.name}
    stored = read(backend, attachment.file.name)
    assert stored == PDF
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert attachment.uploaded_by == submission.created_by


def test_an_image_gets_a_jpeg_thumbnail_next_to_it(backend, submission):
    content = png_bytes((2000, 1000))

    attachment = add(submission, "Rahmen.png", content, "image/png")

    award_id = submission.award_id
    assert re.fullmatch(rf"submissions/{award_id}/[0-9a-f]{{32}}\.png", attachment.file.name)
    assert re.fullmatch(
        rf"submissions/{award_id}/thumbs/[0-9a-f]{{32}}\.jpg", attachment.thumbnail.name
    )
    assert stored_names(backend) == {attachment.file.name, attachment.thumbnail.name}
    # The stored image is the uploaded one encoded again (no metadata, nothing after it).
    stored = read(backend, attachment.file.name)
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert attachment.size == len(stored)
    again = Image.open(io.BytesIO(stored))
    assert (again.format, again.size) == ("PNG", (2000, 1000))
    thumb = Image.open(io.BytesIO(read(backend, attachment.thumbnail.name)))
    assert (thumb.format, thumb.size) == ("JPEG", (480, 240))


def test_two_uploads_of_the_same_name_get_different_stored_names(backend, submission):
    first = add(submission, "plan.pdf", PDF)
    second = add(submission, "plan.pdf", PDF)

    assert first.file.name != second.file.name
    assert stored_names(backend) == {first.file.name, second.file.name}


def test_the_objects_in_the_bucket_are_private(s3_server, settings, submission):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }

    attachment = add(submission, "photo.png", png_bytes(), "image/png")

    client, bucket = s3_server["client"], s3_server["bucket"]
    for name in (attachment.file.name, attachment.thumbnail.name):
        acl = client.get_object_acl(Bucket=bucket, Key=name)
        owner = acl["Owner"]["ID"]
        assert [
            (grant["Grantee"]["Type"], grant["Grantee"].get("ID"), grant["Permission"])
            for grant in acl["Grants"]
        ] == [("CanonicalUser", owner, "FULL_CONTROL")]


def test_the_bucket_keeps_the_checked_type_not_the_browsers(s3_server, settings, submission):
    # S3 serves an object with the type it was stored with: a PDF the browser called
    # text/html must not come back as a web page.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }

    document = add(submission, "plan.pdf", PDF, "text/html")
    image = add(submission, "photo.png", png_bytes(), "image/svg+xml")

    client, bucket = s3_server["client"], s3_server["bucket"]
    head = client.head_object
    assert head(Bucket=bucket, Key=document.file.name)["ContentType"] == "application/pdf"
    assert head(Bucket=bucket, Key=image.file.name)["ContentType"] == "image/png"
    assert head(Bucket=bucket, Key=image.thumbnail.name)["ContentType"] == "image/jpeg"


def test_a_file_too_many_is_refused_and_nothing_is_stored(backend, submission):
    kept = {add(submission, "a.pdf", PDF).file.name, add(submission, "b.pdf", PDF).file.name}

    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(submission, "c.pdf", PDF)

    assert error.value.messages == ["An entry can have at most 2 files; remove one first."]
    assert submission.attachments.count() == 2
    assert stored_names(backend) == kept


def test_a_refused_upload_leaves_no_row_and_no_object(backend, submission):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(submission, "logo.png", b"<svg><script>alert(1)</script></svg>", "image/png")

    assert error.value.code == "type"
    assert not Attachment.objects.exists()
    assert stored_names(backend) == set()


def test_adding_a_file_is_audit_logged(submission):
    attachment = add(submission, "plan.pdf", PDF)

    entry = AuditEntry.objects.get(action="attachment.added")
    assert (entry.award, entry.actor, entry.object_id) == (
        submission.award,
        submission.created_by,
        str(attachment.pk),
    )
    assert entry.data == {"submission": submission.pk, "name": "plan.pdf", "size": len(PDF)}


def test_deleting_removes_the_row_and_after_commit_the_stored_objects(
    backend, submission, django_capture_on_commit_callbacks
):
    image = add(submission, "photo.png", png_bytes(), "image/png")
    document = add(submission, "plan.pdf", PDF)
    names = {image.file.name, image.thumbnail.name}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.attachment_delete(attachment=image, actor=submission.created_by)
        # Until the transaction commits, the files stay: a rollback must not lose them.
        assert names <= stored_names(backend)

    assert len(callbacks) == 1
    assert list(submission.attachments.all()) == [document]
    assert stored_names(backend) == {document.file.name}
    entry = AuditEntry.objects.get(action="attachment.deleted")
    assert entry.data == {"submission": submission.pk, "name": "photo.png"}


@pytest.mark.parametrize("status", ["withdrawn", "eligible", "ineligible"])
def test_the_files_of_an_entry_that_is_neither_draft_nor_submitted_stay(status):
    submission = SubmissionFactory(status="draft")
    attachment = add(submission, "photo.png", png_bytes(), "image/png")
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    label = {"withdrawn": "Withdrawn", "eligible": "Eligible", "ineligible": "Not eligible"}

    for attempt in (
        lambda: add(submission, "plan.pdf", PDF),
        lambda: services.attachment_delete(attachment=attachment, actor=submission.created_by),
    ):
        with translation.override("en"), pytest.raises(services.SubmissionTransitionError) as error:
            attempt()
        assert error.value.messages == [f"An entry that is “{label[status]}” cannot be changed."]

    assert list(submission.attachments.all()) == [attachment]


def test_the_last_image_of_a_submitted_entry_cannot_be_deleted(
    django_capture_on_commit_callbacks,
):
    submission = SubmissionFactory()
    image = add(submission, "photo.png", png_bytes(), "image/png")
    submission = services.submission_update(
        submission=submission,
        actor=submission.created_by,
        expected_version=submission.version,
        answers=answer_values(submission.award),
        **complete_entry_fields(),
    )
    submission = services.submission_submit(
        submission=submission, actor=submission.created_by, expected_version=submission.version
    )
    document = add(submission, "plan.pdf", PDF)

    with translation.override("en"), pytest.raises(services.IncompleteSubmission) as error:
        services.attachment_delete(attachment=image, actor=submission.created_by)

    assert error.value.message_dict == {
        submission.award.questions.get(key="images").field_name: [
            "A submitted entry needs a file in “Images of the innovation”: add another one "
            "before removing this."
        ]
    }
    assert set(submission.attachments.all()) == {image, document}
    assert default_storage.exists(image.file.name)
    # A document can go, and so can the image once another one is there.
    replacement = add(submission, "better.png", png_bytes(), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=document, actor=submission.created_by)
        services.attachment_delete(attachment=image, actor=submission.created_by)
    assert list(submission.attachments.all()) == [replacement]
    assert not default_storage.exists(image.file.name)


def test_a_truncated_jpeg_is_refused_before_anything_is_stored(submission):
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(buffer, "JPEG", quality=90)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        add(submission, "cut.jpg", buffer.getvalue()[:20000], "image/jpeg")

    assert error.value.messages == ["“cut.jpg” is not a readable image."]
    assert not Attachment.objects.exists()
