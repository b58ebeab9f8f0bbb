"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol, WebAuthn
domain) stands in for the fingerprint reader. A person adds a passkey on their security page,
then logs in with it as the second step after the password, and without any password.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SecurityEvent, SecurityEventKind
from tests.browser.checks import page_findings
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser]

PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")


def _virtual_authenticator(page) -> tuple:
    """A platform authenticator that keeps passkeys and verifies the user (as with a
    fingerprint), attached to ``page``'s browser context."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def _log_out(page, site):
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "button", name="Log out"
    ).click()
    page.wait_for_url(f"{site}/")


def _password_step(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()


def test_person_adds_a_passkey_and_logs_in_with_it_with_and_without_password(new_page, site):
    user = UserFactory(
        email="paula@example.org", full_name="Paula Passkey", preferred_language="en"
    )
    page = new_page(locale="en-GB")
    cdp, authenticator = _virtual_authenticator(page)
    nav = page.get_by_role("navigation", name="Main navigation")

    _password_step(page, user.email)
    page.wait_for_url(f"{site}/me/")

    page.goto("/accounts/security/")
    expect(page.get_by_test_id("no-passkeys")).to_be_visible()
    page.get_by_label("Name of the passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    # The first second factor comes with recovery codes, shown once.
    page.wait_for_url(f"{site}/accounts/security/passkeys/recovery-codes/")
    expect(page.get_by_role("alert").first).to_have_text("Your passkey “Work laptop” is set up.")
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved the codes").click()
    page.wait_for_url(f"{site}/accounts/security/")
    expect(page.get_by_test_id("passkey-name")).to_have_text(["Work laptop"])
    expect(page.get_by_test_id("passkey")).to_contain_text("not used yet")
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert credential["isResidentCredential"] is True  # usable without a password
    assert page_findings(page) == []

    # (a) The password, then the passkey as the second step.
    _log_out(page, site)
    _password_step(page, user.email)
    page.wait_for_url(f"{site}/accounts/login/second-step/")
    expect(nav.get_by_role("button", name="Log out")).to_have_count(0)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{site}/me/")
    expect(nav.get_by_role("link", name="Paula", exact=True)).to_be_visible()

    # (b) No password at all: the passkey on the login page.
    _log_out(page, site)
    page.goto("/accounts/login/")
    expect(page.get_by_test_id("passkey-alert")).to_be_hidden()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{site}/me/")
    expect(nav.get_by_role("link", name="Paula", exact=True)).to_be_visible()

    assert (
        SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.PASSKEY_LOGIN).count() == 2
    )
    passkey = user.passkeys.get()
    assert passkey.last_used_at is not None
    page.goto("/accounts/security/")
    expect(page.get_by_test_id("passkey")).not_to_contain_text("not used yet")
    assert page.problems.all() == []


def test_without_a_passkey_on_the_device_the_login_page_says_so(new_page, site):
    UserFactory(email="paula@example.org", preferred_language="en")
    page = new_page(locale="en-GB")
    _virtual_authenticator(page)  # an authenticator that holds no passkey of this site

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Use a passkey").click()

    expect(page.get_by_test_id("passkey-alert")).to_have_text(
        "No passkey was used. Please try again, or log in another way."
    )
    expect(page.get_by_role("button", name="Use a passkey")).to_be_enabled()
    page.wait_for_url(f"{site}/accounts/login/")
    assert page.problems.all() == []
