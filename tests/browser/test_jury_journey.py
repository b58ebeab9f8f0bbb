"""The jury's journey in a real browser: the organiser invites a juror; the juror accepts
the invitation (logging in on the way), confirms confidentiality, fills the profile and
declares a conflict with one company; the organiser computes the assignments and watches
the progress; the juror scores the one entry assigned, autosave keeps the draft through a
reload, the review is submitted and locked; the organiser's progress bar moves to 100 %.
The entry in conflict is never assigned and never shown to the juror.

Two browser contexts (own cookies): A for the organiser, B for the juror. The pages run in
an English browser and both accounts prefer English, so the labels are the English source
strings.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from jury.enums import ReviewStatus
from jury.models import Assignment, Conflict, Juror, Review, RoundEntry
from notifications.models import Message
from tests.factories import (
    PASSWORD,
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.services import ARTIFACTS

pytestmark = [pytest.mark.browser]

SHOTS = ARTIFACTS / "screenshots" / "jury"
PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")
# TIME_FORMAT of the English locale (config/formats/en): "4:05 p.m."
# The saved moment in the award's time zone, named (not the device's clock).
SAVED = re.compile(r"^\s*Saved at (\d{1,2}(:\d{2})?\s[ap]\.m\.|noon|midnight) German time\s*$")
CONFIDENTIALITY = (
    "Everything you read as a juror of the Lightweight Innovation Award stays confidential."
)
SECRET_SUMMARY = "Resin transfer moulding at 80 °C, a trade secret of the applicant."
# The progress bars' width transition, so that a screenshot shows where they end.
ANIMATIONS_DONE = "document.getAnimations().every(a => a.playState === 'finished')"


def snap(page: Page, name: str, *, tall: bool = False) -> Path:
    """A full-page screenshot for the journey's record in ``artifacts/screenshots/jury``.

    ``tall`` first makes the window as tall as the page, so that a sticky bar (the review's
    buttons) sits at the end of the form instead of over the middle of the picture."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if not tall:
        page.screenshot(path=path, full_page=True)
        return path
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    page.screenshot(path=path)
    page.set_viewport_size(size)
    return path


def log_in(page: Page, email: str) -> None:
    """Fill the login form the page shows and send it."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def judging_award():
    """An award in judging with one category, two criteria (1–10), round 1 (scores) open
    with two eligible entries of two companies, and an organiser."""
    now = timezone.now()
    award = AwardFactory(
        status="judging",
        reviews_per_submission=1,
        submissions_open_at=now - dt.timedelta(days=40),
        submissions_close_at=now - dt.timedelta(days=10),
        jury_deadline_at=now + dt.timedelta(days=20),
        announcement_at=now + dt.timedelta(days=30),
        confidentiality_en=CONFIDENTIALITY,
        confidentiality_de="Alles, was Sie als Jurorin oder Juror lesen, bleibt vertraulich.",
    )
    category = CategoryFactory(award=award, code="STR", name_en="Structures", name_de="Bauen")
    criteria = [
        CriterionFactory(
            award=award,
            position=0,
            name_en="Weight saving",
            name_de="Gewichtsersparnis",
            description_en="How much lighter than the state of the art, at equal strength.",
            scale_min=1,
            scale_max=10,
            score_control="number",  # the row of buttons: test_review_workspace_journey
        ),
        CriterionFactory(
            award=award,
            position=1,
            name_en="Market potential",
            name_de="Marktpotenzial",
            description_en="How soon and how widely it can be sold.",
            scale_min=1,
            scale_max=10,
            score_control="number",
        ),
    ]
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=now)
    entries = {}
    for number, (company, domain, title) in enumerate(
        [
            ("Carbonwerk GmbH", "carbonwerk.example", "Carbon bridge deck"),
            ("Flachsfaser AG", "flachsfaser.example", "Flax seat shell"),
        ],
        start=1,
    ):
        organisation = OrganisationFactory(
            name=company, website=f"https://{domain}", contact_email=f"info@{domain}"
        )
        entry = SubmissionFactory(
            award=award,
            category=category,
            organisation=organisation,
            title=title,
            summary=SECRET_SUMMARY,
            status="eligible",
            reference=f"LIA-{award.edition}-STR-{number:04d}",
        )
        RoundEntry.objects.create(round=round_, submission=entry)
        entries[title] = entry
    organiser = AwardRoleFactory(
        award=award,
        role="organiser",
        user=UserFactory(
            email="olga@composites-united.example",
            full_name="Olga Ordner",
            preferred_language="en",
        ),
    ).user
    return award, criteria, entries, organiser


def test_juror_accepts_declares_a_conflict_scores_with_autosave_and_organiser_sees_progress(
    new_page, site
):
    award, criteria, entries, organiser = judging_award()
    carbon, flax = entries["Carbon bridge deck"], entries["Flax seat shell"]
    jana = UserFactory(
        email="jana@hochschule-test.de", full_name="Jana Richter", preferred_language="en"
    )
    slug = award.slug
    manage = f"/manage/{slug}/jury"

    # 1. The organiser invites Jana from the jury page.
    organiser_page = new_page(locale="en-GB")
    organiser_page.goto(f"{manage}/")
    organiser_page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    log_in(organiser_page, organiser.email)
    organiser_page.wait_for_url(f"{site}{manage}/")
    expect(organiser_page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^\s*Jury\s+Lightweight Innovation Award")
    )
    expect(organiser_page.get_by_test_id("no-members")).to_be_visible()
    invite = organiser_page.get_by_test_id("invite-form")
    invite.get_by_label(re.compile(r"^\s*Email address\W*$")).fill(jana.email)
    invite.get_by_label(re.compile(r"^\s*Name\W*$")).fill("Jana Richter")
    invite.get_by_label(re.compile(r"^\s*Role\W*$")).select_option(label="Juror")
    invite.get_by_label("STR – Structures").check()
    invite.get_by_label(re.compile(r"^\s*Language of the invitation")).select_option(
        label="English"
    )
    snap(organiser_page, "01-organiser-invites")
    invite.get_by_role("button", name="Send invitation").click()
    organiser_page.wait_for_url(f"{site}{manage}/")
    expect(organiser_page.get_by_role("alert").first).to_contain_text(
        f"We have sent an invitation to {jana.email}."
    )
    expect(organiser_page.get_by_test_id("count-invited")).to_have_text("1")
    invitation_row = organiser_page.get_by_test_id("invitations").locator("tbody tr")
    expect(invitation_row).to_have_count(1)
    expect(invitation_row.locator("td").first).to_have_text(jana.email)
    expect(invitation_row.get_by_test_id("invitation-status")).to_have_text("Invited")
    snap(organiser_page, "02-invitation-sent")

    [mail] = Message.objects.filter(template_key="juror.invited")
    assert (mail.recipient_email, mail.language) == (jana.email, "en")
    assert mail.body_text.startswith("Hello Jana Richter,")
    [link] = re.findall(rf"{re.escape(site)}/jury/invitations/[^/\s]+/", mail.body_text)

    # 2. Jana opens the link, logs in on the way and accepts.
    juror_page = new_page(locale="en-GB")
    juror_page.goto(link)
    expect(juror_page.get_by_role("heading", level=1)).to_have_text(
        f"Invitation to the jury of {award}"
    )
    expect(juror_page.get_by_test_id("invitation-role")).to_have_text("Juror")
    expect(juror_page.get_by_test_id("invitation-categories")).to_have_text("Structures")
    expect(juror_page.get_by_test_id("invitation-inviter")).to_have_text("Olga Ordner")
    expect(juror_page.get_by_test_id("invited-address")).to_have_text(
        f"Please log in or register with {jana.email} to accept the invitation."
    )
    expect(juror_page.get_by_test_id("accept")).to_have_count(0)
    snap(juror_page, "03-invitation-anonymous")
    juror_page.get_by_test_id("login-link").click()
    juror_page.wait_for_url(re.compile(r"/accounts/login/\?next=/jury/invitations/"))
    log_in(juror_page, jana.email)
    juror_page.wait_for_url(link)
    expect(juror_page.get_by_test_id("invited-address")).to_have_text(
        f"This invitation was sent to {jana.email}."
    )
    expect(juror_page.get_by_test_id("other-address")).to_have_count(0)
    snap(juror_page, "04-invitation-logged-in")
    juror_page.get_by_role("button", name="Accept and join the jury").click()

    # 3. Confidentiality, profile, conflicts of interest.
    juror_page.wait_for_url(f"{site}/jury/{slug}/confidentiality/")
    expect(juror_page.get_by_role("alert").first).to_contain_text(
        f"Welcome to the jury of {award}."
    )
    expect(juror_page.get_by_test_id("confidentiality-statement")).to_have_text(CONFIDENTIALITY)
    juror_page.get_by_label(
        "I have read the confidentiality statement and will keep to it."
    ).check()
    snap(juror_page, "05-confidentiality")
    juror_page.get_by_role("button", name="Confirm").click()

    juror_page.wait_for_url(f"{site}/jury/{slug}/profile/")
    expect(juror_page.get_by_role("heading", level=1)).to_have_text("My jury profile")
    profile = juror_page.get_by_test_id("profile-form")
    profile.get_by_label(re.compile(r"^\s*Affiliation")).fill(
        "Hochschule Test, Institut für Leichtbau"
    )
    profile.get_by_label("Expert", exact=True).check()
    snap(juror_page, "06-profile")
    profile.get_by_role("button", name="Save").click()

    juror_page.wait_for_url(f"{site}/jury/{slug}/conflicts/")
    expect(juror_page.get_by_role("heading", level=1)).to_have_text(
        "Conflicts of interest and preferences"
    )
    rows = juror_page.get_by_test_id("conflict-row")
    expect(rows.locator("[data-field=title]")).to_have_text(
        ["Carbon bridge deck", "Flax seat shell"]
    )
    expect(rows.locator("[data-field=company]")).to_have_text(["Carbonwerk GmbH", "Flachsfaser AG"])
    # Title and company only: nothing of the entries' contents, and nothing suggested
    # (Jana's address and affiliation name neither company).
    expect(juror_page.get_by_role("main")).not_to_contain_text(SECRET_SUMMARY)
    expect(juror_page.get_by_test_id("conflict-suggestion")).to_have_count(0)
    flax_row = rows.filter(has_text="Flax seat shell")
    flax_row.get_by_label("Conflict of interest with Flax seat shell").select_option(
        label="Conflict with this company and all its entries"
    )
    flax_row.get_by_label("Note (optional)").fill("I advised Flachsfaser AG in 2024.")
    juror_page.get_by_label("Would you like to review Carbon bridge deck?").select_option(
        label="I would like to"
    )
    snap(juror_page, "07-conflicts")
    juror_page.get_by_test_id("conflicts-save").click()

    juror_page.wait_for_url(f"{site}/jury/{slug}/")
    expect(juror_page.get_by_role("alert").first).to_contain_text(
        "Thank you: your conflicts of interest and preferences have been saved."
    )
    steps = juror_page.get_by_test_id("onboarding-steps").locator("li")
    expect(steps).to_have_count(3)
    for step in steps.all():
        expect(step).to_have_attribute("data-done", "true")
    round_section = juror_page.locator('[data-testid=round][data-round="1"]')
    expect(round_section.get_by_test_id("no-assignments")).to_have_text(
        "No entries have been assigned to you in this round yet."
    )
    snap(juror_page, "08-dashboard-before-assignment")

    juror = Juror.objects.get(award=award, user=jana)
    [conflict] = Conflict.objects.filter(juror=juror)
    assert (conflict.organisation_id, conflict.submission_id, conflict.note) == (
        flax.organisation_id,
        None,
        "I advised Flachsfaser AG in 2024.",
    )
    assert juror.affiliation == "Hochschule Test, Institut für Leichtbau"

    # 4. The organiser computes the assignments: Carbon to Jana, Flax short because of the
    # conflict; the progress page starts at 0 %.
    organiser_page.reload()
    expect(organiser_page.get_by_test_id("count-accepted")).to_have_text("1")
    expect(organiser_page.get_by_test_id("count-invited")).to_have_text("0")
    member = organiser_page.get_by_test_id("members").locator(f'tr[data-juror="{juror.pk}"]')
    expect(member.locator("th")).to_have_text("Jana Richter")
    expect(member).to_contain_text("Hochschule Test, Institut für Leichtbau")
    expect(member.get_by_test_id("conflict-count")).to_have_text("1")
    for column in ("confidentiality", "conflicts-declared"):
        expect(member.get_by_test_id(column)).not_to_contain_text("Not yet")
    snap(organiser_page, "09-jury-members")

    organiser_page.goto(f"{manage}/rounds/1/")
    expect(organiser_page.get_by_test_id("round-title")).to_have_text("Round 1: Scoring round")
    expect(organiser_page.get_by_test_id("round-entries")).to_have_text("2")
    organiser_page.get_by_role("link", name="Compute assignments").click()
    # What computing will do comes first: one assignment added, nothing replaced.
    plan = organiser_page.get_by_test_id("assignment-plan")
    expect(plan.get_by_test_id("plan-added")).to_have_text("1")
    expect(plan.get_by_test_id("plan-removed")).to_have_text("0")
    organiser_page.get_by_test_id("plan-confirm").click()
    organiser_page.wait_for_url(f"{site}{manage}/rounds/1/assignments/")
    expect(organiser_page.get_by_role("alert").first).to_contain_text(
        "The assignments have been computed."
    )
    report = organiser_page.get_by_test_id("assignment-report")
    expect(report.get_by_test_id("report-created")).to_have_text("1")
    short = report.get_by_test_id("short-entries").locator("tbody tr")
    expect(short).to_have_count(1)
    expect(short.locator("td")).to_have_text(
        [
            flax.reference,
            "Flax seat shell",
            "1",
            re.compile(r"^1 juror of the category \(of 1\) has a conflict of interest\.$"),
        ]
    )
    table = organiser_page.get_by_test_id("assignments")
    carbon_jurors = table.locator(f'tr[data-submission="{carbon.pk}"] li[data-assignment]')
    expect(carbon_jurors).to_have_count(1)
    expect(carbon_jurors).to_contain_text("Jana Richter")
    expect(carbon_jurors.locator("[data-review-status]")).to_have_text("Not started")
    expect(table.locator(f'tr[data-submission="{flax.pk}"]')).to_contain_text("Nobody yet")
    expect(organiser_page.get_by_test_id("load-summary")).to_have_text(
        re.compile(r"^1 assignment; each juror has between 1 and 1\.$")
    )
    snap(organiser_page, "10-assignments")
    [assignment] = Assignment.objects.filter(round__award=award)
    assert (assignment.juror_id, assignment.submission_id) == (juror.pk, carbon.pk)

    organiser_page.goto(f"{manage}/rounds/1/progress/")
    overall = organiser_page.get_by_role("progressbar", name="Reviews submitted, overall")
    expect(organiser_page.get_by_test_id("overall-percent")).to_have_text(re.compile(r"^0\s%$"))
    expect(organiser_page.locator("#live-overall")).to_contain_text("0 of 1 reviews submitted")
    expect(overall).to_have_attribute("aria-valuenow", "0")
    jana_row = organiser_page.get_by_test_id("progress-jurors").locator(
        f'tr[data-juror="{juror.pk}"]'
    )
    expect(jana_row.locator("th")).to_have_text("Jana Richter")
    for column, value in {"assigned": "1", "not_started": "1", "submitted": "0"}.items():
        expect(jana_row.locator(f"[data-col={column}]")).to_have_text(value)
    expect(jana_row.locator("[data-col=conflicts]")).to_have_text("1")
    snap(organiser_page, "11-progress-0")

    # 5. Jana scores the entry: autosave, reload, submit.
    juror_page.reload()
    assignments = round_section.get_by_test_id("assignments").locator("tbody tr")
    expect(assignments).to_have_count(1)
    expect(assignments.get_by_role("link")).to_have_text("Carbon bridge deck")
    expect(assignments.locator("[data-field=company]")).to_have_text("Carbonwerk GmbH")
    expect(assignments.get_by_test_id("review-status")).to_have_text("Not started")
    expect(round_section.get_by_test_id("progress-text")).to_have_text("0 of 1 submitted")
    snap(juror_page, "12-dashboard-assigned")
    assignments.get_by_role("link", name="Carbon bridge deck").click()
    review_url = f"{site}/jury/{slug}/reviews/{assignment.pk}/"
    juror_page.wait_for_url(review_url)
    expect(juror_page.get_by_test_id("entry-title")).to_have_text("Carbon bridge deck")
    expect(juror_page.get_by_test_id("entry-reference")).to_have_text(carbon.reference)
    expect(
        juror_page.get_by_test_id("entry-organisation").locator("[data-field=organisation]")
    ).to_have_text("Carbonwerk GmbH")
    expect(juror_page.get_by_test_id("review-status")).to_have_text("Not started")
    first, second = (
        juror_page.locator(f'[data-testid=review-form] [data-criterion="{c.pk}"]') for c in criteria
    )
    expect(first).to_contain_text("How much lighter than the state of the art, at equal strength.")
    expect(second).to_contain_text("How soon and how widely it can be sold.")
    status = juror_page.get_by_test_id("autosave-status")
    expect(status).to_have_text("Your draft is saved automatically as you type.")

    first_comment = "Forty per cent lighter than a steel deck of the same span."
    juror_page.get_by_label("Weight saving", exact=True).fill("8")
    first.get_by_label("Comment (optional)").fill(first_comment)
    expect(status).to_have_text(SAVED, timeout=10_000)
    # The badge follows the autosave, without a reload.
    expect(juror_page.get_by_test_id("review-status")).to_have_text("Draft")
    snap(juror_page, "13-review-autosaved", tall=True)
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.DRAFT
    assert {s.criterion_id: s.value for s in review.scores.all()}[criteria[0].pk] == 8

    juror_page.reload()
    juror_page.wait_for_url(review_url)
    expect(juror_page.get_by_test_id("review-status")).to_have_text("Draft")
    expect(juror_page.get_by_label("Weight saving", exact=True)).to_have_value("8")
    expect(first.get_by_label("Comment (optional)")).to_have_value(first_comment)
    expect(juror_page.get_by_label("Market potential", exact=True)).to_have_value("")
    snap(juror_page, "14-review-after-reload", tall=True)

    juror_page.get_by_label("Market potential", exact=True).fill("6")
    juror_page.get_by_label(re.compile(r"^\s*Overall comment")).fill(
        "A convincing deck; the market needs proof in service."
    )
    juror_page.once("dialog", lambda dialog: dialog.accept())
    juror_page.get_by_role("button", name="Submit review").click()
    juror_page.wait_for_url(f"{site}/jury/{slug}/")
    expect(juror_page.get_by_role("alert").first).to_contain_text(
        f"Your review of {carbon.reference} has been submitted. Thank you!"
    )
    expect(assignments.get_by_test_id("review-status")).to_have_text("Submitted")
    expect(round_section.get_by_test_id("progress-text")).to_have_text("1 of 1 submitted")
    bar = round_section.get_by_role("progressbar", name="Progress")
    expect(bar).to_have_attribute("aria-valuenow", "1")
    expect(bar).to_have_attribute("aria-valuemax", "1")
    expect(bar).to_have_text(re.compile(r"^\s*100\s%\s*$"))
    juror_page.wait_for_function(ANIMATIONS_DONE)
    snap(juror_page, "15-dashboard-submitted")

    juror_page.goto(review_url)
    expect(juror_page.get_by_test_id("review-status")).to_have_text("Submitted")
    expect(juror_page.get_by_test_id("review-locked")).to_contain_text(
        "locked; the organisers can reopen it."
    )
    expect(juror_page.get_by_test_id("review-form")).to_have_count(0)
    own = juror_page.get_by_test_id("own-scores")
    expect(own.locator(f'[data-criterion="{criteria[0].pk}"] strong')).to_have_text("8")
    expect(own.locator(f'[data-criterion="{criteria[1].pk}"] strong')).to_have_text("6")
    expect(own.locator(f'[data-criterion="{criteria[0].pk}"]')).to_contain_text(first_comment)
    snap(juror_page, "16-review-locked")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert {s.criterion_id: s.value for s in review.scores.all()} == {
        criteria[0].pk: 8,
        criteria[1].pk: 6,
    }

    # 6. The organiser's progress bar has moved.
    organiser_page.reload()
    expect(organiser_page.get_by_test_id("overall-percent")).to_have_text(re.compile(r"^100\s%$"))
    expect(organiser_page.locator("#live-overall")).to_contain_text("1 of 1 reviews submitted")
    expect(overall).to_have_attribute("aria-valuenow", "100")
    for column, value in {"assigned": "1", "not_started": "0", "submitted": "1"}.items():
        expect(jana_row.locator(f"[data-col={column}]")).to_have_text(value)
    expect(jana_row.locator("[data-col=percent]")).to_have_text(re.compile(r"^100\s%$"))
    expect(
        organiser_page.get_by_role("progressbar", name="Reviews submitted by Jana Richter")
    ).to_have_attribute("aria-valuenow", "100")
    organiser_page.wait_for_function(ANIMATIONS_DONE)
    snap(organiser_page, "17-progress-100")

    # 7. The entry in conflict was never assigned, and Jana's pages do not name it.
    assert not Assignment.objects.filter(juror=juror, submission=flax).exists()
    juror_page.goto(f"/jury/{slug}/")
    expect(juror_page.get_by_test_id("assignments")).to_be_visible()
    expect(juror_page.get_by_role("main")).not_to_contain_text("Flax seat shell")
    expect(juror_page.get_by_role("main")).not_to_contain_text("Flachsfaser")

    # 8. Nothing failed in either browser.
    assert organiser_page.problems.all() == []
    assert juror_page.problems.all() == []
