"""Ending another session in a real browser: two browsers log in through the login form,
one sees both on its sessions page (which fits a phone and passes axe-core), answers the
question, and the other is logged out on its next page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import page_findings
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser]

PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")


def _log_in(page, site) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(f"^{re.escape(site)}/(?!accounts/login/)"))


def test_one_browser_ends_the_others_session(new_page, site):
    UserFactory(email="ada@example.org", full_name="Ada Lovelace", preferred_language="en")
    phone = new_page(locale="en-GB")
    laptop = new_page(locale="en-GB")
    _log_in(phone, site)
    _log_in(laptop, site)

    laptop.goto("/accounts/profile/")
    laptop.get_by_role("link", name="Where you are logged in").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Where you are logged in")
    rows = laptop.locator("[data-testid=sessions] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("This device")
    assert page_findings(laptop) == []

    questions = []
    laptop.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    rows.nth(1).get_by_role("button", name=re.compile("^End")).click()

    expect(laptop.get_by_role("alert")).to_have_text(
        "The session is ended: that device is logged out."
    )
    assert questions and questions[0].startswith("End the session on “")
    expect(rows).to_have_count(1)
    phone.goto("/accounts/profile/")
    phone.wait_for_url(f"{site}/accounts/login/?next=/accounts/profile/")
    assert phone.problems.all() == []
    assert laptop.problems.all() == []
