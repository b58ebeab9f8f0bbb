"""Passkeys (WebAuthn credentials): set up on the security page, used as the second step of a
login, or to log in without a password.

The ceremonies are py_webauthn's (``webauthn``): it builds the options and checks every
answer of the browser (challenge, origin, relying party, signature, sign count); nothing here
verifies anything by hand. The relying party is the site of ``SITE_URL``: its host name is the
RP id, its scheme, host and port the only origin accepted.

Each ceremony has one challenge in the session per purpose (``register``, ``login``): a new
one replaces the old, it is used up by the first answer, right or wrong, and it expires after
five minutes. A refused passkey login counts as a failed login for django-axes
(``user_login_failed``) when it is known whose it was, so the throttle that guards passwords
guards passkeys too; a locked account is refused before its signature is checked.

A login without password must prove user verification (a PIN or biometrics on the device),
since the passkey replaces both the password and the second factor there; as the second step
after a password, presence is enough (verification is asked for, not required).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .mfa import (
    other_sessions_end,
    recovery_codes_create,
    recovery_codes_left,
    second_factor_removed,
)
from .models import Passkey, SecurityEventKind, User
from .security_events import security_event_record

CHALLENGE_SESSION_KEY = "laurel_passkey_challenge"
CHALLENGE_SECONDS = 5 * 60
RP_NAME = "Laurel"
TIMEOUT_MS = 120_000
# What a browser's answer may weigh: a credential with its attestation is a few kilobytes.
MAX_CREDENTIAL_CHARS = 64_000
# Failures of the library that mean "this answer is not acceptable", not a bug of ours.
_REFUSED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


class PasskeyInvalid(ValidationError):
    """The browser's answer was refused; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message, code="passkey")


class PasskeyLoginLocked(PasskeyInvalid):
    """Too many failed logins for this account or address (django-axes)."""


@dataclass(frozen=True)
class PasskeyAdded:
    """A passkey just set up, and the recovery codes created with it (shown once; empty
    when the person already had unused ones)."""

    passkey: Passkey
    recovery_codes: list[str]


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def relying_party() -> RelyingParty:
    """The RP id (host name of ``SITE_URL``) and the one origin accepted (its scheme, host and
    port). Read on each call: tests put the live server's address into ``SITE_URL``."""
    parts = urlsplit(settings.SITE_URL)
    return RelyingParty(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")


def _user_handle(user: User) -> bytes:
    """The user handle the authenticator keeps with a passkey: the same for every passkey of a
    person (so a device replaces its own earlier one), and no personal data."""
    return salted_hmac("laurel.passkeys.user-handle", str(user.pk), algorithm="sha256").digest()


# --- Challenges in the session -------------------------------------------------------------


def _challenge_store(request: HttpRequest, purpose: str, challenge: bytes, **extra: Any) -> None:
    challenges = dict(request.session.get(CHALLENGE_SESSION_KEY) or {})
    challenges[purpose] = {
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
        **extra,
    }
    request.session[CHALLENGE_SESSION_KEY] = challenges


def _challenge_take(request: HttpRequest, purpose: str) -> dict[str, Any] | None:
    """The challenge of ``purpose``, removed from the session (single use); None when there
    is none or it is older than five minutes."""
    challenges = dict(request.session.get(CHALLENGE_SESSION_KEY) or {})
    record = challenges.pop(purpose, None)
    request.session[CHALLENGE_SESSION_KEY] = challenges
    if not record or time.time() - record.get("at", 0) > CHALLENGE_SECONDS:
        return None
    return record


def _challenge_bytes(record: dict[str, Any]) -> bytes:
    from webauthn import base64url_to_bytes

    return base64url_to_bytes(record["challenge"])


def _parsed_json(credential_json: str | dict) -> dict:
    """The browser's answer as a dict; refused when it is no JSON object or too large."""
    if isinstance(credential_json, dict):
        return credential_json
    if not isinstance(credential_json, str) or len(credential_json) > MAX_CREDENTIAL_CHARS:
        raise PasskeyInvalid(_("The passkey's answer could not be read. Please try again."))
    try:
        value = json.loads(credential_json)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise PasskeyInvalid(_("The passkey's answer could not be read. Please try again."))
    return value


def _transports(values: list[str] | None) -> list[AuthenticatorTransport] | None:
    known = {transport.value for transport in AuthenticatorTransport}
    return [AuthenticatorTransport(value) for value in values or [] if value in known] or None


# --- Setting up a passkey ------------------------------------------------------------------


def passkey_registration_options(request: HttpRequest, user: User) -> str:
    """The options for ``navigator.credentials.create()`` as JSON, for ``user``'s new passkey.

    Asks for a discoverable credential ("resident key", so that it can log in without a
    password) and user verification, both preferred; the person's passkeys are excluded, so
    a device cannot be added twice. Side effect: the ``register`` challenge in the session.
    """
    rp = relying_party()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_id=_user_handle(user),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=_id_bytes(passkey.credential_id), transports=_transports(passkey.transports)
            )
            for passkey in user.passkeys.all()
        ],
    )
    _challenge_store(request, "register", options.challenge, user=user.pk)
    return options_to_json(options)


def _id_bytes(credential_id: str) -> bytes:
    from webauthn import base64url_to_bytes

    return base64url_to_bytes(credential_id)


def passkey_register(
    request: HttpRequest, user: User, credential_json: str | dict, name: str
) -> PasskeyAdded:
    """Check the browser's answer to the registration options and keep the new passkey of
    ``user`` under ``name`` (a numbered default when empty).

    Refused (``PasskeyInvalid``, nothing stored) without a fresh challenge of this person,
    with a wrong challenge, origin or relying party, or a passkey already registered.
    Side effects: the challenge is used up; the passkey is stored with its transports; a
    SecurityEvent PASSKEY_ADDED; the person's other sessions end (they were not opened with
    the new factor); ten recovery codes (SecurityEvent RECOVERY_CODES_CREATED) when the
    person has no unused ones, as with an authenticator app.
    """
    record = _challenge_take(request, "register")
    if record is None or record.get("user") != user.pk:
        raise PasskeyInvalid(_("This setup took too long. Please start again."))
    data = _parsed_json(credential_json)
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=_challenge_bytes(record),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=False,
        )
    except _REFUSED as error:
        raise PasskeyInvalid(_("The passkey could not be set up. Please try again.")) from error
    response = data.get("response") or {}
    transports = response.get("transports") if isinstance(response, dict) else None
    known = {transport.value for transport in AuthenticatorTransport}
    label = " ".join(str(name or "").split())[:100] or _("Passkey %(number)s") % {
        "number": user.passkeys.count() + 1
    }
    try:
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=user,
                name=label,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=[t for t in transports or [] if isinstance(t, str) and t in known],
            )
            user._laurel_second_factor = None
            security_event_record(
                user=user, kind=SecurityEventKind.PASSKEY_ADDED, request=request, detail=label
            )
            codes = (
                []
                if recovery_codes_left(user)
                else recovery_codes_create(user=user, request=request)
            )
            other_sessions_end(user, request)
    except IntegrityError as error:
        raise PasskeyInvalid(_("This passkey is already registered.")) from error
    return PasskeyAdded(passkey=passkey, recovery_codes=codes)


@transaction.atomic
def passkey_remove(request: HttpRequest, user: User, pk: int) -> None:
    """Remove ``user``'s passkey ``pk`` (another person's: Http404, nothing removed).

    Side effects: SecurityEvent PASSKEY_REMOVED; the recovery codes go too when no second
    factor is left, and the other sessions end (``mfa.second_factor_removed``).
    """
    passkey = Passkey.objects.filter(user=user, pk=pk).first()
    if passkey is None:
        raise Http404("No such passkey.")
    name = passkey.name
    passkey.delete()
    user._laurel_second_factor = None
    security_event_record(
        user=user, kind=SecurityEventKind.PASSKEY_REMOVED, request=request, detail=name
    )
    second_factor_removed(user=user, request=request)


# --- Logging in with a passkey --------------------------------------------------------------


def passkey_authentication_options(
    request: HttpRequest, user: User | None = None, *, next_url: str = ""
) -> str:
    """The options for ``navigator.credentials.get()`` as JSON.

    With ``user`` (the second step after their password): their passkeys are allowed,
    verification preferred. Without: any passkey of this site the device holds
    (discoverable), verification required; ``next_url`` (already checked to stay on this
    site) is kept with the challenge for after the login.
    Side effect: the ``login`` challenge in the session, replacing an earlier one.
    """
    rp = relying_party()
    if user is not None:
        options = generate_authentication_options(
            rp_id=rp.id,
            timeout=TIMEOUT_MS,
            allow_credentials=[
                PublicKeyCredentialDescriptor(
                    id=_id_bytes(passkey.credential_id),
                    transports=_transports(passkey.transports),
                )
                for passkey in user.passkeys.all()
            ],
            user_verification=UserVerificationRequirement.PREFERRED,
        )
    else:
        options = generate_authentication_options(
            rp_id=rp.id,
            timeout=TIMEOUT_MS,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
    _challenge_store(
        request,
        "login",
        options.challenge,
        user=user.pk if user is not None else None,
        next=next_url if user is None else "",
    )
    return options_to_json(options)


def passkey_authenticate(
    request: HttpRequest, credential_json: str | dict, user: User | None = None
) -> User:
    """The person whose passkey signed the ``login`` challenge.

    ``user``: the person who passed the password step; the passkey must be theirs. None: a
    login without password, which requires user verification. Refused (``PasskeyInvalid``)
    without a fresh challenge issued for the same step, for an unknown or another person's
    passkey, a wrong signature, origin or challenge, a sign count that did not go up (unless
    the device keeps none: both 0), or an inactive account; ``PasskeyLoginLocked`` while
    django-axes locks the account or address.

    Side effects: the challenge is used up; on success the passkey's sign count and "last
    used" are updated; on a refusal whose person is known, ``user_login_failed`` (counted by
    django-axes).
    """
    found, _next_url = _passkey_check(request, credential_json, user)
    return found


def passkey_login(request: HttpRequest, credential_json: str | dict) -> str:
    """Log in with a passkey and return where the login leads.

    The person who just passed the password step (``login_flow.login_pending_user``) uses it
    as their second step; anyone else logs in without password, to the ``next`` kept with the
    challenge. Side effects: those of ``passkey_authenticate``, and of
    ``login_flow.login_complete`` (login, SecurityEvent PASSKEY_LOGIN).
    """
    from .login_flow import login_complete, login_pending_user

    pending = login_pending_user(request)
    user, next_url = _passkey_check(request, credential_json, pending)
    return login_complete(request, user, method="passkey", next_url=next_url)


def _passkey_check(
    request: HttpRequest, credential_json: str | dict, user: User | None
) -> tuple[User, str]:
    from axes.handlers.proxy import AxesProxyHandler

    record = _challenge_take(request, "login")
    expected_user = user.pk if user is not None else None
    known = user
    try:
        if record is None or record.get("user") != expected_user:
            raise PasskeyInvalid(_("This took too long. Please try again."))
        data = _parsed_json(credential_json)
        try:
            credential = parse_authentication_credential_json(data)
            credential_id = bytes_to_base64url(credential.raw_id)
        except _REFUSED as error:
            raise PasskeyInvalid(
                _("The passkey's answer could not be read. Please try again.")
            ) from error
        passkey = Passkey.objects.select_related("user").filter(credential_id=credential_id).first()
        if known is None and passkey is not None:
            known = passkey.user
        if known is not None and not AxesProxyHandler.is_allowed(
            request, {"username": known.email}
        ):
            known = None  # refused before any check: not counted again
            raise PasskeyLoginLocked(
                _("Too many failed logins. Please wait a while and try again.")
            )
        if passkey is None or (user is not None and passkey.user_id != user.pk):
            raise PasskeyInvalid(_("This passkey is not registered for your account."))
        if not passkey.user.is_active:
            raise PasskeyInvalid(_("This passkey is not registered for your account."))
        rp = relying_party()
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=_challenge_bytes(record),
                expected_rp_id=rp.id,
                expected_origin=rp.origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=user is None,
            )
        except _REFUSED as error:
            raise PasskeyInvalid(
                _("The passkey could not be checked. Please try again.")
            ) from error
    except PasskeyInvalid:
        if known is not None:
            user_login_failed.send(
                sender=__name__, credentials={"username": known.email}, request=request
            )
        raise
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    found = user if user is not None else passkey.user
    return found, str(record.get("next") or "")
