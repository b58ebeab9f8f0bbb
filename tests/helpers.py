"""Helpers every test folder uses: reading pages and mail like a user would, signing in, users
who read English.

Fixtures are in tests/conftest.py (``english`` makes English the active language of a test:
``pytestmark = pytest.mark.usefixtures("english")``). What only one folder needs is in that
folder's helpers module or conftest.py.
"""

import io
import re
from email.message import EmailMessage
from urllib.parse import urlencode, urlsplit

from django.urls import reverse
from PIL import Image

from tests.factories import UserFactory
from tests.services import body_text

# --- Users and signing in -----------------------------------------------------------------


def en_user(**kwargs):
    """A new user who reads English."""
    return UserFactory(preferred_language="en", **kwargs)


def prefer_english(user):
    """``user``, who reads English from now on (saved); returned for chaining."""
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def login(client, user):
    """Sign ``user`` in on ``client``; ``None`` stays anonymous. Returns ``user``."""
    if user is not None:
        client.force_login(user)
    return user


def login_url(url: str) -> str:
    """Where a visitor who is not signed in is sent from ``url``: the login page with ``next``
    (encoded as Django encodes it; a plain path reads the same)."""
    return f"{reverse('accounts:login')}?{urlencode({'next': url}, safe='/')}"


# --- Pages --------------------------------------------------------------------------------


def text(response) -> str:
    """The page as a string (HTML and all)."""
    return response.content.decode()


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


# --- Mail ---------------------------------------------------------------------------------


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


# --- Files --------------------------------------------------------------------------------


def png_bytes(size=(64, 48)) -> bytes:
    """A small red PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def body(response) -> bytes:
    """The content of a streamed (file) response, read to the end; the response is closed."""
    content = b"".join(response.streaming_content)
    response.close()
    return content


# --- Files --------------------------------------------------------------------------------


def document_pages_stored(attachment, pages: int = 1) -> None:
    """Mark ``attachment`` (a PDF) as the preview task leaves it, with ``pages`` small page
    images in both sizes: for tests of who may see the pages, not of rendering them (that is
    tests/submissions/test_previews.py), without pdfium's second a page."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from submissions import previews
    from submissions.enums import PreviewStatus

    buffer = io.BytesIO()
    Image.new("RGB", (8, 11), "white").save(buffer, "JPEG")
    for number in range(1, pages + 1):
        for size in previews.SIZES:
            default_storage.save(
                previews.page_name(attachment, number, size), ContentFile(buffer.getvalue())
            )
    attachment.preview_status = PreviewStatus.READY
    attachment.preview_pages = attachment.page_count = pages
    attachment.save(update_fields=["preview_status", "preview_pages", "page_count"])


def mailed_code(email: str) -> str:
    """The latest confirmation code mailed to ``email`` (``accounts.address_codes``), read
    from the outbox as the person would read it in the mail."""
    from notifications.models import Message

    message = Message.objects.filter(
        recipient_email__iexact=email, template_key="accounts.address_code"
    ).latest("pk")
    found = re.findall(r"^(\d{8})$", message.body_text, flags=re.M)
    assert len(found) == 1, message.body_text
    return found[0]
