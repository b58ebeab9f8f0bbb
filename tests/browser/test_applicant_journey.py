"""The applicant's journey in a real browser: register, create a company profile, start an
entry, fill it with autosave, upload a PDF and an image, reload and find everything still
there, submit, see the reference number, and receive the confirmation mail that a real
Celery worker delivers from the outbox to a real SMTP server.

The pages run in an English browser so that the labels are the English source strings.
"""

import io
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from submissions.models import Submission
from tests.browser.checks import page_findings
from tests.factories import (
    PASSWORD,
    STANDARD_ANSWERS,
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    answer_of,
    complete_entry_fields,
)
from tests.services import ARTIFACTS, body_text

pytestmark = [pytest.mark.browser]

SHOTS = ARTIFACTS / "screenshots" / "applicant"
NEW_PASSWORD = "Leichtbau-macht-leicht-42"
PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")  # "Password*", not "Password (again)*"
VERIFY_LINK = re.compile(r"https?://\S+/accounts/verify/[^/\s]+/")
SAVED = re.compile(r"^\s*Saved at \d{1,2}:\d{2}")
MAIL_WAIT = 60  # seconds; the worker picks the task up from the broker and sends it
# The progress bars' width transition, so that a screenshot shows where they end.
ANIMATIONS_DONE = "document.getAnimations().every(a => a.playState === 'finished')"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The edit page's text fields by their labels (anchored: "title" also occurs in the
# publication consent's label).
TEXT_LABELS = {
    "title": re.compile(r"^\s*Title\W*$"),
    "summary": re.compile(r"^\s*Short summary"),
    "description": re.compile(r"^\s*Description of the innovation"),
    "lightweight": re.compile(r"^\s*What makes it lightweight"),
    "innovation": re.compile(r"^\s*Degree of innovation"),
    "future_potential": re.compile(r"^\s*Future potential for people and the region"),
    "team": re.compile(r"^\s*Team\b(?! and)"),  # not the section "Team and video"
}
CONSENT_LABELS = {
    "consent_terms": "I accept the conditions of participation.",
    "consent_data": "I agree to the processing of the data for the award.",
    "consent_publication": "If we win, our name, title, summary and image may be published.",
}
READINESS_LABEL = "Market readiness"
TRL7 = "TRL 7 – prototype demonstrated in an operational environment"


def snap(page: Page, name: str) -> Path:
    """A full-page screenshot for the journey's record in ``artifacts/screenshots/applicant``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def wait_until(condition, *, timeout: float, describe) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up after {timeout:.0f} s: {describe()}", pytrace=False)


def saved_fields(pk: int) -> dict:
    """The saved core fields and the text answers by question key, as ``entry`` has them."""
    submission = Submission.objects.get(pk=pk)
    saved = {name: getattr(submission, name) for name in complete_entry_fields()}
    for key in TEXT_LABELS:
        if key not in ("title", "summary"):
            saved[key] = answer_of(submission, key)
    return saved


def log_in(page: Page, site: str, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/me/")  # an applicant's home: their entries


@pytest.fixture
def outbox_worker(smtp_server, start_worker):
    """A real Celery worker on this process's broker and the test database, mailing to
    ``smtp_server``. The broker is emptied before (a task left by an earlier test names a
    message id this test's table may reuse) and after."""
    from config.celery import app

    app.control.purge()
    worker = start_worker(
        broker_url=settings.CELERY_BROKER_URL,
        var_dir=settings.VAR_DIR,
        EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}",
    )
    yield worker
    worker.stop()
    app.control.purge()


@pytest.mark.worker
def test_applicant_registers_enters_uploads_reloads_submits_and_gets_the_mail(
    new_page, demo_award, smtp_server, outbox_worker, site, tmp_path
):
    page = new_page(locale="en-GB")
    email = "lena.leicht@example.org"
    entry = {
        **complete_entry_fields(),
        **{k: STANDARD_ANSWERS[k] for k in TEXT_LABELS if k in STANDARD_ANSWERS},
    }

    # 1. Register, verify the address from the mail, log in.
    page.goto("/accounts/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    page.get_by_label("Full name").fill("Lena Leicht")
    page.get_by_label("Email address").fill(email)
    expect(page.get_by_label("Preferred language")).to_have_value("en")
    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"I have read the privacy policy and agree to it")).check()
    snap(page, "01-register")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{site}/accounts/register/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check your mail")

    wait_until(
        lambda: smtp_server.to(email),
        timeout=20,
        describe=lambda: f"{len(smtp_server.messages)} mail(s), none to {email}",
    )
    [mail] = smtp_server.to(email)
    assert mail["To"] == email
    [link] = VERIFY_LINK.findall(body_text(mail))
    page.goto(link)
    page.wait_for_url(f"{site}/accounts/login/")
    expect(page.get_by_role("alert")).to_have_text(
        "Thank you, your email address is confirmed. Please log in."
    )
    log_in(page, site, email, NEW_PASSWORD)
    snap(page, "02-logged-in")
    user = User.objects.get(email=email)
    assert (user.is_verified, user.preferred_language) == (True, "en")

    # 2. The company profile.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My entries"
    ).click()
    page.wait_for_url(f"{site}/me/")
    expect(page.get_by_test_id("no-organisations")).to_be_visible()
    page.get_by_test_id("create-organisation").click()
    page.wait_for_url(f"{site}/organisations/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New company profile")
    form = page.get_by_test_id("organisation-form")
    form.get_by_label(re.compile(r"^\s*Name\W*$")).fill("Leicht & Stark GmbH")
    form.get_by_label("Legal form").fill("GmbH")
    form.get_by_label("Size").select_option(label="Small or medium-sized enterprise")
    form.get_by_label("Founded in").fill("2015")
    form.get_by_label("Website").fill("www.leicht-stark.example")
    form.get_by_label("Street and number").fill("Fasergasse 3")
    form.get_by_label("Postal code").fill("10115")
    form.get_by_label("City").fill("Berlin")
    form.get_by_label("Contact person").fill("Lena Leicht")
    form.get_by_label("Contact email").fill(email)
    snap(page, "03-company-form")
    page.get_by_role("button", name="Create the profile").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site)}/organisations/\d+/$"))
    expect(page.get_by_test_id("organisation-name")).to_have_text("Leicht & Stark GmbH")
    expect(page.get_by_role("alert").first).to_contain_text(
        "The company profile of Leicht & Stark GmbH has been created."
    )
    snap(page, "04-company-created")

    # 3. Start an entry for the demo award from the dashboard.
    page.goto("/me/")
    award_row = page.get_by_test_id("open-awards").locator(f'[data-award="{demo_award.slug}"]')
    award_row.get_by_role("link", name="Start an entry").click()
    page.wait_for_url(f"{site}/awards/{demo_award.slug}/enter/")
    start = page.get_by_test_id("start-form")
    expect(start.get_by_label("Company")).to_have_value(str(user.memberships.get().organisation_id))
    start.get_by_label(re.compile(r"^\s*Mobility – ")).check()
    start.get_by_label("Title of the entry").fill("Flax bicycle frame")
    snap(page, "05-start-entry")
    page.get_by_role("button", name="Start the entry").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site)}/submissions/\d+/edit/$"))
    submission = Submission.objects.get(created_by=user)
    assert (submission.category.code, submission.status) == ("MOB", "draft")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the entry")

    # 4. Fill every required field; autosave keeps it.
    status = page.get_by_role("status").and_(page.get_by_test_id("autosave-status"))
    expect(status).to_have_text("Your changes are saved automatically as you type.")
    entry_form = page.get_by_test_id("entry-form")
    for name, label in TEXT_LABELS.items():
        if name != "title":
            entry_form.get_by_label(label).fill(entry[name])
    entry_form.get_by_label(READINESS_LABEL).select_option(label=TRL7)
    for label in CONSENT_LABELS.values():
        entry_form.get_by_label(label).check()
    # The last change is saved 2 s after it, or when the focus leaves the form.
    wait_until(
        lambda: saved_fields(submission.pk) == entry,
        timeout=20,
        describe=lambda: f"saved fields are {saved_fields(submission.pk)}",
    )
    expect(status).to_have_text(SAVED)
    snap(page, "06-entry-autosaved")

    pdf = tmp_path / "technical-dossier.pdf"
    pdf.write_bytes(PDF)
    png = tmp_path / "frame-photo.png"
    png.write_bytes(png_bytes())
    # Each file slot has its own upload: the images slot, then the documents slot.
    images = page.get_by_test_id("slot-images")
    documents = page.get_by_test_id("slot-documents")
    for slot, chosen in ((images, png), (documents, pdf)):
        slot.locator('input[type="file"]').set_input_files(chosen)
        slot.get_by_role("button", name="Upload").click()
        progress = slot.locator("[data-upload-progress] li")
        expect(progress).to_have_count(1)
        expect(progress).to_have_attribute("data-state", "done")
        expect(progress).to_have_text(f"{chosen.name} – Added.")
        expect(
            page.get_by_role("progressbar", name=f"Upload progress of {chosen.name}")
        ).to_have_attribute("aria-valuenow", "100")
    page.wait_for_function(ANIMATIONS_DONE)
    files = page.get_by_test_id("entry-form").locator("li.attachment")
    expect(images.locator("[data-slot=name]")).to_have_text(["frame-photo.png"])
    expect(documents.locator("[data-slot=name]")).to_have_text(["technical-dossier.pdf"])
    expect(images.locator("[data-no-files]")).to_be_hidden()
    expect(page.get_by_role("img", name="Preview of frame-photo.png")).to_be_visible()
    snap(page, "07-files-uploaded")

    # 5. Reload: every value and both files are still there.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the entry")
    expect(entry_form.get_by_label(TEXT_LABELS["title"])).to_have_value("Flax bicycle frame")
    for name, label in TEXT_LABELS.items():
        if name != "title":
            expect(entry_form.get_by_label(label)).to_have_value(entry[name])
    expect(entry_form.get_by_label(READINESS_LABEL)).to_have_value("7")
    for label in CONSENT_LABELS.values():
        expect(entry_form.get_by_label(label)).to_be_checked()
    expect(files.locator("[data-slot=name]")).to_have_text(
        ["frame-photo.png", "technical-dossier.pdf"]
    )
    # The photo as stored: encoded again, without its metadata (submissions.uploads).
    from submissions.models import Attachment

    stored_png = Attachment.objects.get(original_name="frame-photo.png").size
    with translation.override("en"):
        sizes = [filesizeformat(stored_png), filesizeformat(pdf.stat().st_size)]
    expect(files.locator("[data-slot=meta]")).to_have_text(
        [f"Image, {sizes[0]}", f"Document, {sizes[1]}"]
    )
    thumbnail = page.get_by_role("img", name="Preview of frame-photo.png")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    snap(page, "08-after-reload")

    # 6. Submit from the overview.
    page.get_by_role("link", name="Back to the overview – submit the entry from there.").click()
    page.wait_for_url(f"{site}/submissions/{submission.pk}/")
    expect(page.get_by_test_id("complete")).to_have_text("Complete – ready to submit.")
    expect(page.get_by_test_id("missing")).to_have_count(0)
    snap(page, "09-overview-complete")
    page.get_by_role("button", name="Submit the entry").click()
    page.wait_for_url(f"{site}/submissions/{submission.pk}/")
    reference = f"LIA-{demo_award.edition}-MOB-0001"
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    expect(page.get_by_role("main")).to_contain_text(
        f"Submitted. Your reference number is {reference}."
    )
    expect(page.locator("[data-status]").first).to_have_text("Submitted")
    expect(page.get_by_test_id("attachments").locator("[data-slot=name]")).to_have_text(
        ["frame-photo.png", "technical-dossier.pdf"]
    )
    snap(page, "10-submitted")
    submission.refresh_from_db()
    assert (submission.status, submission.reference) == ("submitted", reference)

    # 7. The confirmation mail arrives through the outbox and the worker.
    subject = f"Your entry {reference} has been received"
    wait_until(
        lambda: any(m["Subject"] == subject for m in smtp_server.to(email)),
        timeout=MAIL_WAIT,
        describe=lambda: (
            "mails at the server: "
            f"{[(str(m['To']), str(m['Subject'])) for m in smtp_server.messages]}"
        ),
    )
    [confirmation] = [m for m in smtp_server.to(email) if m["Subject"] == subject]
    assert confirmation["To"] == email
    assert confirmation["Subject"] == subject
    body = body_text(confirmation)
    assert body.startswith("Hello Lena Leicht,")
    assert "“Flax bicycle frame” in the category Mobility" in body
    assert f"its reference number is {reference}." in body
    assert "Files: frame-photo.png, technical-dossier.pdf" in body
    assert f"{site}/submissions/{submission.pk}/" in body

    page.goto("/me/")
    row = page.locator(f'[data-entry="{submission.pk}"]')
    expect(row).to_contain_text(reference)
    expect(row.locator("[data-status]")).to_have_text("Submitted")
    snap(page, "11-dashboard")
    assert page.problems.all() == []


def test_html_named_pdf_is_refused_by_name_and_the_typed_text_stays(new_page, site, tmp_path):
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace", preferred_language="en")
    organisation = OrganisationFactory(name="Analytical Frames")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    award = AwardFactory(status="open")
    category = CategoryFactory(award=award)
    submission = SubmissionFactory(
        award=award, category=category, organisation=organisation, created_by=user
    )
    page = new_page(locale="en-GB")
    log_in(page, site, "ada@example.org", PASSWORD)

    page.goto(f"/submissions/{submission.pk}/edit/")
    summary = page.get_by_test_id("entry-form").get_by_label(TEXT_LABELS["summary"])
    typed = "A frame of flax fibre, typed and not yet saved."
    summary.fill(typed)

    fake = tmp_path / "brochure.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n")
    documents = page.get_by_test_id("slot-documents")
    documents.locator('input[type="file"]').set_input_files(fake)
    documents.get_by_role("button", name="Upload").click()

    failed = documents.locator("[data-upload-progress] li")
    expect(failed).to_have_attribute("data-state", "failed")
    expect(failed).to_have_text(
        "“brochure.pdf” is not a PDF, JPEG, PNG or WebP file. Other formats (such as SVG, "
        "HTML, Word, ZIP or programs) cannot be uploaded."
    )
    expect(summary).to_have_value(typed)
    expect(documents.locator("li.attachment")).to_have_count(0)
    expect(documents.locator("[data-no-files]")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Upload progress of brochure.pdf")).to_be_visible()
    expect(documents.get_by_role("button", name="Upload")).to_be_enabled()
    page.wait_for_function(ANIMATIONS_DONE)
    snap(page, "20-refused-upload")

    # The typed text is also saved: the refusal stopped nothing else on the page.
    wait_until(
        lambda: Submission.objects.get(pk=submission.pk).summary == typed,
        timeout=20,
        describe=lambda: f"summary is {Submission.objects.get(pk=submission.pk).summary!r}",
    )
    assert submission.attachments.count() == 0
    # The refused upload is the only request that failed.
    assert page.problems.all() == [f"400 {site}/submissions/{submission.pk}/attachments/"]


def test_a_conditional_question_appears_and_disappears_and_a_hidden_answer_is_not_saved(
    new_page, site
):
    from submissions import services

    user = UserFactory(email="pat@example.org", full_name="Pat Entwickler", preferred_language="en")
    organisation = OrganisationFactory(name="Patent Frames")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    award = AwardFactory(status="open")
    category = CategoryFactory(award=award)
    patent = services.question_create(
        award=award,
        actor=None,
        kind="yes_no",
        key="patent",
        label_de="Patent?",
        label_en="Patent?",
    )
    services.question_create(
        award=award,
        actor=None,
        kind="short_text",
        key="patent_number",
        label_de="Patentnummer",
        label_en="Patent number",
        show_if=patent,
        show_if_values=["yes"],
    )
    submission = SubmissionFactory(
        award=award, category=category, organisation=organisation, created_by=user
    )
    page = new_page(locale="en-GB")
    log_in(page, site, "pat@example.org", PASSWORD)
    page.goto(f"/submissions/{submission.pk}/edit/")
    entry_form = page.get_by_test_id("entry-form")
    number = entry_form.get_by_label("Patent number")
    question = entry_form.locator(f'[data-question="{patent.pk}"]')

    # Hidden until "yes"; shown with "yes", hidden again with "no".
    expect(number).to_be_hidden()
    question.get_by_label("Yes", exact=True).check()
    expect(number).to_be_visible()
    number.fill("EP 1234567")
    expect(entry_form.get_by_label("Patent number")).to_be_enabled()
    snap(page, "30-conditional-shown")
    # The pointer out of the way: at 390 px it would rest on a button in mid-transition.
    page.mouse.move(0, 0)
    assert page_findings(page) == []
    question.get_by_label("No", exact=True).check()
    expect(number).to_be_hidden()
    expect(number).to_be_disabled()

    # Autosave sends the form as shown: the hidden number is not saved.
    wait_until(
        lambda: answer_of(Submission.objects.get(pk=submission.pk), "patent") is False,
        timeout=20,
        describe=lambda: f"answers are {Submission.objects.get(pk=submission.pk).answers}",
    )
    saved = Submission.objects.get(pk=submission.pk)
    assert answer_of(saved, "patent_number") is None
    # The explicit save too, and the page comes back with the question hidden.
    page.get_by_test_id("save").click()
    page.wait_for_url(f"{site}/submissions/{submission.pk}/edit/")
    expect(entry_form.get_by_label("Patent number")).to_be_hidden()
    assert answer_of(Submission.objects.get(pk=submission.pk), "patent_number") is None
    assert page_findings(page) == []
    assert page.problems.all() == []
