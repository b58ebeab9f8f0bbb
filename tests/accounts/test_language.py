"""Which language pages come in: the switcher, the cookie, Accept-Language, the profile.

The German wording comes from locale/de; the tests under "German wording" assert it.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import log_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts, html_lang

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _labels(response) -> list[str]:
    """The text of every form label on the page, tags (such as the required asterisk) removed."""
    found = re.findall(r"<label[^>]*>(.*?)</label>", response.content.decode(), flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", label).split()) for label in found]


def _switch(client, language, next_url="/accounts/login/", **extra):
    return client.post(reverse("set_language"), {"language": language, "next": next_url}, **extra)


# --- German by default, English on request ------------------------------------------------
@pytest.mark.parametrize("page", ["accounts:login", "accounts:register"])
def test_pages_are_german_by_default(client, page):
    response = client.get(reverse(page))

    assert response.status_code == 200
    assert html_lang(response) == "de"
    assert response["Content-Language"] == "de"


@pytest.mark.parametrize(
    ("page", "heading"), [("accounts:login", "Log in"), ("accounts:register", "Register")]
)
def test_pages_are_english_for_a_browser_asking_for_english(client, page, heading):
    response = client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    assert f"<h1>{heading}</h1>" in response.content.decode()


# --- The switcher, for visitors -----------------------------------------------------------
def test_switching_to_english_sets_the_cookie_and_the_next_page_is_english(client):
    response = _switch(client, "en", next_url="/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "en"
    page = client.get(response["Location"])
    assert html_lang(page) == "en"
    assert "<h1>Log in</h1>" in page.content.decode()


def test_switching_back_to_german_beats_an_english_browser(client):
    _switch(client, "en")

    response = _switch(client, "de", next_url="/accounts/register/")

    assert response.cookies[COOKIE].value == "de"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "de"


def test_next_is_kept_with_its_query_string(client):
    response = _switch(client, "en", next_url="/accounts/login/?next=/accounts/profile/")

    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://evil.example/accounts/"]
)
def test_next_off_site_is_ignored(client, next_url):
    response = _switch(client, "en", next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "en"


def test_unknown_language_changes_nothing(client):
    response = _switch(client, "fr")

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert html_lang(client.get(response["Location"])) == "de"


def test_switcher_only_accepts_post(client):
    response = client.get(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 405


def test_switcher_enforces_csrf(client):
    browser = Client(enforce_csrf_checks=True)

    without_token = _switch(browser, "en")
    browser.get(reverse("accounts:login"))  # hands out the CSRF cookie, as the page would
    with_token = browser.post(
        reverse("set_language"),
        {
            "language": "en",
            "next": "/accounts/login/",
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )

    assert without_token.status_code == 403
    assert COOKIE not in without_token.cookies
    assert with_token.status_code == 302
    assert with_token.cookies[COOKIE].value == "en"


# --- Signed-in users ----------------------------------------------------------------------
def test_switching_while_signed_in_updates_the_preferred_language(client):
    user = UserFactory(preferred_language="de")
    client.force_login(user)

    response = _switch(client, "en", next_url="/accounts/profile/")

    assert response["Location"] == "/accounts/profile/"
    assert User.objects.get(pk=user.pk).preferred_language == "en"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert html_lang(page) == "en"
    assert "<h1>Your profile</h1>" in page.content.decode()


def test_signed_in_user_sees_the_preferred_language_over_cookie_and_browser(client):
    client.force_login(UserFactory(preferred_language="en"))
    client.cookies[COOKIE] = "de"

    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="de")

    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"


def test_preferred_language_does_not_leak_to_the_next_visitor(client):
    client.force_login(UserFactory(preferred_language="en"))
    client.get(reverse("accounts:profile"))

    stranger = Client().get(reverse("accounts:login"))

    assert html_lang(stranger) == "de"


# --- German wording -----------------------------------------------------------------------
def test_login_page_in_german(client):
    response = client.get(reverse("accounts:login"))

    html = response.content.decode()
    assert "<title>Anmelden · Laurel</title>" in html
    assert "<h1>Anmelden</h1>" in html
    assert '<a href="/accounts/password/reset/">Passwort vergessen?</a>' in html
    assert 'Noch kein Konto? <a href="/accounts/register/">Registrieren</a>' in html
    assert _labels(response) == ["E-Mail-Adresse*", "Passwort*"]
    assert '<button type="submit" class="btn btn-primary">Anmelden</button>' in html


def test_register_page_in_german(client):
    response = client.get(reverse("accounts:register"))

    html = response.content.decode()
    assert "<h1>Registrieren</h1>" in html
    assert (
        "Legen Sie ein Konto an, um die Innovationen Ihres Unternehmens einzureichen. "
        "Jurorinnen und Juroren werden vom Organisationsteam eingeladen."
    ) in html
    assert _labels(response) == [
        "Vollständiger Name*",
        "E-Mail-Adresse*",
        "Bevorzugte Sprache*",
        "Passwort*",
        "Passwort (wiederholen)*",
        "Ich habe die Datenschutzerklärung gelesen und stimme ihr zu.*",
    ]
    assert '<button type="submit" class="btn btn-primary">Konto anlegen</button>' in html
    assert 'Bereits registriert? <a href="/accounts/login/">Anmelden</a>' in html


def test_english_visitor_switching_to_german_sees_german_words(client):
    _switch(client, "en")

    response = _switch(client, "de", next_url="/accounts/login/")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")

    assert "<h1>Anmelden</h1>" in page.content.decode()


def test_login_errors_in_german(client):
    UserFactory(email="anna@example.org")
    UserFactory(email="bert@example.org", email_verified_at=None)

    wrong = log_in(client, "anna@example.org", "not the password")
    unverified = log_in(client, "bert@example.org", PASSWORD)

    assert alerts(wrong) == ["Die E-Mail-Adresse oder das Passwort ist falsch."]
    assert alerts(unverified) == [
        "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse: Folgen Sie dem Link in der E-Mail, "
        "die wir Ihnen geschickt haben. Link erneut senden."
    ]
    assert '<a href="/accounts/verify/resend/">Link erneut senden</a>' in (
        unverified.content.decode()
    )


def test_lockout_page_in_german(client):
    UserFactory(email="anna@example.org")

    responses = [
        log_in(client, "anna@example.org", "not the password", REMOTE_ADDR="198.51.100.7")
        for _ in range(6)
    ]

    locked = responses[-1]
    assert locked.status_code == 429
    assert html_lang(locked) == "de"
    html = locked.content.decode()
    assert "<h1>Zu viele Fehlversuche</h1>" in html
    assert alerts(locked) == [
        "Dieses Konto ist nach zu vielen falschen Passwörtern gesperrt. Bitte versuchen Sie es "
        "in 15 Minuten erneut oder setzen Sie Ihr Passwort zurück."
    ]
    assert '<a href="/accounts/password/reset/">Passwort zurücksetzen</a>' in html


def test_navigation_in_german_for_a_signed_in_user(client):
    client.force_login(UserFactory(full_name="Anna Schmidt", preferred_language="de"))

    html = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>Ihr Profil</h1>" in html
    assert ">Abmelden</button>" in html
    assert ">Passwort ändern</a>" in html
    assert "Zum Inhalt springen" in html
