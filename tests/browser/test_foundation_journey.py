"""The foundation in a real browser: landing page in both languages, registration with the
verification mail from a real SMTP server, login, and the keyboard path through it all.

The German catalogue does not exist yet, so German pages still show English text; the
language is checked through ``<html lang>`` and the locale-formatted prize money. The
form tests run in an English browser so that they keep working when the catalogue comes.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.services import body_text

pytestmark = [pytest.mark.browser]

NEW_PASSWORD = "Leichtbau-macht-leicht-42"
PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")  # "Password*", not "Password (again)*"
VERIFY_LINK = re.compile(r"https?://\S+/accounts/verify/[^/\s]+/")


def test_visitor_switches_language_registers_verifies_and_logs_in(
    new_page, demo_award, smtp_server, site, screenshot
):
    page = new_page(locale="de-DE")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Lightweight Innovation Award {demo_award.edition}"
    )
    cards = page.locator(".category-card")
    expect(cards.get_by_role("heading")).to_have_text(
        ["Bauen", "Mobilität", "Gesundheit", "Lifestyle"]
    )
    expect(cards.locator(".prize")).to_have_text(["10.000\u00a0€"] * 4)
    screenshot(page, "01-landing-de")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(cards.get_by_role("heading")).to_have_text(
        ["Construction", "Mobility", "Healthcare", "Lifestyle"]
    )
    expect(cards.locator(".prize")).to_have_text(["€10,000"] * 4)
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    screenshot(page, "02-landing-en")

    page.get_by_role("link", name="Register and apply").click()
    page.wait_for_url(f"{site}/accounts/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    unlabelled = (
        page.get_by_role("main")
        .locator("form")
        .evaluate(
            """form => [...form.elements]
            .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
            .filter(el => el.labels.length === 0)
            .map(el => el.name)"""
        )
    )
    assert unlabelled == []
    page.get_by_label("Full name").fill("Erika Mustermann")
    page.get_by_label("Email address").fill("Erika.Mustermann@Example.org")
    expect(page.get_by_label("Preferred language")).to_have_value("en")
    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("checkbox", name=re.compile("privacy policy")).check()
    screenshot(page, "03-register-filled")

    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{site}/accounts/register/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check your mail")
    expect(page.get_by_role("main")).to_contain_text(
        "We have sent a message to erika.mustermann@example.org."
    )
    screenshot(page, "04-check-your-mail")

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "erika.mustermann@example.org"
    body = body_text(mail)
    assert body.startswith("Hello Erika Mustermann,")
    links = VERIFY_LINK.findall(body)
    assert len(links) == 1
    assert links[0].startswith(f"{site}/accounts/verify/")

    page.goto(links[0])
    page.wait_for_url(f"{site}/accounts/login/")
    expect(page.get_by_role("alert")).to_have_text(
        "Thank you, your email address is confirmed. Please log in."
    )
    screenshot(page, "05-verified-login")

    page.get_by_label("Email address").fill("erika.mustermann@example.org")
    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/me/")  # a new account's home: the entries page
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Erika", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("link", name="Register and apply")).to_have_count(0)
    screenshot(page, "06-logged-in")

    user = User.objects.get(email="erika.mustermann@example.org")
    assert (user.full_name, user.preferred_language, user.is_verified) == (
        "Erika Mustermann",
        "en",
        True,
    )
    assert page.problems.all() == []


def test_keyboard_skip_link_and_registration_without_a_mouse(new_page, demo_award, site):
    page = new_page(locale="en-GB")
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_visible()  # visually hidden until focused
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/#main")
    # <main> is not focusable, so Chromium keeps document.activeElement on <body> but moves
    # the Tab starting point: the next Tab must land inside main, past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    page.goto("/accounts/register/")
    for _ in range(20):
        if page.evaluate("document.activeElement.name") == "full_name":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the full name field")

    page.keyboard.type("Max Mustermann")
    page.keyboard.press("Tab")
    page.keyboard.type("max@example.org")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("name", "preferred_language")
    page.keyboard.press("ArrowUp")  # English is preselected for an English browser
    expect(page.get_by_label("Preferred language")).to_have_value("de")
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("name", "password2")
    page.keyboard.type(NEW_PASSWORD)
    # The consent to the privacy policy: the box, by keyboard (the link in its label is
    # the first stop after the password).
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "privacy_consent":
            break
    else:
        pytest.fail("Tab never reached the privacy consent box")
    page.keyboard.press("Space")
    expect(page.locator(":focus")).to_be_checked()
    page.keyboard.press("Enter")

    page.wait_for_url(f"{site}/accounts/register/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check your mail")
    user = User.objects.get(email="max@example.org")
    assert (user.full_name, user.preferred_language, user.is_verified) == (
        "Max Mustermann",
        "de",
        False,
    )
    assert page.problems.all() == []


def test_wrong_password_shows_error_and_keeps_email(new_page, site):
    UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    page = new_page(locale="en-GB")
    page.goto("/accounts/login/")

    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD + "-wrong")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_have_text("The email address or the password is wrong.")
    page.wait_for_url(f"{site}/accounts/login/")
    expect(page.get_by_label("Email address")).to_have_value("ada@example.org")
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    expect(page.get_by_role("navigation").get_by_role("link", name="Ada")).to_have_count(0)
    # A failed POST answers 200 with the form again, so no failed request is expected.
    assert page.problems.all() == []
