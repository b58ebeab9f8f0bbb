"""Asking a logged-in person to agree to a new version of the privacy policy (GDPR art. 7)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.http import autosave_refused, wants_json

from .consent import consent_current

# Pages a person who has not agreed yet may still open: the question itself, the way out,
# the language switcher, the load balancer's health check.
EXEMPT_URL_NAMES = ("accounts:privacy_consent", "accounts:logout", "set_language", "healthz")
# Whole sections open without agreeing: a person's rights over their data (the export and
# the deletion of the account, ``/privacy/…``) do not depend on accepting a new policy.
EXEMPT_SECTION_URL_NAMES = ("privacy:data",)


def _exempt_paths() -> tuple[str, ...]:
    return tuple(reverse(name) for name in EXEMPT_URL_NAMES)


def _exempt_prefixes() -> tuple[str, ...]:
    prefixes = [settings.STATIC_URL, *(reverse(name) for name in EXEMPT_SECTION_URL_NAMES)]
    media = getattr(settings, "MEDIA_URL", "")
    if media and media != "/":
        prefixes.append(media)
    return tuple(p if p.startswith("/") else f"/{p}" for p in prefixes if p)


class PrivacyConsentMiddleware:
    """Sends a logged-in person who has not agreed to the current privacy policy version
    (``LAUREL_PRIVACY_VERSION``) to the consent page, and back to the page they asked for
    once they agree. A script (autosave, upload: it asks for JSON) gets 403 JSON as for an
    ended session, so that it stops and the text on the page is kept. Whether the person
    agreed is remembered in the session: a page view normally costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or self._exempt(request.path)
            or consent_current(request)
        ):
            return self.get_response(request)
        if wants_json(request):
            return autosave_refused(
                code="session",
                message=_(
                    "Nothing was saved: please agree to the new privacy policy in another tab "
                    "first, then come back here. Your text is still on this page."
                ),
                status=403,
                final=True,
            )
        back = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': back})}" if back else ""
        return redirect(f"{reverse('accounts:privacy_consent')}{query}")

    def _exempt(self, path: str) -> bool:
        if self._paths is None:
            self._paths = _exempt_paths()
        return path in self._paths or path.startswith(_exempt_prefixes())
