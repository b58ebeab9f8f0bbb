"""Autosave in a real browser, the same for the applicant's entry form and the juror's review
form (static/js/autosave.js): a save that cannot reach the server is tried again after the
pause (and not before), leaving the page while a change is unsaved asks first, and once the
change is saved the page is left without a question. When someone saved elsewhere in the
meantime, autosave stops, says why and overwrites nothing (the entry form also shows the
other text beside the field).

The browser's clock is Playwright's, so that the 15 s pause before a retry passes at once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from jury import services as jury_services
from jury.models import Assignment, Review
from submissions import services as submission_services
from submissions.models import Submission
from tests.factories import (
    PASSWORD,
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
)

pytestmark = [pytest.mark.browser]

PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")
OFFLINE = "Not saved: the server cannot be reached. Trying again …"
# The server's time of the save in the award's zone, the zone named (never the browser's
# clock, which Playwright fakes here): TIME_FORMAT of the English locale (config/formats/en),
# "4:05 p.m.", "4 p.m.", "noon", then "German time" (the awards are in Europe/Berlin).
SAVED = re.compile(r"^\s*Saved at (\d{1,2}(:\d{2})?\s[ap]\.m\.|noon|midnight) German time\s*$")
TYPED = "Forty per cent lighter, typed while the connection was down."
THEIRS = "Saved in another window."
STOPPED = "Autosave has stopped."


@dataclass
class Form:
    email: str
    page: str  # the form's page
    autosave: str  # the autosave endpoint
    field: re.Pattern  # the label of the text field typed into
    idle: str  # what the status line says before any change
    leave: str  # the name of the breadcrumb's link away from the page
    saved: Callable[[], str | None]  # the text field's value in the database
    elsewhere: Callable[[], object]  # saves THEIRS in the text field, as another window would
    conflict: str  # how the refusal of a stale save begins


def entry_form() -> Form:
    user = UserFactory(email="ada@example.org", preferred_language="en")
    organisation = OrganisationFactory(name="Analytical Frames")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    award = AwardFactory(status="open")
    entry = SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=user,
    )
    return Form(
        email=user.email,
        page=f"/submissions/{entry.pk}/edit/",
        autosave=f"/submissions/{entry.pk}/autosave/",
        field=re.compile(r"^\s*Short summary"),
        idle="Your changes are saved automatically as you type.",
        leave="My entries",
        saved=lambda: Submission.objects.get(pk=entry.pk).summary,
        elsewhere=lambda: submission_services.submission_update(
            submission=Submission.objects.get(pk=entry.pk),
            actor=user,
            expected_version=entry.version,
            summary=THEIRS,
        ),
        conflict="Someone else saved this entry in the meantime, so autosave has stopped",
    )


def review_form() -> Form:
    setup = judging_setup(entries=1, jurors=1, criteria=2, k=1)
    [juror] = setup.jurors
    juror.user.email = "jana@jury.example.net"
    juror.user.preferred_language = "en"
    juror.user.save(update_fields=["email", "preferred_language"])
    assignment = Assignment.objects.create(
        round=setup.round, juror=juror, submission=setup.submissions[0]
    )
    slug = setup.award.slug
    return Form(
        email=juror.user.email,
        page=f"/jury/{slug}/reviews/{assignment.pk}/",
        autosave=f"/jury/{slug}/reviews/{assignment.pk}/autosave/",
        field=re.compile(r"^\s*Overall comment"),
        idle="Your draft is saved automatically as you type.",
        leave=f"Jury: {setup.award}",
        saved=lambda: (
            Review.objects.filter(assignment=assignment)
            .values_list("overall_comment", flat=True)
            .first()
        ),
        elsewhere=lambda: jury_services.review_save(
            assignment=assignment, actor=juror.user, version=0, scores={}, overall_comment=THEIRS
        ),
        conflict="This review was saved in another window since you opened it.",
    )


FORMS = {"entry": entry_form, "review": review_form}


def log_in(page: Page, site: str, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)  # the applicant's or juror's home


def open_form(new_page, site: str, kind: str) -> tuple[Form, Page]:
    """The form of ``kind`` in an English page with Playwright's clock, its user logged in."""
    form = FORMS[kind]()
    page = new_page(locale="en-GB")
    page.clock.install()
    log_in(page, site, form.email)
    page.goto(form.page)
    return form, page


def wait_until(condition, page: Page, timeout_ms: int = 5_000) -> None:
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)  # Playwright's own timer, not the page's (faked) clock
    pytest.fail("gave up waiting", pytrace=False)


def breadcrumb(page: Page, form: Form):
    return page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=form.leave)


@pytest.mark.parametrize("kind", FORMS)
def test_a_failed_autosave_is_retried_and_leaving_asks_while_unsaved(new_page, site, kind):
    form, page = open_form(new_page, site, kind)
    status = page.get_by_test_id("autosave-status")
    expect(status).to_have_text(form.idle)

    # The server cannot be reached until ``online`` says so.
    online = False
    requests = []

    def network(route):
        requests.append(route.request.method)
        if online:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    page.route(f"**{form.autosave}", network)
    questions = []

    def stay(dialog):
        questions.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)

    # Real keystrokes (a user's gesture: only then may a page ask before it is left).
    page.get_by_label(form.field).click()
    page.keyboard.type(TYPED)
    expect(status).to_have_text(OFFLINE)
    assert requests == ["POST"]
    # Not tried again before the pause is over.
    page.clock.fast_forward(5_000)
    page.wait_for_timeout(300)  # time for a request, had one been sent
    expect(status).to_have_text(OFFLINE)
    assert requests == ["POST"]

    # Leaving now asks; staying keeps the page and what was typed.
    breadcrumb(page, form).click()
    expect(page.get_by_label(form.field)).to_have_value(TYPED)
    assert questions == ["beforeunload"]
    assert page.url == f"{site}{form.page}"
    # The field lost the focus to the link, which is one more (failed) attempt.
    wait_until(lambda: len(requests) == 2, page)
    page.wait_for_timeout(300)  # its answer is handled: the pause starts
    expect(status).to_have_text(OFFLINE)
    assert form.saved() in ("", None)

    # Back online: the next attempt after the pause saves, without a keystroke.
    online = True
    page.clock.fast_forward(16_000)
    expect(status).to_have_text(SAVED)
    assert requests == ["POST", "POST", "POST"]
    assert form.saved() == TYPED

    # Everything saved: the page is left without a question.
    breadcrumb(page, form).click()
    page.wait_for_url(lambda url: not url.endswith(form.page))
    assert questions == ["beforeunload"]
    assert page.problems.all() == []


@pytest.mark.parametrize("kind", FORMS)
def test_autosave_stops_when_saved_elsewhere_and_overwrites_nothing(new_page, site, kind):
    form, page = open_form(new_page, site, kind)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith(form.autosave) else 0)
    form.elsewhere()

    page.get_by_label(form.field).fill(TYPED)

    status = page.get_by_test_id("autosave-status")
    expect(status).to_have_text(STOPPED)
    expect(page.locator("[data-autosave-alert]")).to_contain_text(form.conflict)
    assert form.saved() == THEIRS
    if kind == "entry":
        theirs = page.locator('[data-conflict-for="summary"]')
        expect(theirs).to_be_visible()
        expect(theirs.locator("[data-slot=theirs]")).to_have_text(THEIRS)
    # Stopped for good: a further change is not sent, however long one waits.
    page.get_by_label(form.field).press_sequentially(" More.")
    page.clock.fast_forward(60_000)
    page.wait_for_timeout(300)
    expect(status).to_have_text(STOPPED)
    assert len(requests) == 1
    assert form.saved() == THEIRS
    expect(page.get_by_label(form.field)).to_have_value(f"{TYPED} More.")
    assert page.problems.all() == [f"409 {site}{form.autosave}"]
