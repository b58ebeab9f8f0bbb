"""The juror's workspace in a real browser (issue #14): from the dashboard to a review whose
form stands beside the entry's document at 1280 px; a click on a score button shows what the
score means; the running total equals the ranking engine's; "Save and next" opens the next
entry; the review is submitted. At 390 px the tabs "Entry" / "Scores" switch and nothing
scrolls sideways. In English and German, with no serious or critical axe-core finding.
Screenshots in artifacts/screenshots/workspace/ (two of them copied to docs/screenshots/).
"""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import Page, expect

from awards.models import RubricLevel
from jury.models import Assignment, Review
from results.engine.ranking import CriterionSpec, review_total
from submissions.models import Attachment
from submissions.questions import answers_by_key
from submissions.services.previews import attachment_previews_render
from tests.browser.checks import PHONE, axe_violations, page_width
from tests.factories import PASSWORD, judging_setup
from tests.services import ARTIFACTS

pytestmark = [pytest.mark.browser]

# The counter's words come translated (German once the lead has compiled the catalogue).
PAGE_1 = re.compile(r"^\D+ 1 \D+ 2$")
PAGE_2 = re.compile(r"^\D+ 2 \D+ 2$")
# For the picture: the window scrolled to the panes, the entry's pane at the document, the
# scores' pane at its top.
SHOW_DOCUMENT = """() => {
  const entry = document.querySelector('[data-testid=pane-entry]');
  const form = document.querySelector('[data-testid=pane-scores]');
  window.scrollTo(0, entry.getBoundingClientRect().top + window.scrollY - 8);
  const viewer = document.querySelector('[data-testid=document-preview]');
  entry.scrollTop += viewer.getBoundingClientRect().top - entry.getBoundingClientRect().top - 120;
  form.scrollTop = 0;
}"""
SHOTS = ARTIFACTS / "screenshots" / "workspace"
DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"

# (name en, name de, weight, scale, control, score the juror gives)
CRITERIA = [
    ("Weight saving", "Gewichtsersparnis", "3.00", (1, 10), "buttons", 8),
    ("Market potential", "Marktpotenzial", "1.50", (0, 5), "slider", 2),
    ("Sustainability", "Nachhaltigkeit", "0.70", (1, 7), "number", 6),
]


def two_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for number in (1, 2):
        pdf.add_page()
        pdf.set_font("helvetica", size=22)
        pdf.cell(text=f"Page {number}: load tests of the flax seat shell")
        pdf.ln(20)
        pdf.set_font("helvetica", size=12)
        for line in range(30):
            pdf.cell(text=f"Measurement {line + 1}: {40 + line * 3} N at {line} mm deflection")
            pdf.ln(7)
    return bytes(pdf.output())


def workspace(language: str):
    """A ready juror (preferring ``language``) with three entries of an open round; three
    criteria of different weights, scales and controls, the first with score levels; the
    first entry has a two-page PDF whose pages are rendered."""
    setup = judging_setup(entries=3, jurors=1, criteria=3, k=1)
    award = setup.award
    award.applicant_feedback = True
    award.save(update_fields=["applicant_feedback"])
    for criterion, (en, de, weight, (low, high), control, _score) in zip(
        setup.criteria, CRITERIA, strict=True
    ):
        criterion.name_en, criterion.name_de = en, de
        criterion.weight, criterion.scale_min, criterion.scale_max = weight, low, high
        criterion.score_control = control
        criterion.save()
    for low, high, en, de in (
        (1, 3, "Hardly any weight saved", "Kaum Gewicht gespart"),
        (
            4,
            7,
            "A clear saving over the state of the art",
            "Deutlich leichter als der Stand der Technik",
        ),
        (8, 10, "Half the weight or less", "Halbes Gewicht oder weniger"),
    ):
        RubricLevel.objects.create(
            criterion=setup.criteria[0], low=low, high=high, description_en=en, description_de=de
        )
    for number, submission in enumerate(setup.submissions, start=1):
        submission.title = f"Flax seat shell {number}"
        submission.reference = f"LIA-{award.edition}-STR-{number:04d}"
        submission.summary = "A seat shell of flax fibre and bio-based resin, 40 % lighter."
        submission.answers = answers_by_key(
            award.questions.all(), {"description": "Pressed in one step; tested to EN 12727.\n" * 8}
        )
        submission.save()
    data = two_page_pdf()
    document = Attachment(
        submission=setup.submissions[0],
        question=award.questions.get(key="documents"),
        kind="document",
        original_name="Test report.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="b" * 64,
        preview_status="pending",
    )
    document.file.save("report.pdf", ContentFile(data), save=False)
    document.save()
    attachment_previews_render(attachment_id=document.pk)
    setup.document = document
    juror = setup.jurors[0]
    juror.user.preferred_language = language
    juror.user.save(update_fields=["preferred_language"])
    setup.assignments = [
        Assignment.objects.create(round=setup.round, juror=juror, submission=submission)
        for submission in setup.submissions
    ]
    return setup


def snap(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def log_in(page: Page, site: str, email: str, next_url: str) -> None:
    page.goto(f"{site}{reverse('accounts:login')}?next={next_url}")
    form = page.locator("main form").first
    form.locator("input[type=email], input[name=username]").first.fill(email)
    form.locator("input[type=password]").first.fill(PASSWORD)
    form.locator("button[type=submit]").first.click()


def engine_total(setup, scores: dict[int, int]) -> float:
    specs = [CriterionSpec(c.pk, float(c.weight), c.scale_min, c.scale_max) for c in setup.criteria]
    return review_total(scores, specs)


def give(page: Page, setup, index: int, value: int) -> None:
    criterion = setup.criteria[index]
    block = page.locator(f'[data-criterion="{criterion.pk}"]')
    if criterion.score_control == "buttons":
        block.locator(
            f'label[for="id_score_{criterion.pk}_{value - criterion.scale_min + 1}"]'
        ).click()
    elif criterion.score_control == "slider":
        slider = block.locator("[data-score-slider]")
        slider.focus()
        slider.press("Home")
        for _ in range(value - criterion.scale_min):
            slider.press("ArrowRight")
    else:
        block.locator("input.score-input").fill(str(value))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_juror_scores_beside_the_document(new_page, site, language):
    setup = workspace(language)
    first, second, third = setup.assignments
    locale = "de-DE" if language == "de" else "en-GB"
    page = new_page(locale=locale)
    dashboard = reverse("jury:dashboard", kwargs={"slug": setup.award.slug})
    log_in(page, site, setup.jurors[0].user.email, dashboard)
    expect(page.locator('[data-testid="assignments"]')).to_be_visible()
    assert axe_violations(page) == []
    snap(page, f"01-dashboard-{language}")

    # The dashboard's first entry opens the split view.
    page.locator(f'tr[data-assignment="{first.pk}"] a').click()
    expect(page.locator('[data-testid="review-form"]')).to_be_visible()
    viewer = page.locator('[data-testid="document-preview"]')
    expect(viewer.locator("[data-doc-counter]")).to_have_text(PAGE_1)
    # Scrolling to the document (inside the entry's pane) leaves the form where it is.
    # To its top, at once (scroll_into_view_if_needed would centre the viewer, taller than
    # the pane, whenever the entry's answers push it below the first screen).
    viewer.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")
    entry_box = page.locator('[data-testid="pane-entry"]').bounding_box()
    form_box = page.locator('[data-testid="pane-scores"]').bounding_box()
    document_box = viewer.bounding_box()
    buttons_box = page.locator('[data-testid="save-next"]').bounding_box()
    assert form_box["x"] >= entry_box["x"] + entry_box["width"] - 1  # side by side
    assert form_box["x"] >= document_box["x"] + document_box["width"]
    assert 0 <= document_box["y"] < 900 and 0 <= form_box["y"] < 300
    assert buttons_box["y"] + buttons_box["height"] <= 900  # the buttons in the window too
    assert page.locator('[data-testid="tab-entry"]').is_hidden()
    # The page no longer grows with the entry: the document scrolls in its pane (1,241 px at
    # 1280 × 900 with this 2-page PDF; 5,299 px with the stacked page of before).
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2 * 900, height

    # Paging through the document, by button and by key.
    viewer.locator("[data-doc-next]").click()
    expect(viewer.locator("[data-doc-counter]")).to_have_text(PAGE_2)
    page.locator("body").press("[")
    expect(viewer.locator("[data-doc-counter]")).to_have_text(PAGE_1)
    viewer.locator("[data-doc-zoom]").click()
    large = reverse("jury:document_page_large", args=[setup.award.slug, setup.document.pk, 1])
    expect(viewer.locator(".doc-page.is-current img")).to_have_attribute("src", large)
    expect(viewer.locator("[data-doc-zoom]")).to_have_attribute("aria-pressed", "true")
    viewer.locator("[data-doc-zoom]").click()

    # A score button: the level it falls in is described.
    give(page, setup, 0, 8)
    level = page.locator(f"#level_score_{setup.criteria[0].pk}")
    expect(level).to_contain_text(
        "Halbes Gewicht oder weniger" if language == "de" else "Half the weight or less"
    )
    total = page.locator('[data-testid="running-total"]')
    expect(total).to_have_text(re.compile(r"^– \(1 \D+ 3 \D+\)$"))
    give(page, setup, 1, 2)
    give(page, setup, 2, 6)
    expected = round(
        engine_total(setup, {c.pk: s[-1] for c, s in zip(setup.criteria, CRITERIA, strict=True)}), 1
    )
    shown = f"{expected:.1f}".replace(".", "," if language == "de" else ".")
    expect(total).to_have_text(shown)
    page.locator("#id_applicant_feedback").fill("Please publish the test report.")
    assert axe_violations(page) == []
    page.evaluate(SHOW_DOCUMENT)
    snap(page, f"02-review-split-{language}")

    # Save and next: the next entry opens; the draft of the first is kept.
    page.locator('[data-testid="save-next"]').click()
    page.wait_for_url(f"**{reverse('jury:review', args=[setup.award.slug, second.pk])}")
    review = Review.objects.get(assignment=first)
    assert review.status == "draft"
    assert {s.criterion_id: s.value for s in review.scores.all()} == {
        c.pk: s[-1] for c, s in zip(setup.criteria, CRITERIA, strict=True)
    }
    assert review.applicant_feedback == "Please publish the test report."

    # Alt+ArrowLeft goes back to the first; its scores and total are there.
    page.locator("body").press("Alt+ArrowLeft")
    page.wait_for_url(f"**{reverse('jury:review', args=[setup.award.slug, first.pk])}")
    expect(page.locator('[data-testid="running-total"]')).to_have_text(shown)

    # Submit: on to the next open entry.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('[data-testid="submit-review"]').click()
    page.wait_for_url(f"**{reverse('jury:review', args=[setup.award.slug, second.pk])}")
    assert Review.objects.get(assignment=first).status == "submitted"
    expect(page.locator('[data-testid="review-position"]')).to_have_text(re.compile(r"\D1\D+2\D"))

    # A phone: two tabs, each keeping its place; nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    page.goto(reverse("jury:review", args=[setup.award.slug, third.pk]))
    entry_tab = page.locator('[data-testid="tab-entry"]')
    scores_tab = page.locator('[data-testid="tab-scores"]')
    expect(entry_tab).to_be_visible()
    expect(entry_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-testid="pane-scores"]')).to_be_hidden()
    assert page_width(page) <= PHONE["width"]
    page.evaluate("window.scrollTo(0, 300)")
    scores_tab.click()
    expect(scores_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-testid="pane-scores"]')).to_be_visible()
    expect(page.locator('[data-testid="pane-entry"]')).to_be_hidden()
    assert page_width(page) <= PHONE["width"]
    give(page, setup, 0, 3)
    expect(page.locator(f"#level_score_{setup.criteria[0].pk}")).to_contain_text(
        "Kaum Gewicht gespart" if language == "de" else "Hardly any weight saved"
    )
    # The score is kept as a draft once autosave says so (the dashboard below counts it).
    expect(page.get_by_test_id("autosave-status")).to_contain_text(
        re.compile("Gespeichert um|Saved at"), timeout=10_000
    )
    assert axe_violations(page) == []
    snap(page, f"03-phone-scores-{language}")
    scores_tab.press("ArrowLeft")
    expect(entry_tab).to_be_focused()
    expect(entry_tab).to_have_attribute("aria-selected", "true")
    assert abs(page.evaluate("window.scrollY") - 300) <= 2  # the entry tab's place, kept
    assert page_width(page) <= PHONE["width"]

    # The dashboard on the phone, filtered to the drafts.
    page.goto(f"{dashboard}?status=draft")
    expect(page.locator('[data-testid="filter-reset"]')).to_be_visible()
    expect(page.locator("tr[data-assignment]")).to_have_count(1)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    snap(page, f"04-phone-dashboard-filtered-{language}")
    assert page.problems.all() == []

    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        SHOTS / f"02-review-split-{language}.png", DOCS / f"review-workspace-{language}.png"
    )
