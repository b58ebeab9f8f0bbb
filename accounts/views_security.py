"""The security page and the second factors: the authenticator app, recovery codes, the
second step of a login. Passkeys have their own views (``views_passkeys``), sessions too
(``views_sessions``); the security page shows all of them."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.links import safe_next

from . import mfa
from .forms import PasswordConfirmForm, SecondFactorCodeForm
from .login_flow import login_complete, login_pending_user
from .models import SecurityEvent

RECENT_EVENTS = 20


@login_required
@require_http_methods(["GET", "HEAD"])
def security(request: HttpRequest) -> HttpResponse:
    """The person's second factors, recovery codes, sessions and recent security events."""
    user = request.user
    context = {
        "totp": mfa.totp_device(user),
        "passkeys": list(user.passkeys.all()),
        "has_second_factor": mfa.has_second_factor(user),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "events": list(SecurityEvent.objects.filter(user=user)[:RECENT_EVENTS]),
        "next": safe_next(request),
        "password_form": PasswordConfirmForm(user=user),
    }
    return render(request, "accounts/security.html", context)


def _qr_svg(uri: str) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code (segno: no script, no style)."""
    return mark_safe(  # noqa: S308 - segno's own markup of a URI we built; no user text
        segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code (and the key to type), then a code from the
    app to confirm. Success shows the recovery codes once, when the person had none."""
    user = request.user
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_setup_confirm(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except mfa.SecondFactorInvalid as error:
            form.add_error("code", error)
            status = 400
        else:
            messages.success(request, _("The authenticator app is set up."))
            if codes:
                return _recovery_codes_page(request, codes)
            return redirect(safe_next(request) or "accounts:security")
    elif request.method == "POST":
        status = 400
    # The key shown before, while its setup is under way (a reload must not invalidate the
    # QR code just scanned); a new one otherwise.
    setup = mfa.totp_setup_pending(user) or mfa.totp_setup_begin(user=user)
    context = {
        "form": form,
        "secret_groups": [setup.secret[i : i + 4] for i in range(0, len(setup.secret), 4)],
        "qr_svg": _qr_svg(setup.uri),
        "replaces": mfa.totp_device(user) is not None,
        "next": safe_next(request),
    }
    return render(request, "accounts/totp_setup.html", context, status=status)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": safe_next(request)}
    )


@login_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator app, after the person's password."""
    form = PasswordConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Not removed: the password was not right."))
        return redirect("accounts:security")
    mfa.totp_remove(user=request.user, request=request)
    messages.success(request, _("The authenticator app is removed."))
    return redirect("accounts:security")


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after the person's password; the old ones stop working."""
    if not mfa.has_second_factor(request.user):
        return redirect("accounts:security")
    form = PasswordConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("No new codes: the password was not right."))
        return redirect("accounts:security")
    codes = mfa.recovery_codes_create(user=request.user, request=request)
    return _recovery_codes_page(request, codes)


@require_http_methods(["GET", "HEAD", "POST"])
def login_second_factor(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, a recovery code or a
    passkey. Only after the password step (``login_flow``), for five minutes."""
    from axes.handlers.proxy import AxesProxyHandler

    from .views import locked_out

    user = login_pending_user(request)
    if user is None:
        messages.info(request, _("Please log in again: the second step waited too long."))
        return redirect("accounts:login")
    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return locked_out(request, credentials)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            method = mfa.second_factor_verify(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except mfa.SecondFactorInvalid as error:
            if AxesProxyHandler.is_locked(request, credentials):
                return locked_out(request, credentials)
            form.add_error("code", error)
            status = 400
        else:
            destination = login_complete(request, user, method=method)
            if method == "recovery":
                left = mfa.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(left)s are left. Set up your "
                        "authenticator app again or create new codes on your security page."
                    )
                    % {"left": left},
                )
            return redirect(destination)
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "has_totp": mfa.totp_device(user) is not None,
        "has_passkeys": user.passkeys.exists(),
    }
    return render(request, "accounts/login_second_factor.html", context, status=status)


urlpatterns = [
    path("security/", security, name="security"),
    path("security/app/", totp_setup, name="totp_setup"),
    path("security/app/remove/", totp_remove, name="totp_remove"),
    path("security/recovery-codes/", recovery_codes_renew, name="recovery_codes_renew"),
    path("login/second-step/", login_second_factor, name="login_second_factor"),
]
