"""Proving that a person can read the mail of an address, with a short code sent there.

An invitation belongs to the address it was sent to. Whoever accepts it with an account of
another address must first type the code mailed to the invited address: holding the link is
not enough (links get forwarded, pasted into tickets, read over shoulders).

The code is not stored: it is an HMAC (keyed by ``SECRET_KEY``) of what it binds (the
invitation, the link's current nonce, the account that asked, the invited address) and of
a 15-minute window; a code from the current or the previous window is accepted, so a code
stays good for 15 to 30 minutes. Wrong guesses are counted per invitation and account in the
cache: after ``MAX_ATTEMPTS`` the code is refused until the window has passed, so 8 digits
cannot be guessed. Mails are limited per invitation and account, so the invited address
cannot be flooded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .models import User

WINDOW_SECONDS = 15 * 60
DIGITS = 8
MAX_ATTEMPTS = 5
MAX_MAILS = 3  # per invitation and account within two windows
_SALT = "laurel.accounts.address-code"


class AddressCodeRefused(ValidationError):
    """The code is wrong or too old, too many were tried, or too many mails were sent."""

    def __init__(self, message: str):
        super().__init__(message, code="address_code")


@dataclass(frozen=True)
class AddressClaim:
    """What a code binds: ``purpose`` and ``subject`` name the invitation (e.g.
    ``"jury-invitation"``, its id), ``nonce`` the link's current secret (a re-sent invitation
    makes older codes worthless), ``account`` who asks, ``email`` the invited address."""

    purpose: str
    subject: int
    nonce: str
    account: User
    email: str

    @property
    def is_own_address(self) -> bool:
        """Whether the account is the invited address itself (without case, as logins)."""
        return self.account.email.strip().lower() == self.email.strip().lower()

    def code(self, window: int) -> str:
        message = (
            f"{self.purpose}|{self.subject}|{self.nonce}|{self.account.pk}|"
            f"{self.email.strip().lower()}|{window}"
        )
        digest = salted_hmac(_SALT, message, algorithm="sha256").digest()
        return str(int.from_bytes(digest[:8], "big") % 10**DIGITS).zfill(DIGITS)

    def _key(self, what: str) -> str:
        return f"address-code:{what}:{self.purpose}:{self.subject}:{self.account.pk}"


def _window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def address_code_send(
    *, claim: AddressClaim, language: str, invitation_text: str, recipient_name: str = ""
) -> None:
    """Mail the code of ``claim`` to the invited address, in ``language``.

    ``invitation_text`` names what is being accepted, as a lazy string that is translated
    into ``language`` here (e.g. "the jury of the award “…”"); ``recipient_name`` greets the
    invited person when it is known. Side effect: a mail through
    the outbox (``accounts.address_code``), in the caller's transaction. Raises
    AddressCodeRefused after ``MAX_MAILS`` mails for the same invitation and account
    within half an hour.
    """
    key = claim._key("mails")
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        sent = 1
    if sent > MAX_MAILS:
        raise AddressCodeRefused(
            _(
                "A code has been sent to this address several times already. Please use the "
                "latest mail, or try again in half an hour."
            )
        )
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": SimpleNamespace(full_name=recipient_name),
            "code": claim.code(_window()),
            "account_email": claim.account.email,
            "invitation_text": str(invitation_text),
            "minutes": WINDOW_SECONDS // 60,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("accounts/email/address_code_subject.txt", context)
        body = render_to_string("accounts/email/address_code_body.txt", context)
        EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=body,
            to=[claim.email],
            headers={
                "Content-Language": language,
                "X-Laurel-Template": "accounts.address_code",
            },
        ).send()


def address_code_check(*, claim: AddressClaim, code: str) -> None:
    """Accept ``code`` for ``claim`` or raise AddressCodeRefused saying why.

    Counts every wrong code; after ``MAX_ATTEMPTS`` even the right one is refused until the
    counter expires (two windows), so that guessing cannot succeed.
    """
    key = claim._key("attempts")
    if (cache.get(key) or 0) >= MAX_ATTEMPTS:
        raise AddressCodeRefused(
            _(
                "Too many wrong codes. Please wait half an hour and ask for a new code, or "
                "log in with the invited address."
            )
        )
    typed = "".join(ch for ch in str(code) if ch.isdigit())
    now = _window()
    if typed and any(constant_time_compare(typed, claim.code(w)) for w in (now, now - 1)):
        cache.delete(key)
        return
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
    raise AddressCodeRefused(
        _(
            "This code is not right or has expired. Please check the latest mail or ask for a "
            "new code."
        )
    )


def address_confirm(*, claim: AddressClaim, code: str) -> str:
    """How the account of ``claim`` may accept the invitation: ``"account"`` when it is the
    invited address, ``"code"`` when ``code`` is right (``address_code_check``). Raises
    AddressCodeRefused saying what to do otherwise."""
    if claim.is_own_address:
        return "account"
    if not code.strip():
        raise AddressCodeRefused(
            _(
                "This invitation was sent to %(email)s. To accept it with this account, ask for "
                "a code to be sent to that address and enter it here, or log in as %(email)s."
            )
            % {"email": claim.email}
        )
    address_code_check(claim=claim, code=code)
    return "code"


def address_code_offer(
    *, claim: AddressClaim, language: str, invitation_text: str, recipient_name: str = ""
) -> None:
    """``address_code_send`` for an account of another address; ValidationError for the
    invited address's own account, which needs no code."""
    if claim.is_own_address:
        raise ValidationError(_("You are logged in with the invited address: no code is needed."))
    address_code_send(
        claim=claim,
        language=language,
        invitation_text=invitation_text,
        recipient_name=recipient_name,
    )
