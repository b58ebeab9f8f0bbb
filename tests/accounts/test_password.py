import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import NEW_PASSWORD, is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts, field_errors, mail_text, the_link

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
INVALID_LINK = (
    "This link is invalid or has been used already. Please ask for a new one. Reset your password"
)


def _ask_for_reset(client, smtp_server, email="anna@example.org", **extra):
    response = client.post(reverse("accounts:password_reset"), {"email": email}, **extra)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    [mail] = smtp_server.wait_for(1)
    return mail


def _set_new_password(client, link, password1=NEW_PASSWORD, password2=NEW_PASSWORD):
    # The link hides its token behind a redirect to a ".../set-password/" form.
    form = client.get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    [(form_url, _)] = form.redirect_chain
    return client.post(
        form_url,
        {"new_password1": password1, "new_password2": password2},
        HTTP_ACCEPT_LANGUAGE="en",
    )


# --- Reset by mail ----------------------------------------------------------------------
def test_reset_mail_arrives_with_a_link(client, smtp_server):
    UserFactory(email="anna@example.org", full_name="Anna Schmidt", preferred_language="en")

    mail = _ask_for_reset(client, smtp_server)

    assert mail["To"] == "anna@example.org"
    assert mail["Subject"] == "Choose a new password – Laurel"
    link = the_link(mail, RESET)
    assert mail_text(mail).startswith(
        "Hello Anna Schmidt,\n\nyou asked to choose a new password. Open this link to do so:\n\n"
        f"{settings.SITE_URL}{link}\n"  # SITE_URL, not the host the request named
    )


def test_link_from_the_mail_sets_a_new_password_to_log_in_with(client, smtp_server):
    UserFactory(email="anna@example.org")
    mail = _ask_for_reset(client, smtp_server)

    response = _set_new_password(client, the_link(mail, RESET))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert log_in(Client(), "anna@example.org", PASSWORD).status_code == 200
    assert log_in(client, "anna@example.org", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client) is True


def test_new_password_must_have_twelve_characters(client, smtp_server):
    UserFactory(email="anna@example.org")
    mail = _ask_for_reset(client, smtp_server)

    response = _set_new_password(client, the_link(mail, RESET), "eleven char", "eleven char")

    assert response.status_code == 200
    # Django reports the rules under the second field, next to where the typing ended.
    assert field_errors(response, "new_password2") == [
        "This password is too short. It must contain at least 12 characters."
    ]
    assert User.objects.get().check_password(PASSWORD)


def test_reset_link_cannot_be_used_twice(client, smtp_server):
    UserFactory(email="anna@example.org")
    mail = _ask_for_reset(client, smtp_server)
    link = the_link(mail, RESET)
    _set_new_password(client, link)

    again = Client().get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert again.status_code == 200
    assert alerts(again) == [INVALID_LINK]
    assert 'name="new_password1"' not in again.content.decode()


def test_unknown_address_gets_the_same_page_and_no_mail(client, smtp_server):
    UserFactory(email="anna@example.org")

    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    known = Client().post(reverse("accounts:password_reset"), {"email": "anna@example.org"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    page = client.get(unknown["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "If an account uses this address, we have sent it a link to choose a new password."
        in page.content.decode()
    )
    # Mail goes out while the request is answered: once the known address's mail is in,
    # anything for the unknown one would be too.
    smtp_server.wait_for(1)
    assert [mail["To"] for mail in smtp_server.messages] == ["anna@example.org"]


# --- Change while signed in -------------------------------------------------------------
def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def test_password_change_refuses_a_wrong_old_password(client):
    client.force_login(UserFactory(email="anna@example.org", preferred_language="en"))

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not the old password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert field_errors(response, "old_password") == [
        "Your old password was entered incorrectly. Please enter it again."
    ]
    assert User.objects.get().check_password(PASSWORD)


def test_password_change_with_the_old_password_keeps_the_user_signed_in(client):
    client.force_login(UserFactory(email="anna@example.org"))

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    assert is_signed_in(client) is True
    assert log_in(Client(), "anna@example.org", NEW_PASSWORD).status_code == 302


def test_reset_mail_is_written_in_the_accounts_language_not_the_pages(client, smtp_server):
    from tests.factories import UserFactory

    UserFactory(email="greta@example.org", preferred_language="de")
    client.post(
        "/accounts/password/reset/",
        {"email": "greta@example.org"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    mail = smtp_server.wait_for(1)[0]
    assert mail["Subject"].strip() == "Neues Passwort wählen – Laurel"
