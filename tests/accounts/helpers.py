"""What only the accounts tests share: registering, logging in through the form, and whether
a visitor is signed in. Reading pages and mail (``alerts``, ``mail_text``, ``the_link``, …)
is in tests/helpers.py."""

from django.test import Client
from django.urls import reverse

# Long enough, not common, not numeric, unlike any name or address used in these tests.
NEW_PASSWORD = "lantern orchard quietly 42"


def register(client: Client, **fields: str):
    data = {
        "full_name": "Anna Schmidt",
        "email": "anna.schmidt@example.org",
        "preferred_language": "en",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "privacy_consent": "on",
        **fields,
    }
    return client.post(reverse("accounts:register"), data)


def log_in(client: Client, email: str, password: str, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def is_signed_in(client: Client) -> bool:
    """Whether the profile page opens (it sends visitors who are not signed in to log in)."""
    return client.get(reverse("accounts:profile")).status_code == 200
