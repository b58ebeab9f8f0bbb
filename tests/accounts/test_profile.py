import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory
from tests.helpers import alerts, field_errors, html_lang

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_profile_shows_the_address_the_user_logs_in_with(client):
    client.force_login(UserFactory(email="anna@example.org", preferred_language="en"))

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert "You log in as <strong>anna@example.org</strong>." in response.content.decode()


def test_saving_changes_name_and_language_and_later_pages_are_english(client, settings):
    user = UserFactory(full_name="Anna Schmidt", preferred_language="de")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"full_name": "Anna Weber", "preferred_language": "en"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Anna Weber", "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # No Accept-Language, which would give German: the profile's choice wins.
    profile = client.get(response["Location"])
    assert html_lang(profile) == "en"
    assert "<h1>Your profile</h1>" in profile.content.decode()
    assert alerts(profile) == ["Your profile is saved."]
    assert '<option value="en" selected>English</option>' in profile.content.decode()
    other_page = client.get(reverse("accounts:password_change"))
    assert html_lang(other_page) == "en"
    assert "<h1>Change password</h1>" in other_page.content.decode()


def test_saving_german_makes_later_pages_german(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)

    client.post(
        reverse("accounts:profile"), {"full_name": user.full_name, "preferred_language": "de"}
    )

    profile = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(profile) == "de"
    assert User.objects.get().preferred_language == "de"


def test_unknown_language_is_refused_and_nothing_is_saved(client):
    user = UserFactory(full_name="Anna Schmidt", preferred_language="en")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"full_name": "Anna Weber", "preferred_language": "fr"}
    )

    assert response.status_code == 200
    assert field_errors(response, "preferred_language") == [
        "Select a valid choice. fr is not one of the available choices."
    ]
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Anna Schmidt", "en")


def test_empty_name_is_refused(client):
    user = UserFactory(full_name="Anna Schmidt", preferred_language="en")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"full_name": "", "preferred_language": "en"}
    )

    assert response.status_code == 200
    assert field_errors(response, "full_name") == ["This field is required."]
    user.refresh_from_db()
    assert user.full_name == "Anna Schmidt"
