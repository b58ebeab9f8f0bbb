import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import NEW_PASSWORD, is_signed_in, log_in, register
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts, field_errors, mail_text, page_without_csrf, the_link

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/verify/"


def _registered_and_mailed(client, smtp_server, **fields):
    response = register(client, **fields)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    [mail] = smtp_server.wait_for(1)
    return mail


# --- Registering ------------------------------------------------------------------------
def test_registration_creates_an_unverified_account_and_shows_check_your_mail(client, smtp_server):
    response = register(client, email="anna.schmidt@example.org", full_name="Anna Schmidt")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"
    user = User.objects.get()
    assert user.email == "anna.schmidt@example.org"
    assert user.full_name == "Anna Schmidt"
    assert user.preferred_language == "en"
    assert user.email_verified_at is None
    assert user.check_password(NEW_PASSWORD)
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Please check your mail</h1>" in done.content.decode()
    assert (
        "We have sent a message to <strong>anna.schmidt@example.org</strong>."
        in done.content.decode()
    )


def test_verification_mail_in_english_for_an_english_choice(client, smtp_server, settings):
    mail = _registered_and_mailed(client, smtp_server, preferred_language="en")

    assert mail["To"] == "anna.schmidt@example.org"
    assert mail["Subject"] == "Please confirm your email address – Laurel"
    link = the_link(mail, VERIFY)
    assert mail_text(mail) == (
        "Hello Anna Schmidt,\n"
        "\n"
        "please confirm your email address by opening this link:\n"
        "\n"
        f"{settings.SITE_URL}{link}\n"
        "\n"
        "The link is valid for 7 days. If you did not register, you can ignore this message.\n"
        "\n"
        "Laurel\n"
    )


def test_verification_mail_for_a_german_choice_arrives_with_a_working_link(client, smtp_server):
    # The German wording is asserted in test_verification_mail_in_german_for_a_german_choice.
    mail = _registered_and_mailed(client, smtp_server, preferred_language="de")

    assert mail["To"] == "anna.schmidt@example.org"
    response = client.get(the_link(mail, VERIFY))

    assert response.status_code == 302
    assert User.objects.get().preferred_language == "de"
    assert User.objects.get().is_verified is True


def test_verification_mail_in_german_for_a_german_choice(client, smtp_server, settings):
    mail = _registered_and_mailed(client, smtp_server, preferred_language="de")

    assert mail["To"] == "anna.schmidt@example.org"
    # A long non-ASCII subject is folded onto a continuation line ("Subject:\n =?utf-8?q?…");
    # Python's parser keeps the fold's leading space, which mail programs drop.
    assert mail["Subject"].strip() == "Bitte bestätigen Sie Ihre E-Mail-Adresse – Laurel"
    link = the_link(mail, VERIFY)
    assert mail_text(mail) == (
        "Guten Tag Anna Schmidt,\n"
        "\n"
        "bitte bestätigen Sie Ihre E-Mail-Adresse, indem Sie diesen Link öffnen:\n"
        "\n"
        f"{settings.SITE_URL}{link}\n"
        "\n"
        "Der Link ist 7 Tage gültig. "
        "Falls Sie sich nicht registriert haben, können Sie diese Nachricht ignorieren.\n"
        "\n"
        "Laurel\n"
    )


def test_verification_mail_follows_the_choice_in_the_form_not_the_page_language(
    client, smtp_server
):
    # Registering on the English page but choosing German: the mail is German.
    response = client.post(
        reverse("accounts:register"),
        {
            "full_name": "Anna Schmidt",
            "email": "anna.schmidt@example.org",
            "preferred_language": "de",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "privacy_consent": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"].strip() == "Bitte bestätigen Sie Ihre E-Mail-Adresse – Laurel"
    assert mail_text(mail).startswith("Guten Tag Anna Schmidt,\n")


def test_check_your_mail_page_in_german(client, smtp_server):
    response = register(client, email="anna.schmidt@example.org", preferred_language="de")

    done = client.get(response["Location"])

    html = done.content.decode()
    assert "<h1>Bitte prüfen Sie Ihr Postfach</h1>" in html
    assert (
        "Wir haben eine Nachricht an <strong>anna.schmidt@example.org</strong> geschickt. "
        "Folgen Sie dem Link darin, um Ihre Adresse zu bestätigen; "
        "danach können Sie sich anmelden."
    ) in html
    assert "Keine E-Mail erhalten? Link erneut senden." in html


def test_link_from_a_german_mail_confirms_with_a_german_message(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server, preferred_language="de")

    response = client.get(the_link(mail, VERIFY), follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert alerts(response) == [
        "Vielen Dank, Ihre E-Mail-Adresse ist bestätigt. Bitte melden Sie sich an."
    ]


def test_invalid_link_page_in_german(client):
    response = client.get(f"{VERIFY}not-a-token/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Dieser Link funktioniert nicht</h1>" in html
    assert "Der Bestätigungslink ist ungültig oder abgelaufen." in html
    assert ">Neuen Link senden</a>" in html


def test_email_is_stored_lower_cased(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server, email="Anna.Schmidt@Example.ORG")

    assert User.objects.get().email == "anna.schmidt@example.org"
    assert mail["To"] == "anna.schmidt@example.org"


def test_registered_user_cannot_log_in_before_verifying(client, smtp_server):
    _registered_and_mailed(client, smtp_server)

    log_in(client, "anna.schmidt@example.org", NEW_PASSWORD)

    assert is_signed_in(client) is False


def test_signed_in_user_is_sent_home_from_the_registration_page(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:register"))

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- Following the link in the mail ---------------------------------------------------------
def test_link_from_the_mail_verifies_and_redirects_to_login_with_a_message(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server)

    response = client.get(the_link(mail, VERIFY), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert User.objects.get().is_verified is True
    login_page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert alerts(login_page) == ["Thank you, your email address is confirmed. Please log in."]
    log_in(client, "anna.schmidt@example.org", NEW_PASSWORD)
    assert is_signed_in(client) is True


def test_second_use_of_the_link_says_already_confirmed(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server)
    link = the_link(mail, VERIFY)
    client.get(link, follow=True)
    first_verified_at = User.objects.get().email_verified_at

    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert alerts(response) == ["Your email address was already confirmed. Please log in."]
    assert User.objects.get().email_verified_at == first_verified_at


def test_link_is_refused_after_the_email_changed(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server)
    User.objects.update(email="anna.new@example.org")

    response = client.get(the_link(mail, VERIFY), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The confirmation link is invalid or has expired." in response.content.decode()
    assert User.objects.get().is_verified is False


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_tampered_link_is_refused(client, smtp_server, where):
    mail = _registered_and_mailed(client, smtp_server)
    token = the_link(mail, VERIFY).removeprefix(VERIFY).rstrip("/")
    position = 1 if where == "payload" else -2
    changed = "A" if token[position] != "A" else "B"
    tampered = token[:position] + changed + token[position + 1 :]

    response = client.get(f"{VERIFY}{tampered}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "<h1>This link does not work</h1>" in response.content.decode()
    assert User.objects.get().is_verified is False


def test_expired_link_is_refused_and_offers_a_new_one(client, smtp_server, settings):
    mail = _registered_and_mailed(client, smtp_server)
    # Any age is older than a negative lifetime: the link from the mail has expired.
    settings.EMAIL_VERIFICATION_TIMEOUT = -1

    response = client.get(the_link(mail, VERIFY), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The confirmation link is invalid or has expired." in response.content.decode()
    assert '<a class="btn btn-primary" href="/accounts/verify/resend/">' in (
        response.content.decode()
    )
    assert User.objects.get().is_verified is False


def test_link_of_a_deactivated_account_is_refused(client, smtp_server):
    mail = _registered_and_mailed(client, smtp_server)
    User.objects.update(is_active=False)

    response = client.get(the_link(mail, VERIFY))

    assert response.status_code == 400
    assert User.objects.get().is_verified is False


# --- An address that already has an account ---------------------------------------------
@pytest.mark.parametrize(
    "typed", ["anna.schmidt@example.org", "ANNA.SCHMIDT@EXAMPLE.ORG", "Anna.Schmidt@example.org"]
)
def test_registering_a_taken_address_mails_its_owner_and_creates_nothing(
    client, smtp_server, settings, typed
):
    owner = UserFactory(
        email="anna.schmidt@example.org", full_name="Anna Schmidt", preferred_language="en"
    )

    response = register(client, email=typed, full_name="Someone Else", password1=NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"
    assert list(User.objects.values_list("email", flat=True)) == ["anna.schmidt@example.org"]
    owner.refresh_from_db()
    assert owner.full_name == "Anna Schmidt"
    assert owner.check_password(PASSWORD)
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "anna.schmidt@example.org"
    assert mail["Subject"] == "You already have an account – Laurel"
    assert mail_text(mail) == (
        "Hello Anna Schmidt,\n"
        "\n"
        "someone (perhaps you) tried to register again with this address. "
        "You already have an account.\n"
        "\n"
        f"Log in: {settings.SITE_URL}/accounts/login/\n"
        f"Forgot your password? Choose a new one: {settings.SITE_URL}/accounts/password/reset/\n"
        "\n"
        "If this was not you, you can ignore this message.\n"
        "\n"
        "Laurel\n"
    )


def test_registering_a_taken_address_looks_exactly_like_a_fresh_registration(smtp_server):
    first, second = Client(), Client()
    fresh = register(first, email="anna.schmidt@example.org")
    taken = register(second, email="Anna.Schmidt@example.org")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    fresh_page = first.get(fresh["Location"], HTTP_ACCEPT_LANGUAGE="en")
    taken_page = second.get(taken["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert taken_page.status_code == fresh_page.status_code == 200
    assert page_without_csrf(taken_page) == page_without_csrf(fresh_page)
    assert User.objects.count() == 1
    # One verification mail for the first, one "already registered" mail for the second.
    subjects = sorted(mail["Subject"] for mail in smtp_server.wait_for(2))
    assert subjects == [
        "Please confirm your email address – Laurel",
        "You already have an account – Laurel",
    ]


def test_registering_a_taken_address_mails_a_german_owner_in_german(client, smtp_server, settings):
    UserFactory(email="anna.schmidt@example.org", full_name="Anna Schmidt", preferred_language="de")

    response = register(client, email="anna.schmidt@example.org", preferred_language="en")

    assert response.status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"].strip() == "Sie haben bereits ein Konto – Laurel"
    assert mail_text(mail) == (
        "Guten Tag Anna Schmidt,\n"
        "\n"
        "jemand (vielleicht Sie) hat versucht, sich mit dieser Adresse erneut zu registrieren. "
        "Sie haben bereits ein Konto.\n"
        "\n"
        f"Anmelden: {settings.SITE_URL}/accounts/login/\n"
        "Passwort vergessen? Wählen Sie ein neues: "
        f"{settings.SITE_URL}/accounts/password/reset/\n"
        "\n"
        "Falls Sie das nicht waren, können Sie diese Nachricht ignorieren.\n"
        "\n"
        "Laurel\n"
    )


# --- Password rules ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("password1", "password2", "field", "error"),
    [
        (
            "short pass",
            "short pass",
            "password1",
            "This password is too short. It must contain at least 12 characters.",
        ),
        ("password1234", "password1234", "password1", "This password is too common."),
        ("538291746025", "538291746025", "password1", "This password is entirely numeric."),
        (
            "anna.schmidt@example.org",
            "anna.schmidt@example.org",
            "password1",
            "The password is too similar to the email address.",
        ),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "password2", "The two passwords do not match."),
    ],
    ids=["too-short", "common", "numeric", "like-email", "mismatch"],
)
def test_weak_or_mismatched_password_is_refused_and_nothing_is_created(
    client, smtp_server, password1, password2, field, error
):
    response = client.post(
        reverse("accounts:register"),
        {
            "full_name": "Anna Schmidt",
            "email": "anna.schmidt@example.org",
            "preferred_language": "en",
            "password1": password1,
            "password2": password2,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert field_errors(response, field) == [error]
    assert User.objects.count() == 0
    assert smtp_server.messages == []


def test_password_errors_are_german_on_the_german_page(client):
    response = register(client, password1="short pass", password2="short pass")

    assert response.status_code == 200
    assert field_errors(response, "password1") == [
        "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten."
    ]
    assert User.objects.count() == 0


# --- Sending the link again ---------------------------------------------------------------
def test_resend_gives_the_same_answer_for_any_address(client):
    UserFactory(email="verified@example.org")
    UserFactory(email="unverified@example.org", email_verified_at=None)

    answers = []
    for address in ["nobody@example.org", "verified@example.org", "unverified@example.org"]:
        response = client.post(
            reverse("accounts:resend_verification"),
            {"email": address},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
        answers.append((response.redirect_chain, alerts(response)))

    expected = (
        [("/accounts/login/", 302)],
        ["If an unconfirmed account uses this address, we have sent it a new link."],
    )
    assert answers == [expected, expected, expected]


def test_resend_mails_only_an_unverified_account(client, smtp_server):
    UserFactory(email="verified@example.org")
    UserFactory(email="unverified@example.org", email_verified_at=None)
    UserFactory(email="inactive@example.org", email_verified_at=None, is_active=False)

    for address in ["nobody@example.org", "verified@example.org", "inactive@example.org"]:
        client.post(reverse("accounts:resend_verification"), {"email": address})
    client.post(reverse("accounts:resend_verification"), {"email": "Unverified@Example.org"})

    # Mail goes out while the request is answered, so by the last answer all four are decided.
    smtp_server.wait_for(1)
    assert [mail["To"] for mail in smtp_server.messages] == ["unverified@example.org"]


def test_resent_link_verifies_the_account(client, smtp_server):
    UserFactory(email="unverified@example.org", email_verified_at=None)

    client.post(reverse("accounts:resend_verification"), {"email": "unverified@example.org"})
    [mail] = smtp_server.wait_for(1)
    response = client.get(the_link(mail, VERIFY))

    assert response.status_code == 302
    assert User.objects.get().is_verified is True


def test_next_survives_registration_and_verification_but_only_on_site(client, smtp_server):
    import re

    from tests.services import body_text

    response = client.post(
        "/accounts/register/?next=/invitations/abc/",
        {
            "full_name": "Nina Next",
            "email": "nina@example.org",
            "preferred_language": "en",
            "password1": "Leichtbau-macht-leicht-42",
            "password2": "Leichtbau-macht-leicht-42",
            "privacy_consent": "on",
            "next": "/invitations/abc/",
        },
    )
    assert response.status_code == 302
    mail = smtp_server.wait_for(1)[0]
    link = re.search(r"https?://\S+/accounts/verify/\S+/", body_text(mail)).group(0)

    verified = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])

    assert verified.status_code == 302
    assert verified["Location"] == "/accounts/login/?next=%2Finvitations%2Fabc%2F"

    client.post(
        "/accounts/register/",
        {
            "full_name": "Evil Next",
            "email": "evil@example.org",
            "preferred_language": "en",
            "password1": "Leichtbau-macht-leicht-42",
            "password2": "Leichtbau-macht-leicht-42",
            "next": "https://evil.example/",
        },
    )
    assert "after_verify_next" not in client.session
