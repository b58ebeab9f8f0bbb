"""Second factors: an authenticator app (TOTP), passkeys (``accounts.passkeys``) and
one-time recovery codes; the second step of a login; and who must have a second factor.

The TOTP secret is kept by django-otp's ``TOTPDevice`` (replay of a used code refused, wrong
codes slowed down exponentially); recovery codes are stored as SHA-256 digests. Every event is
recorded as a ``SecurityEvent`` that the person sees on their security page. A wrong code at
login is also a failed login for django-axes, so the login throttle that guards the password
guards the second factor too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCode, SecurityEventKind, User
from .security_events import security_event_record

RECOVERY_CODES = 10
# 10 characters of a 32-letter alphabet without look-alikes: 50 bits each.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"[:32]
SECOND_FACTOR_SESSION_KEY = "laurel_second_factor_pending"


class SecondFactorRequired(PermissionDenied):
    """The page belongs to an award whose organisers require a second factor, and the
    person has none yet: ``accounts.middleware`` leads them to set one up."""

    def __init__(self, award_name: str):
        super().__init__(award_name)
        self.award_name = award_name


class SecondFactorInvalid(ValidationError):
    def __init__(self, message: str):
        super().__init__(message, code="second_factor")


@dataclass(frozen=True)
class TotpSetup:
    """An authenticator app being set up: the device (not yet confirmed), the key as the
    app takes it when typed, and the ``otpauth://`` URI the QR code carries."""

    device: TOTPDevice
    secret: str
    uri: str


# --- Who has and who needs a second factor ---------------------------------------------------


def has_second_factor(user: User) -> bool:
    """Whether ``user`` logs in with a second factor (an authenticator app or a passkey).
    Read once per request and kept on the user object."""
    known = getattr(user, "_laurel_second_factor", None)
    if known is None:
        known = (
            TOTPDevice.objects.filter(user=user, confirmed=True).exists() or user.passkeys.exists()
        )
        user._laurel_second_factor = known
    return known


def second_factor_required_check(user: User, *, required: bool, award_name: str) -> None:
    """Raise SecondFactorRequired when an award requires a second factor (``required``) and
    ``user`` has none. The award's getters call it, so every page of the award is covered."""
    if required and user.is_authenticated and not has_second_factor(user):
        raise SecondFactorRequired(award_name)


# --- The authenticator app ---------------------------------------------------------------


def _wait_message(device: TOTPDevice) -> str | None:
    """Why the app's code cannot be checked right now (django-otp waits 1, 2, 4, … seconds
    after each wrong code), as a message; None when it can."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return ngettext(
        "Too many wrong codes in a row: please wait %(seconds)s second and try again.",
        "Too many wrong codes in a row: please wait %(seconds)s seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def _base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_setup_begin(*, user: User) -> TotpSetup:
    """A new key for an authenticator app, not active until ``totp_setup_confirm``; an
    earlier unfinished setup is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return TotpSetup(device=device, secret=_base32(device), uri=device.config_url)


SETUP_MINUTES = 15


def totp_setup_pending(user: User) -> TotpSetup | None:
    """The setup begun in the last ``SETUP_MINUTES``, or None."""
    since = timezone.now() - dt.timedelta(minutes=SETUP_MINUTES)
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gte=since)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return None
    return TotpSetup(device=device, secret=_base32(device), uri=device.config_url)


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_setup_confirm(*, user: User, code: str, request: HttpRequest) -> list[str]:
    """Activate the authenticator app with a code it shows; returns new recovery codes when
    the person had none (shown once).

    Side effects: SecurityEvent TOTP_ADDED; the person's other sessions end (they were not
    opened with the new factor); a second app replaces the first.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise SecondFactorInvalid(_("Please start the setup again."))
    wait = _wait_message(device)
    if wait:
        raise SecondFactorInvalid(wait)
    # Outside a transaction: a wrong code's throttling must stay recorded.
    if not device.verify_token(_digits(code)):
        raise SecondFactorInvalid(
            _(
                "This code is not right. Check the time on your phone and enter the code the "
                "app shows now."
            )
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        user._laurel_second_factor = True
        security_event_record(user=user, kind=SecurityEventKind.TOTP_ADDED, request=request)
        codes = (
            [] if _has_recovery_codes(user) else recovery_codes_create(user=user, request=request)
        )
        other_sessions_end(user, request)
    return codes


@transaction.atomic
def totp_remove(*, user: User, request: HttpRequest) -> None:
    """Remove the authenticator app. Side effects: SecurityEvent TOTP_REMOVED, and those of
    ``second_factor_removed``."""
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        user._laurel_second_factor = None
        security_event_record(user=user, kind=SecurityEventKind.TOTP_REMOVED, request=request)
    second_factor_removed(user=user, request=request)


def second_factor_removed(*, user: User, request: HttpRequest) -> None:
    """After an authenticator app or a passkey is removed: the recovery codes go when no
    second factor is left (nothing to recover), and the person's other sessions end (a
    change of the factors ends them, as a password change does)."""
    if not has_second_factor(user):
        RecoveryCode.objects.filter(user=user).delete()
    other_sessions_end(user, request)


# --- Recovery codes ------------------------------------------------------------------------


def _digest(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _digits(code: str) -> str:
    return "".join(ch for ch in str(code) if ch.isdigit())


def _has_recovery_codes(user: User) -> bool:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def recovery_codes_create(*, user: User, request: HttpRequest | None) -> list[str]:
    """Ten new one-time codes, replacing all earlier ones; returned once, stored as digests.
    Side effect: SecurityEvent RECOVERY_CODES_CREATED."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=_digest(code)) for code in codes]
    )
    security_event_record(user=user, kind=SecurityEventKind.RECOVERY_CODES_CREATED, request=request)
    return codes


# --- The second step of a login ----------------------------------------------------------


def second_factor_verify(*, user: User, code: str, request: HttpRequest) -> str:
    """Check a code typed at the second step of a login: one from the authenticator app, or
    an unused recovery code (used up by this). Returns ``"totp"`` or ``"recovery"``.

    A wrong code is a failed login for django-axes (``user_login_failed``), so the same
    throttle as for passwords applies, and a SecurityEvent SECOND_FACTOR_FAILED is recorded
    (outside any transaction: a refusal must not roll its own record back).
    """
    typed = code.strip()
    digits = _digits(typed)
    device = totp_device(user)
    wait = None
    if device is not None and digits and digits == typed.replace(" ", ""):
        wait = _wait_message(device)
        if wait is None and device.verify_token(digits):
            return "totp"
    elif typed and _recovery_code_use(user=user, code=typed, request=request):
        return "recovery"
    security_event_record(user=user, kind=SecurityEventKind.SECOND_FACTOR_FAILED, request=request)
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    raise SecondFactorInvalid(wait or _("This code is not right. Please try again."))


@transaction.atomic
def _recovery_code_use(*, user: User, code: str, request: HttpRequest) -> bool:
    """Use up the unused recovery code ``code`` of ``user``; False when there is none.
    Side effect: SecurityEvent RECOVERY_CODE_USED with the number of codes left."""
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, digest=_digest(code), used_at__isnull=True)
        .first()
    )
    if recovery is None:
        return False
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    security_event_record(
        user=user,
        kind=SecurityEventKind.RECOVERY_CODE_USED,
        request=request,
        detail=str(recovery_codes_left(user)),
    )
    return True


def other_sessions_end(user: User, request: HttpRequest) -> None:
    """End the person's other sessions (``accounts.sessions``), keeping this one."""
    from .sessions import sessions_end_others

    sessions_end_others(user=user, keep_session_key=request.session.session_key, request=request)
