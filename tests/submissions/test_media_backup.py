"""The backup of uploads on local disk, as docs/operations.md gives it ("Uploads on local disk"):
the two shell blocks of that section run as they stand, on a test installation (a ``var/``
with a SQLite database and the test storage's ``media``). After the media folder is lost and
restored, every file of every attachment is back, byte for byte: its SHA-256 matches the one
in its row, and each thumbnail matches what it was.
"""

import hashlib
import io
import pathlib
import re
import shutil
import sqlite3
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from submissions import services
from submissions.models import Attachment
from tests.factories import AwardFactory, SubmissionFactory
from tests.services import ROOT

pytestmark = pytest.mark.django_db

OPERATIONS = ROOT / "docs" / "operations.md"
SECTION = "### Uploads on local disk (the embedded default)"


def documented_commands() -> tuple[str, str]:
    """The backup block and the restore block of the section, in this order."""
    text = OPERATIONS.read_text()
    assert SECTION in text, f"{OPERATIONS} has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1]
    section = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.MULTILINE)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2, blocks
    return blocks[0], blocks[1]


def run(script: str, cwd: pathlib.Path) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return done.stdout


def image_bytes(fmt: str, colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, fmt)
    return buffer.getvalue()


def sha256(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def installation(tmp_path, settings) -> pathlib.Path:
    """A checkout's folder: ``var/media`` is the default storage, ``var/laurel.sqlite3`` a
    database (the test database itself may be PostgreSQL: the backup copies this file)."""
    root = tmp_path / "laurel"
    media = root / "var" / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    media.mkdir(parents=True)
    with sqlite3.connect(root / "var" / "laurel.sqlite3") as database:
        database.execute("CREATE TABLE marker (what TEXT)")
        database.execute("INSERT INTO marker VALUES ('before the backup')")
    database.close()
    return root


@pytest.fixture
def attachments(installation) -> list[Attachment]:
    submission = SubmissionFactory(award=AwardFactory(status="open", max_attachments=5))
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"
    uploads = [
        ("Konzept.pdf", pdf),
        ("Rahmen.png", image_bytes("PNG", "red")),
        ("Werkstatt.jpg", image_bytes("JPEG", "blue")),
    ]
    return [
        services.attachment_add(
            submission=submission,
            actor=submission.created_by,
            upload=SimpleUploadedFile(name, content),
        )
        for name, content in uploads
    ]


def test_the_documented_backup_restores_every_attachment_byte_for_byte(installation, attachments):
    backup, restore = documented_commands()
    media = installation / "var" / "media"
    thumbnails = {a.pk: sha256(a.thumbnail.name) for a in attachments if a.thumbnail}
    before = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    assert len(thumbnails) == 2 and len(before) == 5  # 3 uploads, 2 thumbnails

    run(backup, installation)
    (made,) = (installation / "backup").iterdir()
    shutil.rmtree(media)
    (installation / "var" / "laurel.sqlite3").unlink()
    assert not default_storage.exists(attachments[0].file.name)

    # The restore block names the backup to restore by its date: this run's.
    restore = re.sub(r"^BACKUP=.*$", f"BACKUP=backup/{made.name}", restore, flags=re.MULTILINE)
    run(restore, installation)

    assert sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file()) == before
    for attachment in Attachment.objects.all():
        assert sha256(attachment.file.name) == attachment.sha256, attachment.original_name
        assert default_storage.size(attachment.file.name) == attachment.size
        if attachment.thumbnail:
            assert sha256(attachment.thumbnail.name) == thumbnails[attachment.pk]
    with sqlite3.connect(installation / "var" / "laurel.sqlite3") as database:
        assert database.execute("SELECT what FROM marker").fetchall() == [("before the backup",)]
    database.close()


def test_the_restore_check_fails_when_a_file_differs(installation, attachments):
    """The last restore command compares the files with the archive: a damaged file fails it."""
    backup, restore = documented_commands()
    run(backup, installation)
    (made,) = (installation / "backup").iterdir()
    compare = next(line for line in restore.splitlines() if line.startswith("tar") and "-d" in line)
    compare = compare.replace('"$BACKUP', f'"backup/{made.name}')
    damaged = installation / "var" / "media" / attachments[0].file.name
    damaged.write_bytes(b"%PDF-1.4 damaged\n%%EOF\n")

    done = subprocess.run(
        ["bash", "-c", compare], cwd=installation, capture_output=True, text=True, check=False
    )

    assert done.returncode != 0
    assert attachments[0].file.name in done.stdout + done.stderr


def test_the_backup_refuses_a_missing_database(installation, attachments):
    """A typo in the database's name must fail the backup, not copy an empty database."""
    backup, _restore = documented_commands()
    (installation / "var" / "laurel.sqlite3").unlink()

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", backup],
        cwd=installation,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0
    assert not (installation / "var" / "laurel.sqlite3").exists()
