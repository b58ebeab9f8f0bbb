"""The API in a real browser: an organiser creates a token in their profile (every page fits
a phone and passes axe-core, in English and German), copies it, reads their award with it,
revokes it; and the API documentation (Swagger UI from our own files) shows the operations
under the site's Content-Security-Policy without a violation (the conftest fails any)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import page_findings
from tests.factories import PASSWORD, AwardFactory, AwardRoleFactory, UserFactory

pytestmark = [pytest.mark.browser]

PASSWORD_LABELS = {"en": re.compile(r"^\s*Password\W*$"), "de": re.compile(r"^\s*Passwort\W*$")}


def log_in(page, site, email: str, language: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address" if language == "en" else "E-Mail-Adresse").fill(email)
    page.get_by_label(PASSWORD_LABELS[language]).fill(PASSWORD)
    button = "Log in" if language == "en" else "Anmelden"
    page.get_by_role("main").get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(f"^{re.escape(site)}/(?!accounts/login/)"))


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_organiser_creates_uses_and_revokes_a_token(new_page, site, language):
    award = AwardFactory(status="open", name="Lightweight Innovation Award with a long name")
    user = UserFactory(email="olga@example.org", preferred_language=language)
    AwardRoleFactory(award=award, user=user)
    page = new_page(locale="en-GB" if language == "en" else "de-DE")
    log_in(page, site, "olga@example.org", language)

    page.goto("/accounts/profile/")
    page.locator("[data-testid=api-tokens-link]").click()
    page.wait_for_url(f"{site}/accounts/api-tokens/")
    assert page_findings(page) == []
    page.locator("[data-testid=token-new]").click()
    assert page_findings(page) == []
    page.locator("#id_name").fill("Website winners list")
    page.locator("#id_expires_in_days").fill("30")
    page.locator("[data-testid=token-create]").click()

    token = page.locator("[data-testid=token-plain]").input_value()
    assert token.startswith("lrl_")
    assert page_findings(page) == []
    answer = page.request.get(
        f"{site}/api/v1/awards/{award.slug}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200 and answer.json()["slug"] == award.slug
    page.locator("[data-testid=token-saved]").click()
    row = page.locator("[data-testid=tokens] tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Website winners list")
    assert token not in page.content()
    assert page_findings(page) == []

    row.locator("[data-testid=token-revoke]").click()
    assert page_findings(page) == []
    page.locator("[data-testid=token-revoke-confirm]").click()
    page.wait_for_url(f"{site}/accounts/api-tokens/")
    expect(page.locator("[data-testid=token-revoke]")).to_have_count(0)
    expect(page.locator("[data-testid=token-state] .badge")).to_be_visible()
    refused = page.request.get(
        f"{site}/api/v1/awards/{award.slug}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status == 401
    assert page.problems.all() == []


def test_the_documentation_shows_the_operations_under_the_policy(new_page, site):
    page = new_page(locale="en-GB")

    response = page.goto("/api/v1/docs/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = {text.replace("\u200b", "") for text in operations.all_inner_texts()}
    assert "/api/v1/public/awards/" in paths
    assert "/api/v1/public/awards/{slug}/results/" in paths
    assert "/api/v1/awards/{slug}/" in paths
    expect(page.locator(".auth-wrapper .authorize")).to_be_visible()  # the Bearer token
    page.locator(".opblock-summary-path", has_text="/api/v1/public/awards/").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.wait_for_timeout(300)
    assert page.problems.all() == []
    # It fits a phone, and what axe-core still finds is Swagger UI's own markup (a copy
    # button inside each operation's summary button; the example's scrolling box), which
    # no stylesheet of ours changes. Its colours are ours (static/css/api-docs.css).
    findings = [line.split(":")[1].split("(")[0].strip() for line in page_findings(page)]
    assert set(findings) <= {"axe nested-interactive", "axe scrollable-region-focusable"}
