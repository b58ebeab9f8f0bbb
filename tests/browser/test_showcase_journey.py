"""The public showcase in a real browser, as a visitor meets it after the publication: the
results page with the winners' images and the jury's statements, a winner's own page, and
the share row on both (copy link, LinkedIn, mail) — in English and in German, at 1280 px and
at 390 px (no sideways scrolling, no serious or critical axe finding), with screenshots in
``artifacts/screenshots/showcase``. Then the editions page, the archive and the widget.
"""

import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from results.models import Decision
from tests.browser.checks import PHONE, page_findings
from tests.results.test_public_results import publish
from tests.results.test_publication import decided_award, image_of
from tests.results.test_showcase_pages import with_references
from tests.services import ARTIFACTS

pytestmark = [pytest.mark.browser]

SHOTS = ARTIFACTS / "screenshots" / "showcase"


def snap(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def published(site):
    scene = with_references(decided_award())
    Decision.objects.filter(submission=scene.e.pavilion).update(
        statement_de="Eine Holzschale, die 30 m ohne Stützen überspannt.",
        statement_en="A timber shell spanning 30 m without a single column.",
    )
    image_of(scene.e.pavilion)
    return publish(scene)


def check_share_row(page: Page, url: str) -> None:
    """The row's links are plain and point where they should; "Copy link" copies."""
    linkedin = page.get_by_test_id("share-linkedin")
    expect(linkedin).to_have_attribute(
        "href",
        "https://www.linkedin.com/sharing/share-offsite/?url=" + urllib.parse.quote(url, safe=""),
    )
    expect(linkedin).to_have_attribute("target", "_blank")
    expect(linkedin).to_have_attribute("rel", "noopener noreferrer")
    mail = page.get_by_test_id("share-mail").get_attribute("href")
    assert mail.startswith("mailto:?subject=")
    assert urllib.parse.quote(url, safe="") in mail
    copy = page.get_by_test_id("share-copy")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_test_id("share-status")).not_to_be_empty()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == url
    # Away from the button, so that axe does not judge the colours of a hover transition.
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement.blur()")


def visit(page: Page, site: str, scene, *, language: str) -> None:
    award = scene.award
    results = f"{site}/awards/{award.slug}/results/"
    entry = f"{site}/awards/{award.slug}/results/{scene.e.pavilion.reference}/"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)

    page.goto(results)
    heading = f"Results of the {award}" if language == "en" else f"Ergebnisse des {award}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    construction = page.get_by_test_id("result-CON")
    expect(construction.get_by_role("img", name="Timber shell pavilion")).to_be_visible()
    statement = (
        "A timber shell spanning 30 m without a single column."
        if language == "en"
        else "Eine Holzschale, die 30 m ohne Stützen überspannt."
    )
    expect(construction.get_by_test_id("statement")).to_contain_text(statement)
    check_share_row(page, results)
    assert page_findings(page) == []
    snap(page, f"01-results-{language}-1280")
    page.set_viewport_size(PHONE)
    snap(page, f"02-results-{language}-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    construction.get_by_test_id("entry-link").first.click()
    page.wait_for_url(entry)
    expect(page.get_by_role("heading", level=1)).to_have_text("Timber shell pavilion")
    expect(page.get_by_test_id("entry-company")).to_have_text("Studio Sven Pfeiffer")
    expect(page.get_by_test_id("statement")).to_contain_text(statement)
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image == f"{entry}share.png"
    check_share_row(page, entry)
    assert page_findings(page) == []
    snap(page, f"03-entry-{language}-1280")
    page.set_viewport_size(PHONE)
    snap(page, f"04-entry-{language}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    # The share image the tags name is there.
    response = page.request.get(og_image)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert page.problems.all() == []


def test_a_visitor_reads_and_shares_the_winners_in_english(new_page, site, published):
    visit(new_page(locale="en-GB"), site, published, language="en")


def test_a_visitor_reads_and_shares_the_winners_in_german(new_page, site, published):
    visit(new_page(locale="de-DE"), site, published, language="de")


def test_the_editions_archive_and_widget_fit_every_screen(new_page, site, published):
    page = new_page(locale="en-GB")
    award = published.award
    for number, (name, path) in enumerate(
        [
            ("editions", f"/awards/{award.slug}/editions/"),
            ("archive", "/winners/"),
            ("widget", f"/awards/{award.slug}/results/embed/?lang=en"),
        ],
        start=5,
    ):
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("Studio Sven Pfeiffer").first).to_be_visible()
        assert page_findings(page) == [], name
        snap(page, f"{number:02d}-{name}-1280")
        page.set_viewport_size(PHONE)
        snap(page, f"{number:02d}-{name}-390")
        page.set_viewport_size({"width": 1280, "height": 900})
    links = page.locator("a[target=_blank]")
    assert links.count() >= 2
    for index in range(links.count()):
        assert re.search(r"\bnoopener\b", links.nth(index).get_attribute("rel"))
    assert page.problems.all() == []
