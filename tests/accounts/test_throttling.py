"""Login throttling (django-axes): the 6th wrong password in a row is refused for a while."""

import pytest
from django.urls import reverse

from tests.accounts.helpers import NEW_PASSWORD, is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts, the_link

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not the password at all"
NORMAL_ERROR = ["The email address or the password is wrong."]
LOCKED = (
    "This account is locked after too many wrong passwords. "
    "Please try again in 15 minutes or reset your password."
)
ADDRESS_PAUSED = (
    "Too many failed logins came from your network address, so logins from it are paused. "
    "Your account itself is not locked. Please try again in 15 minutes."
)
ATTACKER = "198.51.100.7"
OTHER_ADDRESS = "203.0.113.20"


def _attempt(client, email, password, address=ATTACKER, **extra):
    return log_in(client, email, password, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en", **extra)


def _answers(responses):
    return [(response.status_code, alerts(response)) for response in responses]


def test_five_wrong_passwords_get_the_normal_error_and_the_sixth_is_refused(client):
    UserFactory(email="anna@example.org")

    responses = [_attempt(client, "anna@example.org", WRONG_PASSWORD) for _ in range(6)]

    assert _answers(responses[:5]) == [(200, NORMAL_ERROR)] * 5
    assert _answers(responses[5:]) == [(429, [LOCKED])]
    assert "<h1>Too many failed attempts</h1>" in responses[5].content.decode()
    assert '<a href="/accounts/password/reset/">' in responses[5].content.decode()


def test_locked_account_refuses_even_the_right_password(client):
    UserFactory(email="anna@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    response = _attempt(client, "anna@example.org", PASSWORD)

    assert _answers([response]) == [(429, [LOCKED])]
    assert is_signed_in(client) is False


def test_forging_a_new_x_forwarded_for_each_time_does_not_dodge_the_lock(client):
    UserFactory(email="anna@example.org")

    responses = [
        _attempt(client, "anna@example.org", WRONG_PASSWORD, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        for n in range(1, 7)
    ]
    right = _attempt(client, "anna@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert _answers(responses) == [(200, NORMAL_ERROR)] * 5 + [(429, [LOCKED])]
    assert _answers([right]) == [(429, [LOCKED])]


def test_address_is_read_from_remote_addr_not_from_a_forged_header(client):
    UserFactory(email="anna@example.org")
    UserFactory(email="bert@example.org")
    for n in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD, HTTP_X_FORWARDED_FOR=f"10.0.1.{n}")

    # Another account, but from the same real address: the address itself is locked, and
    # the page says so instead of calling Bert's account locked.
    response = _attempt(client, "bert@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.1.99")

    assert _answers([response]) == [(429, [ADDRESS_PAUSED])]
    assert is_signed_in(client) is False


def test_the_locked_account_itself_is_still_told_its_account_is_locked_from_that_address(client):
    UserFactory(email="anna@example.org")
    UserFactory(email="bert@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    colleague = _attempt(client, "bert@example.org", PASSWORD)
    anna = _attempt(client, "Anna@Example.org", PASSWORD)

    assert _answers([colleague]) == [(429, [ADDRESS_PAUSED])]
    assert _answers([anna]) == [(429, [LOCKED])]


def test_the_address_pause_is_explained_in_german(client):
    UserFactory(email="anna@example.org")
    UserFactory(email="bert@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    response = log_in(
        client, "bert@example.org", PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 429
    [alert] = alerts(response)
    assert "Netzwerkadresse" in alert
    assert "Ihr Konto selbst ist nicht gesperrt" in alert


def test_other_account_from_another_address_is_unaffected(client):
    UserFactory(email="anna@example.org")
    UserFactory(email="bert@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    response = _attempt(client, "bert@example.org", PASSWORD, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert is_signed_in(client) is True


def test_locked_account_stays_locked_from_another_address(client):
    UserFactory(email="anna@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    response = _attempt(client, "anna@example.org", PASSWORD, address=OTHER_ADDRESS)

    assert _answers([response]) == [(429, [LOCKED])]


def test_changing_the_case_of_the_address_does_not_dodge_the_lock(client):
    UserFactory(email="anna@example.org")
    variants = [
        "anna@example.org",
        "Anna@example.org",
        "ANNA@example.org",
        "anna@EXAMPLE.org",
        "aNNa@Example.Org",
        "ANNA@EXAMPLE.ORG",
    ]

    # Each variant from an address of its own, so only the account lock can stop them.
    responses = [
        _attempt(client, email, WRONG_PASSWORD, address=f"192.0.2.{n}")
        for n, email in enumerate(variants, start=1)
    ]
    right = _attempt(client, "Anna@Example.org", PASSWORD, address="192.0.2.50")

    assert _answers(responses) == [(200, NORMAL_ERROR)] * 5 + [(429, [LOCKED])]
    assert _answers([right]) == [(429, [LOCKED])]


def test_successful_login_before_the_limit_resets_the_count(client):
    UserFactory(email="anna@example.org")
    for _ in range(5):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)
    assert _attempt(client, "anna@example.org", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    again = [_attempt(client, "anna@example.org", WRONG_PASSWORD) for _ in range(5)]
    right = _attempt(client, "anna@example.org", PASSWORD)

    assert _answers(again) == [(200, NORMAL_ERROR)] * 5
    assert right.status_code == 302
    assert is_signed_in(client) is True


def test_choosing_a_new_password_by_mail_unlocks_the_account(client, smtp_server):
    # The lockout page offers "reset your password" as the way out; it has to be one.
    UserFactory(email="anna@example.org")
    for _ in range(6):
        _attempt(client, "anna@example.org", WRONG_PASSWORD)

    client.post(reverse("accounts:password_reset"), {"email": "anna@example.org"})
    [mail] = smtp_server.wait_for(1)
    form = client.get(the_link(mail, "/accounts/password/reset/"), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = _attempt(client, "anna@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client) is True
