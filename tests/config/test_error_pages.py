"""403, 404 and 500 are Laurel's own pages, in the visitor's language, with DEBUG off (as in
production) and on (local settings: ``LAUREL_FRIENDLY_ERRORS``; Django's technical page
only with ``?debug``); the 500 page needs neither the request's context nor the database.
Every page's footer links the imprint and the privacy policy when they are configured."""

import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import translation

from core.errors import server_error
from tests.factories import UserFactory
from tests.services import ROOT

FORBIDDEN = "/test-errors/forbidden/"
BROKEN = "/test-errors/broken/"
TECHNICAL_404 = "You’re seeing this error because you have <code>DEBUG = True</code>"
TECHNICAL_500 = "Traceback"


def shown(language: str, message: str) -> str:
    """``message`` as the page shows it in ``language`` (the German catalogue's, once it
    has the string)."""
    with translation.override(language):
        return translation.gettext(message)


def get(address: str, language: str) -> tuple[int, str]:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(address)
    return response.status_code, response.content.decode()


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """DEBUG as in production, and as in local settings (with the friendly pages)."""
    settings.DEBUG = request.param
    settings.LAUREL_FRIENDLY_ERRORS = True
    return request.param


LANGUAGES = pytest.mark.parametrize("language", ["de", "en"])
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.error_urls")]


@LANGUAGES
@pytest.mark.parametrize(
    "address", ["/no/such/page/", "/awards/no-such-award/"], ids=["no-pattern", "view-404"]
)
def test_404_is_the_friendly_page_in_the_visitors_language(debug, language, address):
    status, html = get(address, language)

    assert status == 404
    assert f'<html lang="{language}">' in html
    assert 'data-testid="error-page" data-status="404"' in html
    assert heading(html) == shown(language, "Page not found")
    assert TECHNICAL_404 not in html
    assert 'href="/accounts/login/?next=' in html  # a visitor may need to log in first
    # With DEBUG on, a link to Django's technical page for whoever develops.
    assert ('data-testid="technical-details"' in html) is debug


@LANGUAGES
def test_403_is_the_friendly_page_in_the_visitors_language(debug, language, client):
    client.force_login(UserFactory(preferred_language=language))

    response = client.get(FORBIDDEN)

    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html
    assert 'data-testid="error-page" data-status="403"' in html
    assert heading(html) == shown(language, "Not allowed")
    assert 'href="/accounts/start/"' in html  # back to the user's own home


@LANGUAGES
def test_500_is_the_friendly_page_in_the_language_of_the_cookie(
    debug, language, django_assert_num_queries
):
    client = Client(raise_request_exception=False)
    client.cookies["laurel_language"] = language

    with django_assert_num_queries(0):  # an anonymous visitor: nothing else reads the database
        response = client.get(BROKEN)

    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    assert 'data-testid="error-page" data-status="500"' in html
    assert heading(html) == shown(language, "Something went wrong")
    assert TECHNICAL_500 not in html
    assert ('data-testid="technical-details"' in html) is debug


def test_with_debug_on_the_technical_pages_are_one_parameter_away(settings):
    settings.DEBUG = True
    settings.LAUREL_FRIENDLY_ERRORS = True

    _, not_found = get("/no/such/page/", "en")
    _, broken = get(BROKEN, "en")

    assert 'href="/no/such/page/?debug=1"' in not_found
    assert 'href="/test-errors/broken/?debug=1"' in broken
    assert TECHNICAL_404 in get("/no/such/page/?debug=1", "en")[1]
    assert TECHNICAL_404 in get("/awards/no-such-award/?debug", "en")[1]
    status, html = get(f"{BROKEN}?debug=1", "en")
    assert status == 500
    assert TECHNICAL_500 in html and "broken on purpose" in html


def test_the_traceback_of_a_friendly_500_still_goes_to_the_log(settings, caplog):
    settings.DEBUG = True
    settings.LAUREL_FRIENDLY_ERRORS = True

    get(BROKEN, "en")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == f"Internal Server Error: {BROKEN}"
    assert "broken on purpose" in str(record.exc_info[1])


def test_without_friendly_errors_debug_shows_django_s_technical_pages(settings):
    settings.DEBUG = True
    settings.LAUREL_FRIENDLY_ERRORS = False

    assert TECHNICAL_404 in get("/no/such/page/", "en")[1]
    assert TECHNICAL_500 in get(BROKEN, "en")[1]


def test_a_missing_address_without_its_slash_is_still_redirected(debug):
    client = Client()

    response = client.get("/accounts/login")

    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


def test_local_settings_show_the_friendly_pages(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "LAUREL_VAR_DIR": str(tmp_path),
    }
    code = "from django.conf import settings as s; print(s.DEBUG, s.LAUREL_FRIENDLY_ERRORS)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.split() == ["True", "True"], result.stderr


# --- The footer's legal links -------------------------------------------------------------
LEGAL = {
    "LAUREL_IMPRINT_URL": "https://example.org/impressum",
    "LAUREL_PRIVACY_URL": "https://example.org/datenschutz",
}


def legal_links(html: str) -> list[tuple[str, str]]:
    footer = html.split("<footer", 1)[1]
    return re.findall(r'<a href="([^"]+)" class="link-secondary">([^<]+)</a>', footer)


@LANGUAGES
@pytest.mark.parametrize("address", ["/", "/accounts/login/", "/no/such/page/", BROKEN])
def test_every_page_links_the_imprint_and_the_privacy_policy(settings, language, address):
    for name, value in LEGAL.items():
        setattr(settings, name, value)

    _, html = get(address, language)

    assert legal_links(html) == [
        ("https://example.org/impressum", shown(language, "Legal notice")),
        ("https://example.org/datenschutz", shown(language, "Privacy policy")),
    ]


def test_without_addresses_the_footer_links_nothing(settings):
    settings.LAUREL_IMPRINT_URL = settings.LAUREL_PRIVACY_URL = ""

    _, html = get("/", "en")

    assert legal_links(html) == []
    assert 'data-testid="legal-links"' not in html


def test_the_500_page_needs_no_database_and_no_request(settings, django_db_blocker):
    settings.LAUREL_IMPRINT_URL = LEGAL["LAUREL_IMPRINT_URL"]
    with django_db_blocker.block(), translation.override("en"):  # a query would fail
        response = server_error(None)

    html = response.content.decode()
    assert response.status_code == 500
    assert heading(html) == "Something went wrong"
    assert legal_links(html) == [("https://example.org/impressum", "Legal notice")]
