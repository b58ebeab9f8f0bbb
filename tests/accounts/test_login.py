import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from tests.accounts.helpers import is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts

pytestmark = pytest.mark.django_db


def test_verified_user_logs_in_and_lands_on_their_own_home(client):
    UserFactory(email="anna@example.org")

    response = log_in(client, "anna@example.org", PASSWORD)

    assert response.status_code == 302
    # Where each role lands from there: tests/accounts/test_landing.py.
    assert response["Location"] == "/accounts/start/"
    assert is_signed_in(client) is True


def test_email_is_matched_in_any_case(client):
    UserFactory(email="anna@example.org")

    response = log_in(client, "Anna@Example.ORG", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client) is True


def test_wrong_password_shows_an_error(client):
    UserFactory(email="anna@example.org")

    response = log_in(client, "anna@example.org", "not the password", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert alerts(response) == ["The email address or the password is wrong."]
    assert is_signed_in(client) is False


def test_unknown_address_shows_the_same_error_as_a_wrong_password(client):
    response = log_in(client, "nobody@example.org", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert alerts(response) == ["The email address or the password is wrong."]


def test_unverified_user_is_refused_with_a_link_to_resend_the_mail(client):
    UserFactory(email="anna@example.org", email_verified_at=None)

    response = log_in(client, "anna@example.org", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert alerts(response) == [
        "Please confirm your email address first: follow the link in the mail we sent you. "
        "Send the link again."
    ]
    assert '<a href="/accounts/verify/resend/">Send the link again</a>' in (
        response.content.decode()
    )
    assert is_signed_in(client) is False


def test_inactive_user_is_refused(client):
    UserFactory(email="anna@example.org", is_active=False)

    response = log_in(client, "anna@example.org", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert alerts(response) == ["The email address or the password is wrong."]
    assert is_signed_in(client) is False


def test_login_gives_the_visitor_a_new_session_key(client):
    UserFactory(email="anna@example.org")
    # A visitor who already has a session (e.g. one planted by an attacker) before logging in.
    session = SessionStore()
    session["visited"] = True
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    log_in(client, "anna@example.org", PASSWORD)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert SessionStore().exists(before) is False
    assert is_signed_in(client) is True


def test_next_on_this_site_is_followed(client):
    UserFactory(email="anna@example.org")

    response = client.post(
        "/accounts/login/?next=/awards/lia-2031/",
        {"username": "anna@example.org", "password": PASSWORD, "next": "/awards/lia-2031/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/awards/lia-2031/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example", "///evil.example", "https:evil.example"],
)
def test_next_off_site_is_not_followed(client, next_url):
    UserFactory(email="anna@example.org")

    response = client.post(
        f"/accounts/login/?next={next_url}",
        {"username": "anna@example.org", "password": PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/start/"
    assert is_signed_in(client) is True


def test_login_page_carries_a_safe_next_into_the_form_but_drops_an_off_site_one(client):
    safe = client.get("/accounts/login/?next=/awards/lia-2031/")
    evil = client.get("/accounts/login/?next=https://evil.example/")

    assert '<input type="hidden" name="next" value="/awards/lia-2031/">' in safe.content.decode()
    assert '<input type="hidden" name="next" value="">' in evil.content.decode()


def test_signed_in_user_opening_the_login_page_goes_home(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/start/"


def test_logout_by_get_is_not_allowed(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert is_signed_in(client) is True


def test_logout_by_post_signs_out(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client) is False
