"""Signed, expiring tokens for the link in the email-verification mail."""

from django.conf import settings
from django.core import signing

from .models import User

_SALT = "laurel.accounts.email-verification"


def email_verification_token_make(user: User) -> str:
    # The address is part of the payload: a link sent to an old address cannot verify a new one.
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_SALT, compress=True)


def email_verification_token_read(token: str) -> User | None:
    """The user the token was made for, or None when it is forged, expired or outdated."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or user.email != payload.get("email"):
        return None
    return user
