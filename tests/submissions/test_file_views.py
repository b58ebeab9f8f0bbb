"""Uploading, removing and downloading an entry's files through the views, on local storage
and on an S3-compatible server (moto): who may, what is refused (with the message naming the
file, and nothing stored), and the headers a download is served with."""

import io
import pathlib
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from submissions import services
from submissions.models import Attachment
from tests.factories import AwardFactory, CategoryFactory, SubmissionFactory
from tests.helpers import body, login, login_url, png_bytes
from tests.submissions.helpers import EDITORS, ROLES, VIEWERS

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
NOT_ACCEPTED = (
    "“{}” is not a PDF, JPEG, PNG or WebP file. Other formats (such as SVG, HTML, Word, ZIP or "
    "programs) cannot be uploaded."
)
JSON = {"Accept": "application/json"}


@pytest.fixture(params=["local", "s3"])
def storage(request, settings):
    """The storage under test: the per-test local folder, or a private bucket on moto."""
    if request.param == "local":
        return None
    s3 = request.getfixturevalue("s3_server")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3["options"]},
    }
    return s3


def stored_names(storage) -> set[str]:
    if storage is None:
        root = pathlib.Path(default_storage.path(""))
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    listing = storage["client"].list_objects_v2(Bucket=storage["bucket"])
    return {item["Key"] for item in listing.get("Contents", [])}


@pytest.fixture
def award():
    return AwardFactory(status="open", slug="lia-files", max_attachments=10)


@pytest.fixture
def entry(award, organisation, people):
    return SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=people["member"],
    )


def upload_url(entry) -> str:
    return reverse("submissions:attachment_upload", kwargs={"pk": entry.pk})


def send(client, entry, name, content, content_type="application/octet-stream"):
    """What upload.js sends: one file, answered with JSON."""
    return client.post(
        upload_url(entry),
        {"files": SimpleUploadedFile(name, content, content_type)},
        headers=JSON,
    )


def add(entry, name, content):
    return services.attachment_add(
        submission=entry,
        actor=entry.created_by,
        upload=SimpleUploadedFile(name, content, "application/octet-stream"),
    )


# --- Uploading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_upload_by_role(client, people, entry, role):
    login(client, people[role])

    response = send(client, entry, "plan.pdf", PDF)

    if role == "anonymous":
        assert response.status_code == 403
        assert response.json()["code"] == "session"
    else:
        assert response.status_code == (201 if role in EDITORS else 404)
    assert Attachment.objects.count() == (1 if role in EDITORS else 0)


def test_a_plain_upload_post_by_an_anonymous_visitor_goes_to_the_login(client, entry):
    url = upload_url(entry)

    response = client.post(url, {"files": SimpleUploadedFile("plan.pdf", PDF)})

    assert (response.status_code, response["Location"]) == (302, login_url(url))


def test_a_pdf_is_added_and_described_in_json(client, people, entry, storage):
    login(client, people["member"])

    response = send(client, entry, "Konzept.pdf", PDF, "text/html")

    attachment = Attachment.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "attachment": {
            "id": attachment.pk,
            "name": "Konzept.pdf",
            "size": len(PDF),
            "size_display": f"{len(PDF)}\xa0bytes",
            "kind": "document",
            "kind_display": "Document",
            "question": entry.award.questions.get(key="documents").pk,
            "url": f"/files/{attachment.pk}/",
            "thumbnail_url": None,
            "delete_url": f"/submissions/{entry.pk}/attachments/{attachment.pk}/delete/",
        }
    }
    assert attachment.content_type == "application/pdf"
    assert stored_names(storage) == {attachment.file.name}


def test_a_png_is_added_with_a_thumbnail(client, people, entry, storage):
    login(client, people["colleague"])

    response = send(client, entry, "Rahmen.png", png_bytes((1200, 600)), "image/png")

    attachment = Attachment.objects.get()
    data = response.json()["attachment"]
    assert response.status_code == 201
    assert (data["kind"], data["thumbnail_url"]) == ("image", f"/files/{attachment.pk}/thumb/")
    assert stored_names(storage) == {attachment.file.name, attachment.thumbnail.name}
    thumb = client.get(data["thumbnail_url"])
    image = Image.open(io.BytesIO(body(thumb)))
    assert (image.format, image.size) == ("JPEG", (480, 240))


def bad_inputs():
    long_stem = "L" * 296
    return [
        (
            "oversized",
            "big.pdf",
            None,
            "“big.pdf” is 1.2 MB; at most 1 MB are allowed for this type.",
        ),
        (
            "wrong magic",
            "photo.png",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            NOT_ACCEPTED.format("photo.png"),
        ),
        ("pdf that is html", "invoice.pdf", HTML, NOT_ACCEPTED.format("invoice.pdf")),
        ("svg with script", "logo.svg", SVG, NOT_ACCEPTED.format("logo.svg")),
        ("zero bytes", "empty.pdf", b"", "“empty.pdf” is empty."),
        (
            "mismatch",
            "photo.jpg",
            png_bytes(),
            "The content of “photo.jpg” does not match its name: it is a PNG file.",
        ),
        (
            "long name",
            long_stem + ".svg",
            SVG,
            NOT_ACCEPTED.format("L" * 116 + ".svg"),
        ),
        (
            "path traversal",
            "../../etc/passwd.pdf",
            HTML,
            NOT_ACCEPTED.format("passwd.pdf"),
        ),
    ]


@pytest.mark.parametrize(
    "case,name,content,message", bad_inputs(), ids=[case[0] for case in bad_inputs()]
)
def test_bad_uploads_are_refused_naming_the_file_and_nothing_is_stored(
    client, people, entry, award, storage, case, name, content, message
):
    if case == "oversized":
        award.max_pdf_mb = 1
        award.save()
        content = PDF[:-7] + b"\0" * (int(1.2 * 1024 * 1024) - len(PDF)) + b"\n%%EOF\n"
    login(client, people["member"])

    response = send(client, entry, name, content, "application/pdf")

    assert response.status_code == 400
    assert response.json()["error"] == message
    assert not Attachment.objects.exists()
    assert stored_names(storage) == set()


def test_a_path_traversal_name_is_stored_under_a_generated_name_and_shown_cleaned(
    client, people, entry, storage
):
    login(client, people["member"])

    response = send(client, entry, "../../etc/passwd.pdf", PDF)

    attachment = Attachment.objects.get()
    assert response.status_code == 201
    assert response.json()["attachment"]["name"] == "passwd.pdf"
    assert attachment.original_name == "passwd.pdf"
    assert re.fullmatch(rf"submissions/{entry.award_id}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    assert stored_names(storage) == {attachment.file.name}


def test_a_300_character_name_is_cut_to_120_keeping_the_extension(client, people, entry):
    login(client, people["member"])

    response = send(client, entry, "Lightweight-" * 24 + "final.pdf", PDF)

    name = response.json()["attachment"]["name"]
    assert response.status_code == 201
    assert (len(name), name[:24], name[-4:]) == (120, "Lightweight-Lightweight-", ".pdf")


def multipart(disposition: bytes, content: bytes) -> tuple[bytes, str]:
    boundary = b"----laurel-boundary"
    payload = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; ' + disposition + b"\r\n"
        b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    return payload, f"multipart/form-data; boundary={boundary.decode()}"


def test_a_name_that_is_not_utf8_is_cleaned(client, people, entry, storage):
    # "Bericht \xff\xfe.pdf", announced as UTF-8 (RFC 2231): the bytes are no UTF-8.
    payload, content_type = multipart(b"filename*=utf-8''Bericht%20%FF%FE.pdf", PDF)
    login(client, people["member"])

    response = client.post(upload_url(entry), payload, content_type=content_type, headers=JSON)

    assert response.status_code == 201
    assert response.json()["attachment"]["name"] == "Bericht __.pdf"
    assert Attachment.objects.get().original_name == "Bericht __.pdf"


def test_a_latin1_name_announced_as_such_is_read_correctly(client, people, entry):
    payload, content_type = multipart(b"filename*=iso-8859-1''Pr%FCfbericht.pdf", PDF)
    login(client, people["member"])

    response = client.post(upload_url(entry), payload, content_type=content_type, headers=JSON)

    assert response.json()["attachment"]["name"] == "Prüfbericht.pdf"


def test_a_raw_non_utf8_name_loses_the_file_and_is_explained(client, people, entry, storage):
    # Django cannot read such a part at all; the applicant is told that nothing arrived.
    payload, content_type = multipart(b'filename="Pr\xfcfbericht.pdf"', PDF)
    login(client, people["member"])

    response = client.post(upload_url(entry), payload, content_type=content_type, headers=JSON)

    assert response.status_code == 400
    assert response.json() == {
        "error": "No file arrived. Please choose the file again; if its name has unusual "
        "characters, rename it first."
    }
    assert stored_names(storage) == set()


def test_a_file_too_many_is_refused_naming_it(client, people, entry, award, storage):
    award.max_attachments = 2
    award.save()
    kept = {add(entry, "a.pdf", PDF).file.name, add(entry, "b.png", png_bytes()).file.name}
    kept |= {a.thumbnail.name for a in Attachment.objects.exclude(thumbnail="")}
    login(client, people["member"])

    response = send(client, entry, "third.pdf", PDF)

    assert response.status_code == 400
    assert response.json() == {
        "error": "“third.pdf” was not added: An entry can have at most 2 files; remove one first.",
        "name": "third.pdf",
    }
    assert Attachment.objects.count() == 2
    assert stored_names(storage) == kept


def test_an_upload_after_the_deadline_is_refused_naming_the_file_and_the_deadline(
    client, people, entry, award
):
    import datetime as dt

    from django.utils import timezone

    award.submissions_open_at = timezone.now() - dt.timedelta(days=30)
    award.submissions_close_at = timezone.now() - dt.timedelta(seconds=1)
    award.save()
    login(client, people["member"])

    response = send(client, entry, "late.pdf", PDF)

    error = response.json()["error"]
    assert response.status_code == 400
    assert error.startswith("“late.pdf” was not added: The deadline was ")
    assert error.endswith("(Europe/Berlin); entries can no longer be changed.")
    assert not Attachment.objects.exists()


def test_without_javascript_several_files_are_posted_and_each_is_reported(client, people, entry):
    login(client, people["member"])

    response = client.post(
        upload_url(entry),
        {
            "files": [
                SimpleUploadedFile("plan.pdf", PDF),
                SimpleUploadedFile("logo.svg", SVG),
                SimpleUploadedFile("photo.png", png_bytes()),
            ]
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain == [(f"/submissions/{entry.pk}/edit/#attachments", 302)]
    assert "“plan.pdf” has been added." in html
    assert "“photo.png” has been added." in html
    assert NOT_ACCEPTED.format("logo.svg") in html
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "photo.png",
        "plan.pdf",
    ]
    # The list on the edit page shows them.
    assert len(re.findall(r'data-attachment="\d+"', html)) == 2


def test_without_javascript_posting_no_file_says_so(client, people, entry):
    login(client, people["member"])

    response = client.post(upload_url(entry), {}, follow=True)

    assert "Choose a file to upload." in response.content.decode()


def test_uploading_to_another_companys_entry_is_not_found(client, people, award):
    foreign = SubmissionFactory(award=award, category=CategoryFactory(award=award))
    login(client, people["member"])

    response = send(client, foreign, "plan.pdf", PDF)

    assert response.status_code == 404
    assert not Attachment.objects.exists()


# --- Removing -------------------------------------------------------------------------------


def delete_url(attachment) -> str:
    return reverse(
        "submissions:attachment_delete",
        kwargs={"pk": attachment.submission_id, "aid": attachment.pk},
    )


@pytest.mark.parametrize("role", ROLES)
def test_delete_by_role(client, people, entry, role):
    attachment = add(entry, "plan.pdf", PDF)
    login(client, people[role])

    response = client.post(delete_url(attachment), headers=JSON)

    if role == "anonymous":
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
    assert Attachment.objects.exists() == (role not in EDITORS)


def test_deleting_removes_the_stored_objects(
    client, people, entry, storage, django_capture_on_commit_callbacks
):
    attachment = add(entry, "photo.png", png_bytes())
    login(client, people["member"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(attachment), headers=JSON)

    assert response.json() == {"deleted": attachment.pk}
    assert stored_names(storage) == set()


def test_deleting_without_javascript_returns_to_the_list(client, people, entry):
    attachment = add(entry, "plan.pdf", PDF)
    login(client, people["member"])

    response = client.post(delete_url(attachment), follow=True)

    assert response.redirect_chain == [(f"/submissions/{entry.pk}/edit/#attachments", 302)]
    assert "“plan.pdf” has been removed." in response.content.decode()


def test_a_file_of_another_entry_cannot_be_deleted_through_ones_own(client, people, entry, award):
    foreign = SubmissionFactory(award=award, category=CategoryFactory(award=award))
    theirs = add(foreign, "plan.pdf", PDF)
    login(client, people["member"])

    response = client.post(
        reverse("submissions:attachment_delete", kwargs={"pk": entry.pk, "aid": theirs.pk})
    )

    assert response.status_code == 404
    assert Attachment.objects.filter(pk=theirs.pk).exists()


# --- Downloading ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["attachment", "thumbnail"])
@pytest.mark.parametrize("role", ROLES)
def test_files_by_role(client, people, entry, role, name):
    attachment = add(entry, "photo.png", png_bytes())
    login(client, people[role])
    url = reverse(f"submissions:{name}", kwargs={"pk": attachment.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in VIEWERS else 404)
    if response.status_code == 200:
        response.close()


def test_a_download_is_an_attachment_with_protective_headers(client, people, entry, storage):
    attachment = add(entry, 'Prüfbericht "final".pdf', PDF)
    login(client, people["organiser"])

    response = client.get(reverse("submissions:attachment", kwargs={"pk": attachment.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Pr%C3%BCfbericht%20%22final%22.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))
    assert body(response) == PDF


def test_an_ascii_name_with_quotes_is_escaped(client, people, entry):
    attachment = add(entry, 'Report "v2".pdf', PDF)
    login(client, people["member"])

    response = client.get(reverse("submissions:attachment", kwargs={"pk": attachment.pk}))

    assert response["Content-Disposition"] == 'attachment; filename="Report \\"v2\\".pdf"'
    response.close()


def test_a_thumbnail_is_an_inline_jpeg_with_the_same_headers(client, people, entry, storage):
    attachment = add(entry, "Rahmen.png", png_bytes())
    login(client, people["member"])

    response = client.get(reverse("submissions:thumbnail", kwargs={"pk": attachment.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="Rahmen.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(body(response))).format == "JPEG"


def test_a_document_has_no_thumbnail(client, people, entry):
    attachment = add(entry, "plan.pdf", PDF)
    login(client, people["member"])

    response = client.get(reverse("submissions:thumbnail", kwargs={"pk": attachment.pk}))

    assert response.status_code == 404


def test_files_are_served_for_get_only(client, people, entry):
    attachment = add(entry, "plan.pdf", PDF)
    login(client, people["member"])

    response = client.post(reverse("submissions:attachment", kwargs={"pk": attachment.pk}))

    assert response.status_code == 405


def test_unknown_file_ids_are_not_found(client, people):
    login(client, people["member"])

    assert client.get(reverse("submissions:attachment", kwargs={"pk": 424242})).status_code == 404
    assert client.get(reverse("submissions:thumbnail", kwargs={"pk": 424242})).status_code == 404


def test_the_edit_page_lists_files_with_thumbnails_and_remove_buttons(client, people, entry):
    image = add(entry, '<img src=x onerror="alert(1)">.png', png_bytes())
    document = add(entry, "plan.pdf", PDF)
    login(client, people["member"])

    html = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk})).content.decode()

    assert (
        f'<img src="/files/{image.pk}/thumb/" '
        'alt="Preview of &lt;img src=x onerror=&quot;alert(1)&quot;&gt;.png"'
    ) in html
    assert f'action="/submissions/{entry.pk}/attachments/{document.pk}/delete/"' in html
    assert "<img src=x" not in html
