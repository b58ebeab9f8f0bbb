"""The "my awards" switcher in Chromium: on a 390 px phone, inside the collapsed navigation,
by keyboard alone; an organiser lands on their newest edition after login and switches to
another one, which the switcher then marks."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, AwardFactory, AwardRoleFactory, JurorFactory, UserFactory

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LONG_NAME = "Lightweight Innovation Award Berlin-Brandenburg"


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_the_switcher_works_by_keyboard_on_a_phone(new_page, site):
    person = UserFactory(email="olga@example.org", full_name="Olga", preferred_language="en")
    managed = [AwardFactory(name=LONG_NAME, edition=2030 + n) for n in range(6)]
    for award in managed:
        AwardRoleFactory(award=award, user=person, role="organiser")
    judged = AwardFactory(name=LONG_NAME, edition=2040, status="judging")
    JurorFactory(award=judged, user=person, role="jury_chair")
    page = new_page(locale="en-GB")
    page.set_viewport_size(PHONE)

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    newest = managed[-1]
    page.wait_for_url(f"{site}/manage/{newest.slug}/")  # the newest edition they manage

    # The navigation is collapsed: open it, then the switcher, with the keyboard only.
    page.get_by_role("button", name="Toggle navigation").focus()
    page.keyboard.press("Enter")
    toggle = page.get_by_role("button", name="My awards")
    expect(toggle).to_be_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.locator(".awards-switcher")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link")).to_have_count(7)
    current = menu.locator('[aria-current="page"]')
    expect(current).to_have_text(f"{LONG_NAME} {newest.edition}")
    expect(menu.get_by_role("link", name=f"{LONG_NAME} 2040 Jury chair")).to_be_visible()
    assert page_width(page) <= PHONE["width"]

    # The arrow keys walk the list; Enter opens the edition.
    page.keyboard.press("ArrowDown")
    assert focused(page) == f"{LONG_NAME} {newest.edition}"
    page.keyboard.press("ArrowDown")
    assert focused(page) == f"{LONG_NAME} {newest.edition - 1}"
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    other = managed[-2]
    page.wait_for_url(f"{site}/manage/{other.slug}/")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="My awards").click()
    expect(page.locator('.awards-switcher [aria-current="page"]')).to_have_text(
        f"{LONG_NAME} {other.edition}"
    )
    assert page.problems.all() == []
