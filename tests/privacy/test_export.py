"""A person's data export (GDPR art. 15 and 20): the ZIP holds every kind of data Laurel keeps
about them and nothing of anybody else; only they can download it, only while it is ready;
a lost build is recovered by the sweep; an expired export's file is deleted."""

import datetime as dt
import io
import json
import time
import zipfile

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Passkey, SecurityEvent, SecurityEventKind, User
from api.models import ApiToken
from api.services import api_token_create
from awards.services import audit_log
from jury import services as jury_services
from jury.models import Assignment, Conflict, DiscussionPost
from privacy import exports, services
from privacy.models import DataExport, ExportStatus
from privacy.tasks import build_export, exports_sweep
from submissions import services as submission_services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
    standard_answers,
)
from tests.helpers import alerts, body, en_user, html_lang, login, login_url, text
from tests.mail_delivery import deliver_due
from tests.notifications.helpers import make_message

pytestmark = pytest.mark.django_db

NAME = "Ottilie Brandauer"
EMAIL = "ottilie.brandauer@leicht.example"
# Other people and their words: none may appear anywhere in the person's export.
CO_NAME, CO_EMAIL = "Konstantin Zeiselmair", "k.zeiselmair@leicht.example"
RIVAL_NAME, RIVAL_EMAIL = "Wiebke Oltmanns-Grau", "wiebke@rival.example"
JUROR_NAME, JUROR_EMAIL = "Bartholomäus Quendt", "quendt@jury.example"
LOOKALIKE = "anna." + EMAIL  # contains the person's address, is somebody else's
OTHERS_WORDS = [
    "QUENDT-REVIEW-COMMENT",
    "QUENDT-PRIVATE-NOTE",
    "QUENDT-SCORE-REMARK",
    "QUENDT-DISCUSSION",
    "RIVAL-ANSWER-TEXT",
    "RIVAL-ENTRY-TITLE",
    "RIVAL-MESSAGE-SUBJECT",
    "OtherBrowser/9.9",
    "CREDENTIAL-OF-OTTILIE",  # the person's own key material is not exported either
]


def pdf_bytes(marker: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=20)
    pdf.cell(text=marker)
    return bytes(pdf.output())


def upload(submission, actor, data: bytes, name: str):
    return submission_services.attachment_add(
        submission=submission,
        actor=actor,
        upload=SimpleUploadedFile(name, data, "application/pdf"),
    )


@pytest.fixture
def scene():
    """The person: applicant of one company with an entry and its file, juror who reviewed
    and posted, organiser of another award, recipient of mails, actor and subject of audit
    lines; and beside them a co-member, a rival applicant, another juror, each with data."""
    jury = judging_setup(entries=2, jurors=1)
    person = UserFactory(email=EMAIL, full_name=NAME, preferred_language="de")

    # Applicant: a company with a co-member (who is its contact person), an entry, a file.
    award = AwardFactory(status="open", max_attachments=3)
    company = OrganisationFactory(
        name="Flachsfaser Werke GmbH", contact_name=CO_NAME, contact_email=CO_EMAIL
    )
    MembershipFactory(organisation=company, user=person, role="owner")
    co_member = UserFactory(email=CO_EMAIL, full_name=CO_NAME)
    MembershipFactory(organisation=company, user=co_member, role="member")
    entry = SubmissionFactory(
        award=award,
        organisation=company,
        created_by=person,
        title="Flax frame by Ottilie",
        answers=standard_answers(award, description="OTTILIE-ANSWER-TEXT"),
    )
    document = upload(entry, person, pdf_bytes("OTTILIE-FILE"), "Konzept.pdf")

    # A rival company in the same award, with its own entry and file.
    rival = UserFactory(email=RIVAL_EMAIL, full_name=RIVAL_NAME)
    rival_company = OrganisationFactory(name="Rival Composites AG")
    MembershipFactory(organisation=rival_company, user=rival)
    rival_entry = SubmissionFactory(
        award=award,
        organisation=rival_company,
        created_by=rival,
        title="RIVAL-ENTRY-TITLE",
        answers=standard_answers(award, description="RIVAL-ANSWER-TEXT"),
    )
    upload(rival_entry, rival, pdf_bytes("RIVAL-FILE"), "Rival.pdf")

    # Juror: the person and another juror review the same entry and discuss it.
    seat = JurorFactory(
        award=jury.award, user=person, categories=[jury.category], affiliation="TU Dresden"
    )
    other_seat = jury.jurors[0]
    other_seat.user.email, other_seat.user.full_name = JUROR_EMAIL, JUROR_NAME
    other_seat.user.save()
    judged = jury.submissions[0]
    for juror, words in ((seat, "OTTILIE"), (other_seat, "QUENDT")):
        assignment = Assignment.objects.create(round=jury.round, juror=juror, submission=judged)
        jury_services.review_save(
            assignment=assignment,
            actor=juror.user,
            version=0,
            scores={c.pk: 7 for c in jury.criteria},
            comments={jury.criteria[0].pk: f"{words}-SCORE-REMARK"},
            overall_comment=f"{words}-REVIEW-COMMENT",
            private_note=f"{words}-PRIVATE-NOTE",
            submit=True,
        )
        DiscussionPost.objects.create(
            round=jury.round, submission=judged, author=juror.user, body=f"{words}-DISCUSSION"
        )
    Conflict.objects.create(
        juror=seat, submission=jury.submissions[1], note="OTTILIE-CONFLICT-NOTE"
    )

    # Organiser of another award.
    AwardRoleFactory(award=award, user=person, role="organiser")

    # Mails: to the account, to the address only (written differently), and to somebody else.
    make_message(None, recipient=person, recipient_email=EMAIL, subject="OTTILIE-MAIL-1")
    make_message(None, recipient_email=EMAIL.upper(), subject="OTTILIE-MAIL-2")
    make_message(
        None, recipient=rival, recipient_email=RIVAL_EMAIL, subject="RIVAL-MESSAGE-SUBJECT"
    )

    # Audit: caused by the person (naming somebody else), naming the person, neither.
    audit_log(
        award=jury.award,
        actor=person,
        action="jury.invited",
        target=jury.award,
        data={"email": JUROR_EMAIL, "note": "OTTILIE-AUDIT-ACTOR"},
    )
    audit_log(
        award=jury.award,
        actor=jury.organiser,
        action="award.role_granted",
        target=jury.award,
        data={"user": EMAIL, "role": "OTTILIE-AUDIT-NAMED"},
    )
    audit_log(
        award=jury.award,
        actor=jury.organiser,
        action="jury.invited",
        target=jury.award,
        data={"email": LOOKALIKE, "note": "LOOKALIKE-AUDIT"},
    )

    # Security.
    SecurityEvent.objects.create(
        user=person, kind=SecurityEventKind.choices[0][0], user_agent="OttilieBrowser/1.0"
    )
    SecurityEvent.objects.create(
        user=rival, kind=SecurityEventKind.choices[0][0], user_agent="OtherBrowser/9.9"
    )
    Passkey.objects.create(
        user=person, name="Ottilies Laptop", credential_id="CREDENTIAL-OF-OTTILIE", public_key=b"k"
    )
    # An API token of the person's (its award: where they are a juror) and one of the rival's.
    api_token_create(
        user=person, award=jury.award, name="Ottilies CRM", scope="read", expires_in_days=30
    )
    ApiToken.objects.create(
        user=rival,
        award=jury.award,
        name="RIVAL-TOKEN",
        prefix="lrl_rival",
        digest="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return type(
        "Scene",
        (),
        {"person": person, "entry": entry, "document": document, "jury": jury},
    )


def built(user) -> DataExport:
    export = DataExport.objects.create(user=user)
    assert services.export_build_run(export_id=export.pk) == ExportStatus.READY
    export.refresh_from_db()
    return export


def read_zip(export: DataExport) -> dict[str, bytes]:
    with export.file.open("rb") as handle:
        data = handle.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def as_text(members: dict[str, bytes]) -> str:
    """Everything in the archive, names and contents, JSON unescaped, as one string."""
    return "\n".join(
        name + "\n" + content.decode("utf-8", errors="replace") for name, content in members.items()
    )


# --- What is in the ZIP ----------------------------------------------------------------------


def test_the_export_holds_every_kind_of_the_persons_data(scene):
    members = read_zip(built(scene.person))
    data = {
        name: json.loads(content) for name, content in members.items() if name.endswith(".json")
    }

    assert set(exports.JSON_FILES) | {"manifest.json", "README.txt"} <= set(members)
    assert data["manifest.json"]["laurel_version"]
    assert data["profile.json"]["email"] == EMAIL
    assert data["profile.json"]["full_name"] == NAME
    assert "password" not in json.dumps(data["profile.json"])
    [role] = data["profile.json"]["award_roles"]
    assert role["award"]["edition"] == scene.entry.award.edition
    assert data["profile.json"]["privacy_consents"]

    assert [o["name"] for o in data["organisations.json"]] == ["Flachsfaser Werke GmbH"]
    [entry] = data["entries.json"]
    assert entry["title"] == "Flax frame by Ottilie"
    assert "OTTILIE-ANSWER-TEXT" in [a["answer"] for a in entry["answers"]]
    [file] = entry["files"]
    assert file["name"] == "Konzept.pdf"
    with scene.document.file.open("rb") as handle:
        assert members[file["in_archive"]] == handle.read()  # the stored file, byte for byte
    assert file["in_archive"].startswith("files/")

    jury = data["reviews.json"]
    assert [s["affiliation"] for s in jury["seats"]] == ["TU Dresden"]
    [review] = jury["reviews"]
    assert review["overall_comment"] == "OTTILIE-REVIEW-COMMENT"
    assert review["note_to_the_organisers"] == "OTTILIE-PRIVATE-NOTE"
    assert [s["value"] for s in review["scores"]] == [7, 7]
    assert "OTTILIE-SCORE-REMARK" in [s["comment"] for s in review["scores"]]
    assert [p["message"] for p in jury["discussion_posts"]] == ["OTTILIE-DISCUSSION"]
    assert [c["note"] for c in jury["conflicts"]] == ["OTTILIE-CONFLICT-NOTE"]

    assert sorted(m["subject"] for m in data["messages.json"]) == [
        "OTTILIE-MAIL-1",
        "OTTILIE-MAIL-2",
    ]

    lines = data["audit.json"]
    assert {line["action"] for line in lines if line["by_you"]} >= {
        "jury.invited",  # the lines below, and those of the person's own upload and review
        "attachment.added",
    }
    [invited] = [line for line in lines if line["data"].get("note") == "OTTILIE-AUDIT-ACTOR"]
    assert invited["data"]["email"] == "REDACTED"  # the juror invited is somebody else
    [named] = [line for line in lines if line["data"].get("role") == "OTTILIE-AUDIT-NAMED"]
    assert (named["by_you"], named["data"]["user"]) == (False, EMAIL)
    assert "LOOKALIKE-AUDIT" not in json.dumps(lines)  # a longer address is somebody else's

    security = data["security.json"]
    assert [e["device"] for e in security["events"]] == ["OttilieBrowser/1.0"]
    assert [p["name"] for p in security["passkeys"]] == ["Ottilies Laptop"]
    [token] = security["api_tokens"]
    assert (token["name"], token["scope"]) == ("Ottilies CRM", "read")
    assert token["starts_with"].startswith("lrl_") and len(token["starts_with"]) == 12
    assert "RIVAL-TOKEN" not in json.dumps(data)

    assert NAME in members["README.txt"].decode()


def test_the_export_holds_nothing_of_anybody_else(scene):
    everything = as_text(read_zip(built(scene.person))).casefold()

    assert [w for w in OTHERS_WORDS if w.casefold() in everything] == []
    assert "lookalike-audit" not in everything
    others = User.objects.exclude(pk=scene.person.pk)
    assert others.count() >= 6
    for other in others:
        assert other.email.casefold() not in everything.replace(EMAIL, ""), other.email
        assert other.full_name.casefold() not in everything, other.full_name
    # Only the person's entry's file is in the archive.
    names = list(read_zip(DataExport.objects.get(user=scene.person)))
    assert [n for n in names if n.startswith("files/")] == [
        n for n in names if n.startswith("files/") and n.endswith("Konzept.pdf")
    ]
    assert len([n for n in names if n.startswith("files/")]) == 1


def test_the_readme_is_in_the_persons_language(scene):
    members = read_zip(built(scene.person))
    readme = members["README.txt"].decode()
    made = dt.datetime.fromisoformat(json.loads(members["manifest.json"])["generated_at"])

    for name in exports.JSON_FILES:
        assert name in readme
    with translation.override("de"):
        assert formats.date_format(timezone.localtime(made), "DATETIME_FORMAT") in readme
    english = read_zip(built(en_user(full_name="Ada Lovelace")))["README.txt"].decode()
    assert english.startswith("Your data in Laurel: Ada Lovelace")


def test_an_entry_of_a_company_the_person_left_is_listed_without_answers_or_files(scene):
    scene.entry.organisation.memberships.filter(user=scene.person).delete()

    data = read_zip(built(scene.person))
    [entry] = json.loads(data["entries.json"])

    assert entry["title"] == "Flax frame by Ottilie"
    assert "answers" not in entry and "files" not in entry
    assert not [n for n in data if n.startswith("files/")]


def test_the_build_reads_a_fixed_number_of_queries_per_kind(scene):
    with CaptureQueriesContext(connection) as few:
        exports.export_contents(scene.person)
    # Twice as much of everything: more entries with files, reviews, posts, mails.
    award = scene.entry.award
    for number in range(3):
        more = SubmissionFactory(
            award=award, organisation=scene.entry.organisation, created_by=scene.person
        )
        upload(more, scene.person, pdf_bytes(f"more {number}"), f"more-{number}.pdf")
        make_message(None, recipient=scene.person, recipient_email=EMAIL)
    for submission in scene.jury.submissions[1:]:
        Conflict.objects.filter(juror__user=scene.person).delete()
        assignment = Assignment.objects.create(
            round=scene.jury.round,
            juror=scene.person.juror_seats.get(),
            submission=submission,
        )
        jury_services.review_save(
            assignment=assignment,
            actor=scene.person,
            version=0,
            scores={c.pk: 5 for c in scene.jury.criteria},
        )
    with CaptureQueriesContext(connection) as many:
        exports.export_contents(scene.person)
    assert len(many) == len(few)


# --- Asking for an export --------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch) -> list:
    """The tasks sent to the broker, by name with their arguments (none is run)."""
    sent: list = []

    def enqueue(task, *args, **kwargs):
        sent.append((task.name, args))
        return True

    monkeypatch.setattr("core.queue.enqueue", enqueue)  # enqueue_on_commit's
    monkeypatch.setattr(services, "enqueue", enqueue)  # the sweep's
    return sent


def test_asking_queues_an_export_and_enqueues_its_build_on_commit(
    client, enqueued, django_capture_on_commit_callbacks
):
    person = login(client, UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_request"))

    assert response.status_code == 302
    export = DataExport.objects.get(user=person)
    assert export.status == ExportStatus.QUEUED
    assert enqueued == [("privacy.export_build", (export.pk,))]
    page = client.get(reverse("privacy:data"))
    assert 'data-testid="preparing"' in text(page)
    assert 'data-testid="request-export"' not in text(page)


def test_asking_again_while_one_is_prepared_returns_it(enqueued):
    person = UserFactory()
    first = services.export_request(user=person)
    again = services.export_request(user=person)
    assert again.pk == first.pk
    assert DataExport.objects.filter(user=person).count() == 1


def test_a_new_export_replaces_the_ready_one_and_deletes_its_file(
    enqueued, django_capture_on_commit_callbacks
):
    person = UserFactory()
    ready = built(person)
    storage, name = ready.file.storage, ready.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        services.export_request(user=person)

    ready.refresh_from_db()
    assert ready.status == ExportStatus.EXPIRED
    assert not storage.exists(name)
    assert DataExport.objects.filter(user=person, status=ExportStatus.QUEUED).count() == 1


def test_more_than_three_exports_a_day_are_refused(client, enqueued):
    person = login(client, en_user())
    for _ in range(3):
        DataExport.objects.create(user=person, status=ExportStatus.EXPIRED)
    DataExport.objects.create(user=person, status=ExportStatus.FAILED)  # does not count

    response = client.post(reverse("privacy:export_request"), follow=True)

    assert DataExport.objects.filter(user=person).count() == 4
    assert alerts(response) == [
        "You have asked for 3 exports within a day. Please wait until tomorrow before you "
        "ask again."
    ]
    # A day later it is possible again.
    DataExport.objects.filter(user=person).update(
        requested_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    client.post(reverse("privacy:export_request"))
    assert DataExport.objects.filter(user=person, status=ExportStatus.QUEUED).count() == 1


def test_the_post_needs_the_csrf_token():
    person = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(reverse("privacy:export_request"))

    assert response.status_code == 403
    assert not DataExport.objects.filter(user=person).exists()


# --- Who may download ------------------------------------------------------------------------


def download_url(export: DataExport) -> str:
    return reverse("privacy:export_download", args=[export.token])


def test_the_owner_downloads_the_ready_export(client):
    person = login(client, UserFactory())
    export = built(person)

    page = client.get(reverse("privacy:data"))
    assert download_url(export) in text(page)
    response = client.get(download_url(export))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(body(response))).read("profile.json")


def test_anonymous_visitors_are_sent_to_the_login(client):
    export = built(UserFactory())
    for url in (reverse("privacy:data"), download_url(export)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == login_url(url)
    response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302
    assert DataExport.objects.count() == 1


def test_nobody_else_downloads_an_export(client):
    export = built(UserFactory())
    login(client, UserFactory())

    assert client.get(download_url(export)).status_code == 404
    assert download_url(export) not in text(client.get(reverse("privacy:data")))


@pytest.mark.parametrize("status", [ExportStatus.QUEUED, ExportStatus.FAILED])
def test_an_export_that_is_not_ready_cannot_be_downloaded(client, status):
    person = login(client, UserFactory())
    export = DataExport.objects.create(user=person, status=status)
    export.file.save("x.zip", ContentFile(b"PK"), save=True)
    assert client.get(download_url(export)).status_code == 404


def test_an_expired_export_cannot_be_downloaded_and_its_file_is_deleted(client):
    person = login(client, UserFactory())
    export = built(person)
    storage, name = export.file.storage, export.file.name
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())

    assert client.get(download_url(export)).status_code == 404  # before the sweep, too
    assert services.export_expire_due() == 1

    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    assert not storage.exists(name)
    assert client.get(download_url(export)).status_code == 404


# --- The build: retries, the sweep, the mail -------------------------------------------------


def test_the_build_marks_it_ready_for_a_week_and_mails_the_person(settings):
    person = UserFactory(preferred_language="en")
    export = built(person)

    assert export.expires_at - export.ready_at == dt.timedelta(days=settings.LAUREL_EXPORT_DAYS)
    assert export.size == export.file.size > 0
    deliver_due()
    [message] = [m for m in mail.outbox if m.to == [person.email]]
    assert "Your data export is ready" in message.subject
    assert settings.SITE_URL + reverse("privacy:data") in message.body
    # Built twice (a second run of the task): nothing changes, no second mail.
    assert services.export_build_run(export_id=export.pk) == ExportStatus.READY
    deliver_due()
    assert len([m for m in mail.outbox if m.to == [person.email]]) == 1


def test_a_failed_build_is_retried_and_fails_after_its_last_attempt(monkeypatch):
    person = UserFactory()
    export = DataExport.objects.create(user=person)

    def broken(export):
        raise OSError("storage away")

    monkeypatch.setattr(exports, "export_build", broken)
    for attempt in range(1, services.MAX_ATTEMPTS):
        with pytest.raises(services.ExportNotBuilt):
            services.export_build_run(export_id=export.pk)
        export.refresh_from_db()
        assert (export.status, export.attempts) == (ExportStatus.QUEUED, attempt)

    assert services.export_build_run(export_id=export.pk) == ExportStatus.FAILED
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "storage away" in export.error


def test_the_task_retries_a_failed_build_and_leaves_it_to_the_sweep(monkeypatch):
    export = DataExport.objects.create(user=UserFactory())
    monkeypatch.setattr(exports, "export_build", lambda export: 1 / 0)

    # Run in this process, Celery retries at once (three times) and then gives up.
    result = build_export.apply(args=[export.pk])

    assert isinstance(result.result, services.ExportNotBuilt)
    export.refresh_from_db()
    # Four attempts used, one left: the export is still queued for the sweep.
    assert (export.status, export.attempts) == (ExportStatus.QUEUED, 4)


def test_the_sweep_recovers_an_export_whose_task_was_lost(enqueued):
    person = UserFactory()
    export = DataExport.objects.create(
        user=person, requested_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert exports_sweep() == 0  # its own task may still come

    DataExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert exports_sweep() == 1
    assert enqueued == [("privacy.export_build", (export.pk,))]

    build_export.apply(args=[export.pk])  # what the worker does with it
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert exports_sweep() == 0  # nothing left to send


def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.exports_sweep" in tasks


# --- The page --------------------------------------------------------------------------------


def test_the_page_speaks_german(client):
    person = login(client, UserFactory(preferred_language="de"))
    built(person)

    response = client.get(reverse("privacy:data"))

    assert html_lang(response) == "de"
    page = text(response)
    assert "Ihre Daten" in page
    assert "Neuen Export vorbereiten" in page
    assert "Herunterladen" in page


def test_the_page_in_english(client):
    person = login(client, UserFactory(preferred_language="en"))
    built(person)

    page = text(client.get(reverse("privacy:data"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Your data" in page
    assert "Prepare a new export" in page
    assert "Ready" in page


# --- A real worker ---------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_builds_the_export_asked_for(start_worker, settings):
    """Ask → on commit the build goes to the broker → a worker process writes the ZIP into
    the same storage → the export is ready and its owner downloads it."""
    media = settings.STORAGES["default"]["OPTIONS"]["location"]
    start_worker(
        broker_url=settings.CELERY_BROKER_URL, var_dir=settings.VAR_DIR, DJANGO_MEDIA_ROOT=media
    )
    person = UserFactory(email=EMAIL, full_name=NAME)
    client = Client()
    client.force_login(person)

    client.post(reverse("privacy:export_request"))  # commits at once (transactional test)

    export = DataExport.objects.get(user=person)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status != ExportStatus.QUEUED:
            break
        time.sleep(0.2)
    assert export.status == ExportStatus.READY
    content = body(client.get(download_url(export)))
    profile = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("profile.json"))
    assert profile["email"] == EMAIL
