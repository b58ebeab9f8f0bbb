"""Production: every secret and address from the environment; refuses to start without."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment (at least 50 random characters)."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")


def _required_url(name: str, what: str) -> str:
    """An absolute http(s) address from the environment variable ``name``, or no start."""
    value = env(name, default="").strip()
    if not value.lower().startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name} must be set in the environment: {what}.")
    return value


# Every link in a mail starts with it; without it they would point at 127.0.0.1.
SITE_URL = _required_url(
    "LAUREL_SITE_URL", "the public address of Laurel, e.g. https://awards.example.org"
).rstrip("/")
# Linked in every page's footer: a site in Germany must name its operator and its privacy
# policy (Impressum, Datenschutzerklärung).
LAUREL_IMPRINT_URL = _required_url(
    "LAUREL_IMPRINT_URL",
    "the address of the imprint (Impressum), e.g. https://example.org/impressum",
)
LAUREL_PRIVACY_URL = _required_url(
    "LAUREL_PRIVACY_URL",
    "the address of the privacy policy (Datenschutzerklärung), e.g. https://example.org/datenschutz",
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
