"""The organiser's day from the edition overview ("cockpit"), and an applicant withdrawing an
entry, in a real browser.

Organiser (English and German), on the jury demo (``seed_demo`` then ``seed_jury_demo``:
round 1 open with its assignments, some reviews submitted, some drafts): the login lands on
the edition overview with its next steps; the eligibility figure leads to the entry list;
computing the assignments shows the plan (kept / added / removed) before anything changes;
reminding one juror shows when they were last reminded and the mail in both languages, and
a second visit shows them as just reminded and skipped; closing round 1 shows the missing
reviews (as many as the progress page counts); deciding a category with gaps needs the
checkbox on the category's page (opened by its tab or from the overview); once every
category is decided, the overview says so and the publication is scheduled.

Applicant (German): an entry submitted in the open current edition of ``seed_demo``;
withdrawing it asks first and explains the consequences; cancelling keeps it submitted,
confirming withdraws it.

Every page visited gets a screenshot (``screenshot`` fixture) and must pass
``page_findings``: no serious or critical axe-core violation, no sideways scrolling at 390 px.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from awards import demo
from awards.models import Award
from jury.demo import SLUG as JURY_SLUG
from jury.models import Assignment
from submissions.models import Attachment, Submission
from submissions.services.entries import submission_create, submission_submit, submission_update
from submissions.services.organisations import organisation_create
from tests.browser.checks import page_findings

pytestmark = [pytest.mark.browser]

ORGANISER = "organiser@laurel.example"
APPLICANT = "applicant@red-arrow.example"
# A 1×1 PNG: the entry needs one image before it can be submitted.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Language:
    code: str
    locale: str
    log_in: str
    email: str
    password: re.Pattern


EN = Language("en", "en-GB", "Log in", "Email address", re.compile(r"^\s*Password\W*$"))
DE = Language("de", "de-DE", "Anmelden", "E-Mail-Adresse", re.compile(r"^\s*Passwort\W*$"))


def check(page: Page, screenshot, name: str) -> None:
    """The record of one step: a screenshot, then axe-core and the 390 px width."""
    screenshot(page, name)
    assert page_findings(page) == [], name


def log_in(page: Page, language: Language, email: str) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text(language.log_in)
    page.get_by_label(language.email).fill(email)
    page.get_by_label(language.password).fill(demo.DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name=language.log_in).click()


def integer(page_or_locator) -> int:
    return int(page_or_locator.inner_text().strip())


@pytest.fixture
def jury_demo(transactional_db) -> Award:
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_jury_demo", "--force", verbosity=0)
    return Award.objects.get(slug=JURY_SLUG)


# --- 1. The organiser ----------------------------------------------------------------------


@pytest.mark.parametrize("language", [pytest.param(EN, id="en"), pytest.param(DE, id="de")])
def test_organiser_goes_from_the_overview_to_a_scheduled_publication(
    new_page, site, screenshot, jury_demo, language
):
    slug = jury_demo.slug
    manage = f"/manage/{slug}"
    shot = f"cockpit-{language.code}"
    User.objects.filter(email=ORGANISER).update(preferred_language=language.code)
    page = new_page(locale=language.locale)

    # Login lands on the overview of the newest edition the organiser manages: the jury demo.
    log_in(page, language, ORGANISER)
    page.wait_for_url(f"{site}{manage}/")
    expect(page.locator("html")).to_have_attribute("lang", language.code)
    steps = page.get_by_test_id("next-steps").locator("[data-step]")
    expect(steps.first).to_be_visible()
    assert steps.locator("a[href]").count() >= 1
    check(page, screenshot, f"{shot}-01-overview")

    # Eligibility: the figure leads to the submitted entries still to check. Every entry of
    # the jury demo is eligible already, so there is none to check (the step is skipped).
    to_check = page.locator('[data-figure="to-check"] a[data-value]')
    assert to_check.inner_text().strip() == "0"
    to_check.click()
    page.wait_for_url(re.compile(rf"{re.escape(manage)}/submissions/\?"))
    check(page, screenshot, f"{shot}-02-entries-to-check")

    # Computing the assignments: the plan first, nothing written yet.
    before = set(Assignment.objects.filter(round__award=jury_demo).values_list("pk", flat=True))
    page.goto(f"{manage}/jury/rounds/1/assignments/run/")
    plan = page.get_by_test_id("assignment-plan")
    kept = integer(plan.get_by_test_id("plan-kept"))
    added = integer(plan.get_by_test_id("plan-added"))
    removed = integer(plan.get_by_test_id("plan-removed"))
    assert kept == len(before) - removed
    after_get = set(Assignment.objects.filter(round__award=jury_demo).values_list("pk", flat=True))
    assert after_get == before, "showing the plan changed the assignments"
    check(page, screenshot, f"{shot}-03-assignment-plan")
    page.get_by_test_id("plan-confirm").click()
    page.wait_for_url(f"{site}{manage}/jury/rounds/1/assignments/")
    assert Assignment.objects.filter(round__award=jury_demo).count() == kept + added
    check(page, screenshot, f"{shot}-04-assignments")

    # Progress: how many reviews are missing, and one juror with open work to remind.
    page.goto(f"{manage}/jury/rounds/1/progress/")
    table = page.get_by_test_id("progress-jurors")
    assigned = sum(int(c) for c in table.locator('tbody [data-col="assigned"]').all_inner_texts())
    submitted = sum(int(c) for c in table.locator('tbody [data-col="submitted"]').all_inner_texts())
    missing = assigned - submitted
    assert missing > 0
    check(page, screenshot, f"{shot}-05-progress")
    table.locator("a[data-testid^='remind-']").first.click()
    page.wait_for_url(re.compile(r"/remind/\?juror=\d+$"))
    juror_row = page.get_by_test_id("remind-jurors").locator("tbody tr")
    expect(juror_row).to_have_count(1)
    expect(juror_row.locator('[data-col="last"]')).not_to_be_empty()
    for code in ("de", "en"):
        expect(page.get_by_test_id(f"mail-preview-{code}")).to_be_visible()
        expect(page.get_by_test_id(f"preview-text-{code}")).not_to_be_empty()
    never = juror_row.locator('[data-col="last"]').inner_text()
    check(page, screenshot, f"{shot}-06-remind")
    remind_url = page.url
    page.get_by_test_id("remind-confirm").click()
    page.wait_for_url(f"{site}{manage}/jury/rounds/1/progress/")
    # Again: just reminded, skipped unless "remind them anyway" is ticked (it is not).
    page.goto(remind_url)
    expect(page.get_by_test_id("remind-recent")).to_be_visible()
    expect(juror_row.locator('[data-col="now"] .text-bg-warning')).to_be_visible()
    assert juror_row.locator('[data-col="last"]').inner_text() != never
    expect(page.locator('input[name="force"]')).not_to_be_checked()
    check(page, screenshot, f"{shot}-07-remind-again")

    # Closing round 1: as many reviews missing as the progress page counted.
    page.goto(f"{manage}/jury/rounds/1/close/")
    expect(page.get_by_test_id("close-missing")).to_be_visible()
    total = page.get_by_test_id("close-categories").locator('[data-category="total"]')
    assert integer(total.locator('[data-col="missing"]')) == missing
    assert integer(total.locator('[data-col="assigned"]')) == assigned
    check(page, screenshot, f"{shot}-08-close-round")
    page.get_by_test_id("close-confirm").click()
    page.wait_for_url(re.compile(rf"{re.escape(manage)}/jury/rounds/1/"))

    # Deciding: the overview sums each category up; a category's page, opened by its tab,
    # holds the form, and a category with gaps needs the checkbox.
    page.goto(f"{manage}/results/")
    categories = list(jury_demo.categories.order_by("position").values_list("code", "pk"))
    codes = [code for code, _pk in categories]
    for code in codes:
        expect(page.get_by_test_id(f"decision-summary-{code}")).to_be_visible()
    expect(page.get_by_test_id("decision-form")).to_have_count(0)
    check(page, screenshot, f"{shot}-09-results")
    first_code, first_pk = categories[0]
    tabs = page.get_by_test_id("results-tabs").get_by_role("link")
    expect(tabs).to_have_count(1 + len(categories))
    tabs.nth(1).click()
    page.wait_for_url(f"{site}{manage}/results/categories/{first_pk}/")
    block = page.get_by_test_id(f"decision-{first_code}")
    expect(block.get_by_test_id("decision-gaps")).to_be_visible()
    check(page, screenshot, f"{shot}-09-results-category")
    block.get_by_test_id("decision-form").locator("button[type=submit]").click()
    block = page.get_by_test_id(f"decision-{first_code}")
    expect(block.locator(".invalid-feedback, .alert-danger, .errorlist").first).to_be_visible()
    expect(block.get_by_test_id("decision-state")).to_have_count(0)
    check(page, screenshot, f"{shot}-10-decision-refused")
    for number, (code, pk) in enumerate(categories):
        page.goto(f"{manage}/results/")
        page.get_by_test_id(f"category-{code}").get_by_role("heading", level=2).get_by_role(
            "link"
        ).click()
        category_page = f"{site}{manage}/results/categories/{pk}/"
        page.wait_for_url(category_page)
        block = page.get_by_test_id(f"decision-{code}")
        gaps_box = block.locator('input[name$="confirm_gaps"]')
        if gaps_box.count():
            gaps_box.check()
        block.get_by_test_id("decision-form").locator("button[type=submit]").click()
        expect(
            page.get_by_test_id(f"decision-{code}").get_by_test_id("decision-state")
        ).to_be_visible()
        page.wait_for_url(category_page)
        if number == 0:
            check(page, screenshot, f"{shot}-11-decided")
    page.goto(f"{manage}/results/")
    for code in codes:
        expect(page.get_by_test_id(f"decision-summary-{code}").locator(".badge")).to_have_class(
            re.compile(r"text-bg-success")
        )

    # Publication: decided, not scheduled yet; a moment in the award's time zone.
    page.goto(f"{manage}/results/publication/")
    state = page.get_by_test_id("publication-state")
    expect(state).to_have_attribute("data-state", "unscheduled")
    check(page, screenshot, f"{shot}-12-publication")
    moment = (timezone.now() + dt.timedelta(days=14)).astimezone(jury_demo.tzinfo)
    form = page.get_by_test_id("schedule-form")
    form.locator('input[type="datetime-local"]').fill(moment.strftime("%Y-%m-%dT10:00"))
    form.locator('button[value="schedule"]').click()
    expect(page.get_by_test_id("publication-state")).to_have_attribute("data-state", "scheduled")
    jury_demo.refresh_from_db()
    assert jury_demo.results_publish_at.astimezone(jury_demo.tzinfo).strftime(
        "%Y-%m-%d %H:%M"
    ) == moment.strftime("%Y-%m-%d 10:00")
    check(page, screenshot, f"{shot}-13-scheduled")

    # Only the refused decision answered with an error status.
    problems = page.problems.all()
    assert all(re.match(r"400 .*/results/decisions/\d+/$", p) for p in problems), problems
    assert len(problems) == 1, problems


# --- 2. The applicant ----------------------------------------------------------------------


@pytest.fixture
def submitted_entry(transactional_db) -> Submission:
    """Rita Red Arrow's entry in the open current edition, submitted through the services."""
    call_command("seed_demo", "--force", verbosity=0)
    award = Award.objects.filter(status="open").order_by("-edition").get()
    user = User.objects.get(email=APPLICANT)
    organisation = organisation_create(
        owner=user, name="Red Arrow technologies UG", city="Berlin", size_class="sme"
    )
    entry = submission_create(
        award=award,
        category=award.categories.get(code="MOB"),
        organisation=organisation,
        actor=user,
        title="Leichtbau-Lastenrad",
    )
    form = {q.key: q for q in award.questions.all()}
    answers = {
        "description": "Rahmen aus Flachsfaser-Verbund.",
        "lightweight": "40 % weniger Gewicht als ein Aluminiumrahmen.",
        "innovation": "Neue Kombination aus Naturfaser und Schaumkern.",
        "future_potential": "Fertigung in Brandenburg.",
        "market_readiness": "6",
        "team": "Zwei Ingenieurinnen und ein Designer.",
    }
    entry = submission_update(
        submission=entry,
        actor=user,
        expected_version=entry.version,
        summary="Ein Lastenrad aus Flachsfaser, 40 % leichter.",
        answers={form[key].pk: value for key, value in answers.items()},
        consent_terms=True,
        consent_data=True,
    )
    image = Attachment(
        submission=entry,
        question=form["images"],
        kind="image",
        original_name="lastenrad.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
        uploaded_by=user,
    )
    image.file.save("lastenrad.png", ContentFile(PNG), save=False)
    image.save()
    entry.refresh_from_db()
    return submission_submit(submission=entry, actor=user, expected_version=entry.version)


def test_applicant_withdraws_a_submitted_entry_after_a_confirmation(
    new_page, site, screenshot, submitted_entry
):
    entry = submitted_entry
    assert entry.status == "submitted"
    shot = "cockpit-applicant-de"
    page = new_page(locale="de-DE")
    log_in(page, DE, APPLICANT)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/submissions/{entry.pk}/")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")
    check(page, screenshot, f"{shot}-01-entry")

    page.locator('[data-action="withdraw"]').click()
    page.wait_for_url(f"{site}/submissions/{entry.pk}/withdraw/")
    consequences = page.get_by_test_id("withdraw-consequences")
    expect(consequences.locator("li")).to_have_count(4)
    expect(consequences.get_by_test_id("withdraw-deadline")).to_be_visible()
    expect(page.get_by_test_id("reference")).to_have_text(entry.reference)
    check(page, screenshot, f"{shot}-02-withdraw-confirm")

    # Cancel keeps it submitted.
    page.get_by_test_id("withdraw-form").get_by_role("link").click()
    page.wait_for_url(f"{site}/submissions/{entry.pk}/")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")
    entry.refresh_from_db()
    assert entry.status == "submitted"

    # Confirm withdraws it.
    page.locator('[data-action="withdraw"]').click()
    page.get_by_test_id("withdraw-confirm").click()
    page.wait_for_url(f"{site}/submissions/{entry.pk}/")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "withdrawn")
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    check(page, screenshot, f"{shot}-03-withdrawn")
    assert page.problems.all() == []
