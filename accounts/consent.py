"""Whether a person has agreed to the current version of the privacy policy (GDPR art. 7:
who agreed to what, and when).

The version is the setting ``LAUREL_PRIVACY_VERSION``; a new value asks every logged-in person
again on their next page view (``accounts.consent_middleware``). The answer is remembered in
the session (``SESSION_VERSION``), set at login and when the person agrees, so that a page view
normally adds no query: only a session that has not seen the current version asks the
database, once.
"""

from django.conf import settings
from django.http import HttpRequest

from .models import PrivacyConsent, User

# The policy version this session's user is known to have agreed to.
SESSION_VERSION = "privacy_version"


def current_version() -> str:
    return settings.LAUREL_PRIVACY_VERSION


def consent_given(user: User, version: str | None = None) -> bool:
    """Whether ``user`` agreed to ``version`` (the current one by default); one query."""
    return PrivacyConsent.objects.filter(user=user, version=version or current_version()).exists()


def consent_remember(request: HttpRequest) -> None:
    """Note in the session that its user agreed to the current version."""
    request.session[SESSION_VERSION] = current_version()


def consent_current(request: HttpRequest) -> bool:
    """Whether the request's logged-in user agreed to the current version: from the session
    when it knows, else from the database (and then remembered in the session)."""
    version = current_version()
    if request.session.get(SESSION_VERSION) == version:
        return True
    if not consent_given(request.user, version):
        return False
    consent_remember(request)
    return True


def remember_at_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """``user_logged_in`` receiver: a login already knows whether its user agreed, so the
    pages after it ask nothing (the login costs the one query)."""
    if request is None or not hasattr(request, "session"):
        return
    if consent_given(user):
        consent_remember(request)
    else:
        request.session.pop(SESSION_VERSION, None)
