"""The authenticator app in a real browser: a juror of an award whose organisers require a
second factor logs in, is led to set one up and sees no entry before; scans (reads) the key,
confirms a code, keeps the recovery codes; logs in again with password and app code, then
with a recovery code, which does not work a second time."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.checks import page_findings
from tests.factories import PASSWORD, judging_setup

pytestmark = [pytest.mark.browser]

PASSWORD_LABEL = re.compile(r"^\s*Password\W*$")


def _code(secret: str, *, at: float) -> str:
    """What an authenticator app shows for the typed key ``secret`` at the moment ``at``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = at
    return f"{totp.token():06d}"


def _password_step(page, email):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()


def test_a_juror_sets_up_the_app_the_award_requires_and_logs_in_with_it(new_page, site):
    setup = judging_setup(entries=1, jurors=1)
    setup.award.mfa_required = True
    setup.award.save(update_fields=["mfa_required"])
    juror = setup.jurors[0].user
    juror.preferred_language = "en"
    juror.save(update_fields=["preferred_language"])
    entry_title = setup.submissions[0].title
    dashboard = f"/jury/{setup.award.slug}/"
    page = new_page(locale="en-GB")

    # Led to set up a second factor, nothing of the award shown.
    _password_step(page, juror.email)
    page.goto(dashboard)
    page.wait_for_url(re.compile(r"/accounts/security/\?next="))
    expect(page.get_by_role("alert").first).to_contain_text(
        "require a second factor for logging in"
    )
    expect(page.get_by_role("main")).not_to_contain_text(entry_title)
    findings = [f"security: {line}" for line in page_findings(page)]

    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    findings += [f"setup: {line}" for line in page_findings(page)]
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(
        "000000" if _code(secret, at=time.time()) != "000000" else "1"
    )
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_text("This code is not right.")).to_be_visible()
    time.sleep(1.2)  # a wrong code makes the next try wait a second (django-otp)
    page.get_by_role("textbox", name="Code").fill(_code(secret, at=time.time()))
    page.get_by_role("button", name="Confirm and turn on").click()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text().strip()
    findings += [f"codes: {line}" for line in page_findings(page)]
    page.get_by_role("link", name="I have saved the codes").click()
    page.wait_for_url(f"{site}{dashboard}")  # back where the award asked for it

    # The password alone is not enough; the app's next code is.
    _password_step(page, juror.email)
    page.wait_for_url(f"{site}/accounts/login/second-step/")
    findings += [f"second step: {line}" for line in page_findings(page)]
    page.get_by_role("textbox", name="Code").fill(_code(secret, at=time.time() + 30))
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(dashboard)
    page.wait_for_url(f"{site}{dashboard}")

    # A recovery code works once.
    _password_step(page, juror.email)
    page.get_by_role("textbox", name="Code").fill(recovery)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("You used a recovery code; 9 are left")
    _password_step(page, juror.email)
    page.get_by_role("textbox", name="Code").fill(recovery)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("This code is not right. Please try again.")).to_be_visible()
    page.goto(dashboard)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert findings == []
    # The two wrong codes were answered 400, as a refused form is; nothing else went wrong.
    unexpected = [
        p for p in page.problems.all() if not re.match(r"400 .*/accounts/(security/app|login/)", p)
    ]
    assert unexpected == []
