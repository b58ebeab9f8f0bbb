"""Consent to the privacy policy (GDPR art. 7): asked at registration, recorded with its
version, asked again when the version changes; a page view with current consent costs no
query for it."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PrivacyConsent, User
from tests.accounts.helpers import NEW_PASSWORD, register
from tests.factories import UserFactory
from tests.helpers import field_errors, text

pytestmark = pytest.mark.django_db

CONSENT = "/accounts/privacy/consent/"
PROFILE = "/accounts/profile/"


def _consent_label(response) -> str:
    match = re.search(
        r'<label[^>]*for="id_privacy_consent"[^>]*>(.*?)</label>', text(response), flags=re.S
    )
    assert match is not None, "no consent checkbox"
    return " ".join(match.group(1).split())


def _register_without_the_box(client, language: str):
    data = {
        "full_name": "Anna Schmidt",
        "email": "anna.schmidt@example.org",
        "preferred_language": language,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return client.post(reverse("accounts:register"), data, HTTP_ACCEPT_LANGUAGE=language)


def _consent_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "accounts_privacyconsent" in q["sql"]]


# --- Registration -----------------------------------------------------------------------


def test_registration_without_the_box_is_refused_and_creates_nothing(client, settings):
    settings.LAUREL_PRIVACY_URL = "https://example.org/datenschutz"
    response = _register_without_the_box(client, "en")

    assert response.status_code == 200
    assert field_errors(response, "privacy_consent") == [
        "Please agree to the privacy policy to register."
    ]
    assert not User.objects.exists()
    assert not PrivacyConsent.objects.exists()


def test_registration_with_the_box_records_the_current_version(client, settings):
    settings.LAUREL_PRIVACY_VERSION = "2026-12"

    response = register(client, email="anna.schmidt@example.org")

    assert response.status_code == 302
    user = User.objects.get(email="anna.schmidt@example.org")
    [consent] = user.privacy_consents.all()
    assert consent.version == "2026-12"
    assert consent.accepted_at is not None


def test_registering_a_taken_address_records_nothing_for_its_account(client):
    owner = UserFactory(email="anna.schmidt@example.org", privacy_consent=False)

    response = register(client, email="anna.schmidt@example.org")

    assert response.status_code == 302  # the same "check your mail" page as for a new one
    assert User.objects.count() == 1
    assert not owner.privacy_consents.exists()


def test_the_box_links_the_policy_safely(client, settings):
    settings.LAUREL_PRIVACY_URL = 'https://example.org/datenschutz?a=1&b="x"'

    response = client.get(reverse("accounts:register"), HTTP_ACCEPT_LANGUAGE="en")

    label = _consent_label(response)
    assert (
        '<a href="https://example.org/datenschutz?a=1&amp;b=&quot;x&quot;" target="_blank" '
        'rel="noopener">privacy policy</a>'
    ) in label
    assert re.sub(r"<[^>]+>", "", label).startswith(
        "I have read the privacy policy and agree to it."
    )


def test_without_a_policy_address_the_box_names_it_without_a_link(client, settings):
    settings.LAUREL_PRIVACY_URL = ""

    response = client.get(reverse("accounts:register"), HTTP_ACCEPT_LANGUAGE="en")

    label = _consent_label(response)
    assert "<a " not in label
    assert label.startswith("I have read the privacy policy and agree to it.")


# --- A new version asks again ---------------------------------------------------------------


def test_a_new_version_asks_again_and_accepting_returns_to_the_page(client, settings):
    settings.LAUREL_PRIVACY_URL = "https://example.org/datenschutz"
    settings.LAUREL_PRIVACY_VERSION = "2026-12"
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200

    settings.LAUREL_PRIVACY_VERSION = "2027-06"
    response = client.get(f"{PROFILE}?tab=1")

    assert response.status_code == 302
    assert response["Location"] == f"{CONSENT}?next=%2Faccounts%2Fprofile%2F%3Ftab%3D1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = text(page)
    assert "We have changed our" in html
    assert 'href="https://example.org/datenschutz"' in html
    assert "Version 2027-06" in html

    accepted = client.post(CONSENT, {"next": "/accounts/profile/?tab=1"})

    assert accepted.status_code == 302
    assert accepted["Location"] == "/accounts/profile/?tab=1"
    assert sorted(user.privacy_consents.values_list("version", flat=True)) == [
        "2026-12",
        "2027-06",
    ]
    assert client.get(PROFILE).status_code == 200


def test_someone_who_never_agreed_is_asked_on_the_next_page_view(client):
    user = UserFactory(preferred_language="en", privacy_consent=False)
    client.force_login(user)

    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(CONSENT)
    page = text(client.get(CONSENT))
    assert "Please read our" in page
    assert "We have changed" not in page


def test_accepting_ignores_a_next_to_another_site(client):
    client.force_login(UserFactory(privacy_consent=False))

    response = client.post(CONSENT, {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:start")


def test_the_way_out_and_the_language_switcher_stay_open(client):
    client.force_login(UserFactory(privacy_consent=False))

    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.get(CONSENT).status_code == 200
    logout = client.post(reverse("accounts:logout"))
    assert logout.status_code == 302
    assert client.get(PROFILE)["Location"].startswith(reverse("accounts:login"))


def test_a_script_is_answered_with_json_not_a_redirect(client):
    client.force_login(UserFactory(preferred_language="en", privacy_consent=False))

    response = client.post("/submissions/1/autosave/", {"x": "1"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 403
    answer = json.loads(response.content)
    assert (answer["ok"], answer["code"], answer["final"]) == (False, "session", True)
    assert "privacy policy" in answer["message"]


def test_anonymous_visitors_are_not_asked(client):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(CONSENT)["Location"].startswith(reverse("accounts:login"))


# --- No query per page view -------------------------------------------------------------


def test_a_page_view_with_current_consent_asks_the_database_nothing_about_it(client):
    client.force_login(UserFactory())  # the login notes the consent in the session

    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROFILE).status_code == 200

    assert _consent_queries(queries) == []


def test_a_session_from_before_the_change_asks_once_then_remembers(client, settings):
    user = UserFactory()
    client.force_login(user)
    settings.LAUREL_PRIVACY_VERSION = "2027-06"
    PrivacyConsent.objects.create(user=user, version="2027-06")  # agreed on another device

    with CaptureQueriesContext(connection) as first:
        assert client.get(PROFILE).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(PROFILE).status_code == 200

    assert len(_consent_queries(first)) == 1
    assert _consent_queries(second) == []


# --- German -----------------------------------------------------------------------------


def test_the_question_in_german(client, settings):
    settings.LAUREL_PRIVACY_URL = "https://example.org/datenschutz"
    client.force_login(UserFactory(preferred_language="de", privacy_consent=False))

    html = text(client.get(CONSENT))

    assert "<h1>Unsere Datenschutzerklärung</h1>" in html
    assert "Bitte lesen Sie unsere" in html
    assert ">Ich stimme zu</button>" in html
    assert ">Abmelden</button>" in html


def test_the_box_in_german(client, settings):
    settings.LAUREL_PRIVACY_URL = ""

    response = client.get(reverse("accounts:register"), HTTP_ACCEPT_LANGUAGE="de")

    assert _consent_label(response).startswith(
        "Ich habe die Datenschutzerklärung gelesen und stimme ihr zu."
    )
    refused = _register_without_the_box(client, "de")
    assert field_errors(refused, "privacy_consent") == [
        "Bitte stimmen Sie der Datenschutzerklärung zu, um sich zu registrieren."
    ]


def test_the_rights_over_ones_data_do_not_wait_for_consent(client):
    # Export and deletion (GDPR art. 15, 17, 20) stay open to someone who has not agreed
    # to a new version of the policy.
    client.force_login(UserFactory(preferred_language="en", privacy_consent=False))

    assert client.get(reverse("privacy:data")).status_code == 200
    assert client.get(reverse("privacy:account_delete")).status_code == 200
    assert client.get(PROFILE).status_code == 302
