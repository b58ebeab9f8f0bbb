"""The passkey endpoints that ``static/js/passkeys.js`` talks to, and the removal of a passkey
from the security page. The ceremonies themselves are ``accounts.passkeys``.

Every endpoint takes POST only and checks the CSRF token (the script sends it in the
X-CSRFToken header). Setting up asks for a login (a JSON caller gets 403 JSON, a page post
the login page: ``core.http.session_checked``); logging in is open to anyone and throttled by
django-axes through the failures ``accounts.passkeys`` reports. Answers are JSON:
``{"options": …}``, ``{"redirect": url}`` or ``{"ok": false, "message": …}`` with 400
(429 while logins are locked).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.http import session_checked
from core.links import safe_next

from . import passkeys
from .login_flow import login_pending_user

RECOVERY_CODES_SESSION_KEY = "laurel_passkey_recovery_codes"
RECOVERY_CODES_NEXT_SESSION_KEY = "laurel_passkey_recovery_codes_next"


def _refused(message: str, *, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


def _body(request: HttpRequest) -> dict | None:
    """The request's JSON object, or None when it is none."""
    try:
        value = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _unreadable() -> JsonResponse:
    return _refused(_("The passkey's answer could not be read. Please try again."))


def _options(options_json: str) -> JsonResponse:
    return JsonResponse({"ok": True, "options": json.loads(options_json)})


@never_cache
@require_POST
@session_checked
def register_options(request: HttpRequest) -> HttpResponse:
    return _options(passkeys.passkey_registration_options(request, request.user))


@never_cache
@require_POST
@session_checked
def register(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if body is None or not isinstance(body.get("credential"), dict):
        return _unreadable()
    try:
        added = passkeys.passkey_register(
            request, request.user, body["credential"], str(body.get("name") or "")
        )
    except passkeys.PasskeyInvalid as error:
        return _refused(error.message)
    messages.success(
        request, _("Your passkey “%(name)s” is set up.") % {"name": added.passkey.name}
    )
    next_url = safe_next(request, body.get("next"))
    if added.recovery_codes:
        # Shown once by the page the script goes to next, then gone from the session.
        request.session[RECOVERY_CODES_SESSION_KEY] = added.recovery_codes
        request.session[RECOVERY_CODES_NEXT_SESSION_KEY] = next_url
        return JsonResponse({"ok": True, "redirect": reverse("accounts:passkey_recovery_codes")})
    security = reverse("accounts:security")
    return JsonResponse(
        {
            "ok": True,
            "redirect": f"{security}?{urlencode({'next': next_url})}" if next_url else security,
        }
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes created with a first passkey, shown once (a reload finds them gone
    and leads to the security page)."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    next_url = request.session.pop(RECOVERY_CODES_NEXT_SESSION_KEY, "")
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@require_POST
@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    passkeys.passkey_remove(request, request.user, pk)
    messages.success(request, _("The passkey is removed."))
    return redirect("accounts:security")


@never_cache
@require_POST
def login_options(request: HttpRequest) -> HttpResponse:
    """After the password: the pending person's passkeys; else a login without password,
    whose ``next`` is kept only when it stays on this site."""
    body = _body(request)
    if body is None:
        return _unreadable()
    pending = login_pending_user(request)
    next_url = safe_next(request, body.get("next"))
    return _options(passkeys.passkey_authentication_options(request, pending, next_url=next_url))


@never_cache
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if body is None or not isinstance(body.get("credential"), dict):
        return _unreadable()
    try:
        next_url = passkeys.passkey_login(request, body["credential"])
    except passkeys.PasskeyLoginLocked as error:
        return _refused(error.message, status=429)
    except passkeys.PasskeyInvalid as error:
        return _refused(error.message)
    return JsonResponse({"ok": True, "redirect": next_url})


urlpatterns = [
    path("security/passkeys/options/", register_options, name="passkey_register_options"),
    path("security/passkeys/add/", register, name="passkey_register"),
    path("security/passkeys/<int:pk>/remove/", remove, name="passkey_remove"),
    path("security/passkeys/recovery-codes/", recovery_codes, name="passkey_recovery_codes"),
    path("login/passkey/options/", login_options, name="passkey_login_options"),
    path("login/passkey/", login, name="passkey_login"),
]
