"""An upload when the file storage fails (issue #11): a full disk in the middle of the file or
its thumbnail, a copy that ends short, an abort, a failure after the files were written.
Whatever happens, nothing is kept (no partial file, no row, no audit entry), the upload
script gets its JSON error with status 503 and the applicant's text is untouched.

The failures come from a storage class that writes part of the file and then raises as a full
disk does and, where the machine allows it (root may mount), from a real full tmpfs.
"""

import errno
import io
import os
import pathlib
import subprocess
import uuid

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from awards.models import AuditEntry
from submissions import services
from submissions.models import Attachment, Submission
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    complete_entry_fields,
)

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
KB = 1024
STORAGE_FULL = (
    "“{}” could not be stored: the file storage is full or unavailable. Nothing was saved; "
    "please try again later."
)
STORAGE_FULL_DE = (
    "„{}“ konnte nicht gespeichert werden: Der Dateispeicher ist voll oder nicht erreichbar. "
    "Die Datei wurde nicht hinzugefügt; bitte versuchen Sie es später noch einmal."
)


def pdf_bytes(size: int) -> bytes:
    """A PDF the content check accepts, padded to ``size`` bytes."""
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    tail = b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 1) + tail


def png_bytes(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


class FullDiskStorage(FileSystemStorage):
    """A local folder that fills up while writing a file whose name contains ``fail_on``:
    the first half reaches the disk, then the write fails with ENOSPC (or ``raises``)."""

    def __init__(self, *, fail_on: str = "", raises: str = "ENOSPC", **options) -> None:
        super().__init__(**options)
        self.fail_on = fail_on
        self.raises = raises

    def _save(self, name, content):
        if self.fail_on not in name:
            return super()._save(name, content)
        path = pathlib.Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"".join(content.chunks())
        path.write_bytes(data[: len(data) // 2])
        if self.raises == "SystemExit":
            raise SystemExit(1)  # a gunicorn worker's timeout ends the request like this
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class ShortWriteStorage(FileSystemStorage):
    """A local folder whose copies end short without an error, as an unchecked write to a
    full disk does: the file is there, but incomplete."""

    def _save(self, name, content):
        path = pathlib.Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(content.chunks())[:-100])
        return name


def storing_with(backend: type, media: pathlib.Path, **options):
    path = f"{backend.__module__}.{backend.__qualname__}"
    return override_settings(
        STORAGES={
            "default": {"BACKEND": path, "OPTIONS": {"location": str(media), **options}},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


def files_in(folder: pathlib.Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def media(tmp_path) -> pathlib.Path:
    return tmp_path / "failing-media"


@pytest.fixture
def member():
    return UserFactory(preferred_language="en")


@pytest.fixture
def entry(member):
    award = AwardFactory(status="open", max_attachments=10)
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=member, role="owner")
    return SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=member,
        **complete_entry_fields(),
    )


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def send(client, entry, name, content, **headers):
    return client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry.pk}),
        {"files": SimpleUploadedFile(name, content, "application/octet-stream")},
        headers={**JSON, **headers},
    )


def entry_state(entry) -> dict:
    """What the applicant typed and where the entry stands, to compare before and after."""
    return model_to_dict(Submission.objects.get(pk=entry.pk))


def assert_nothing_kept(
    entry, media: pathlib.Path, *, besides: frozenset[str] = frozenset()
) -> None:
    assert (files_in(media) if media.exists() else set()) == besides
    assert not Attachment.objects.filter(submission=entry).exists()
    assert not AuditEntry.objects.filter(action="attachment.added").exists()


# --- A storage that fills up in the middle of a write ------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("Konzept.pdf", pdf_bytes(300 * KB)), ("Rahmen.png", png_bytes())],
    ids=["pdf", "image"],
)
def test_a_full_disk_in_the_middle_of_the_file_keeps_nothing(
    member_client, entry, media, name, content
):
    before = entry_state(entry)

    with storing_with(FullDiskStorage, media, fail_on="submissions/"):
        response = send(member_client, entry, name, content)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "60"
    assert response.json() == {"error": STORAGE_FULL.format(name), "name": name, "code": "storage"}
    assert_nothing_kept(entry, media)
    assert entry_state(entry) == before


def test_a_full_disk_while_writing_the_thumbnail_removes_the_original_too(
    member_client, entry, media
):
    before = entry_state(entry)

    with storing_with(FullDiskStorage, media, fail_on="/thumbs/"):
        response = send(member_client, entry, "Rahmen.png", png_bytes((1600, 1200)))

    assert response.status_code == 503
    assert response.json()["error"] == STORAGE_FULL.format("Rahmen.png")
    # The original was written completely before the thumbnail failed: it is gone as well.
    assert_nothing_kept(entry, media)
    assert entry_state(entry) == before


def test_a_copy_that_ends_short_without_an_error_is_not_kept(member_client, entry, media):
    with storing_with(ShortWriteStorage, media):
        response = send(member_client, entry, "Konzept.pdf", pdf_bytes(200 * KB))

    assert response.status_code == 503
    assert_nothing_kept(entry, media)


def test_the_message_is_in_the_applicants_language(client, entry, media):
    german = UserFactory(preferred_language="de")
    MembershipFactory(organisation=entry.organisation, user=german)
    client.force_login(german)

    with storing_with(FullDiskStorage, media, fail_on="submissions/"):
        response = send(client, entry, "Konzept.pdf", pdf_bytes(50 * KB))

    assert response.status_code == 503
    assert response.json()["error"] == STORAGE_FULL_DE.format("Konzept.pdf")


def test_the_entry_takes_the_file_once_the_storage_has_room_again(member_client, entry, media):
    with storing_with(FullDiskStorage, media, fail_on="submissions/"):
        assert send(member_client, entry, "Konzept.pdf", pdf_bytes(50 * KB)).status_code == 503

    response = send(member_client, entry, "Konzept.pdf", pdf_bytes(50 * KB))

    assert response.status_code == 201
    attachment = Attachment.objects.get(submission=entry)
    assert default_storage.size(attachment.file.name) == 50 * KB


def test_a_plain_form_post_shows_the_message_and_keeps_nothing(member_client, entry, media):
    url = reverse("submissions:attachment_upload", kwargs={"pk": entry.pk})
    before = entry_state(entry)

    with storing_with(FullDiskStorage, media, fail_on="submissions/"):
        response = member_client.post(
            url,
            {"files": SimpleUploadedFile("Konzept.pdf", pdf_bytes(50 * KB))},
            follow=True,
        )

    assert response.redirect_chain == [(f"/submissions/{entry.pk}/edit/#attachments", 302)]
    assert [str(m) for m in response.context["messages"]] == [STORAGE_FULL.format("Konzept.pdf")]
    assert_nothing_kept(entry, media)
    assert entry_state(entry) == before


def test_an_abort_in_the_middle_of_the_write_removes_the_partial_file(entry, media):
    upload = SimpleUploadedFile("Konzept.pdf", pdf_bytes(100 * KB))

    failing = storing_with(FullDiskStorage, media, fail_on="submissions/", raises="SystemExit")
    with failing, pytest.raises(SystemExit):
        services.attachment_add(submission=entry, actor=entry.created_by, upload=upload)

    assert_nothing_kept(entry, media)


def test_a_failure_after_the_files_were_written_removes_them(entry, media, monkeypatch):
    from submissions.services import attachments

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(attachments, "audit_log", audit_fails)
    upload = SimpleUploadedFile("Rahmen.png", png_bytes())

    with storing_with(FileSystemStorage, media), pytest.raises(RuntimeError):
        services.attachment_add(submission=entry, actor=entry.created_by, upload=upload)

    assert_nothing_kept(entry, media)


# --- A real full disk: a tmpfs of 2 MB as the storage (root only) ---------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """A 2 MB tmpfs mounted at a fresh folder; skipped where mounting is not permitted."""
    folder = tmp_path / "tmpfs"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'mount failed'}")
    yield folder
    if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: pathlib.Path, *, leave: int = 0) -> pathlib.Path:
    """Write a filler file until only about ``leave`` bytes are free (0: completely full)."""
    filler = folder / f"filler-{uuid.uuid4().hex[:8]}.bin"

    def free() -> int:
        stats = os.statvfs(folder)
        return stats.f_bavail * stats.f_frsize

    with filler.open("wb", buffering=0) as handle:  # unbuffered: nothing left to flush
        try:
            while free() > leave:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


@pytest.mark.parametrize(
    "size",
    [700 * KB, 3 * 1024 * KB],
    # Up to 2.5 MB an upload is kept in memory and streamed into the storage; above, it
    # arrives in a temporary file, which the storage copies (another file system).
    ids=["in-memory-upload", "temporary-file-upload"],
)
def test_a_real_full_disk_keeps_nothing_of_an_upload_larger_than_the_free_space(
    member_client, entry, tmpfs, size
):
    filler = fill(tmpfs, leave=300 * KB)
    before = entry_state(entry)

    with storing_with(FileSystemStorage, tmpfs):
        response = send(member_client, entry, "Konzept.pdf", pdf_bytes(size))

    assert response.status_code == 503
    assert response.json()["error"] == STORAGE_FULL.format("Konzept.pdf")
    assert_nothing_kept(entry, tmpfs, besides=frozenset({filler.name}))
    assert entry_state(entry) == before


def test_healthz_reports_the_free_space_of_a_real_disk(client, tmpfs):
    with storing_with(FileSystemStorage, tmpfs):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert 1.9 < response.json()["checks"]["storage"]["free_mb"] <= 2.0


def test_healthz_is_503_naming_the_storage_when_the_disk_is_full(client, tmpfs):
    filler = fill(tmpfs)

    with storing_with(FileSystemStorage, tmpfs):
        response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["storage"]
    storage = body["checks"]["storage"]
    assert (storage["ok"], storage["error"], storage["errno"]) == (False, "OSError", "ENOSPC")
    assert str(tmpfs) not in response.content.decode()
    # The probe that could not be written left nothing behind, not even an empty file.
    assert files_in(tmpfs) == {filler.name}


def test_healthz_is_503_when_less_than_a_megabyte_is_left(client, tmpfs):
    fill(tmpfs, leave=512 * KB)

    with storing_with(FileSystemStorage, tmpfs):
        response = client.get("/healthz/")

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert (storage["ok"], storage["error"]) == (False, "NotEnoughSpace")
    assert 0 < storage["free_mb"] < 1


# --- In the browser: the page shows the message ------------------------------------------------


@pytest.mark.browser
def test_the_upload_script_shows_the_storage_message(
    browser, live_server, transactional_db, tmp_path
):
    member = UserFactory(preferred_language="en", email="rita@example.org")
    award = AwardFactory(status="open", max_attachments=10)
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=member, role="owner")
    entry = SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=member,
    )
    django_client = Client()
    django_client.force_login(member)
    session = django_client.cookies["sessionid"].value
    pdf = tmp_path / "Konzept.pdf"
    pdf.write_bytes(pdf_bytes(40 * KB))
    media = tmp_path / "failing-media"

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        with storing_with(FullDiskStorage, media, fail_on="submissions/"):
            page.goto(f"/submissions/{entry.pk}/edit/")
            slot = page.get_by_test_id("slot-documents")
            slot.locator('input[type="file"]').set_input_files(str(pdf))
            slot.locator("[data-upload-button]").click()
            failed = slot.locator('[data-upload-progress] [data-state="failed"]')
            failed.wait_for(timeout=15_000)
            shown = failed.inner_text()
    finally:
        context.close()

    assert STORAGE_FULL.format("Konzept.pdf") in shown
    assert not Attachment.objects.exists()
    assert (files_in(media) if media.exists() else set()) == set()
