"""What the accounts tests share: reading received mail and rendered pages like a user would."""

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from tests.services import body_text

# Long enough, not common, not numeric, unlike any name or address used in these tests.
NEW_PASSWORD = "lantern orchard quietly 42"


def mail_text(message: EmailMessage) -> str:
    """The plain-text body as the reader sees it (SMTP's CRLF line ends made plain)."""
    return body_text(message).replace("\r\n", "\n")


def link_paths(message: EmailMessage, path_prefix: str) -> list[str]:
    """The paths of every link in the plain-text body that points below ``path_prefix``."""
    urls = re.findall(r"https?://\S+", mail_text(message))
    return [urlsplit(url).path for url in urls if urlsplit(url).path.startswith(path_prefix)]


def the_link(message: EmailMessage, path_prefix: str) -> str:
    """The path of the one link below ``path_prefix`` (fails when there is none or several)."""
    paths = link_paths(message, path_prefix)
    assert len(paths) == 1, f"expected one link below {path_prefix}, got {paths}"
    return paths[0]


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)">', response.content.decode())
    assert match is not None, "page has no <html lang>"
    return match.group(1)


def alerts(response) -> list[str]:
    """The text of every alert box on the page (messages and form-wide errors), tags removed."""
    html = response.content.decode()
    boxes = re.findall(r'<div class="alert[^"]*" role="alert">(.*?)</div>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", box).split()) for box in boxes]


def field_errors(response, field: str) -> list[str]:
    """The messages crispy-forms shows under ``field``."""
    html = response.content.decode()
    found = re.findall(
        rf'<p id="error_\d+_id_{field}"><strong>(.*?)</strong></p>',
        html,
        flags=re.S,
    )
    return [" ".join(text.split()) for text in found]


def page_without_csrf(response) -> str:
    """The page with its per-visitor CSRF tokens blanked, so two visitors' pages compare."""
    return re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"',
        'name="csrfmiddlewaretoken" value=""',
        response.content.decode(),
    )


def register(client: Client, **fields: str):
    data = {
        "full_name": "Anna Schmidt",
        "email": "anna.schmidt@example.org",
        "preferred_language": "en",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
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
