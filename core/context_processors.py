"""What every page's template may read, whatever app renders it."""

from django.conf import settings
from django.http import HttpRequest


def legal_links() -> dict[str, str]:
    """The addresses of the imprint (Impressum) and of the privacy policy, for the footer
    (settings ``LAUREL_IMPRINT_URL``, ``LAUREL_PRIVACY_URL``; empty: no link). Also given to
    the 500 page, which is rendered without context processors."""
    return {
        "legal_imprint_url": settings.LAUREL_IMPRINT_URL,
        "legal_privacy_url": settings.LAUREL_PRIVACY_URL,
    }


def legal(request: HttpRequest) -> dict[str, str]:
    return legal_links()
