"""Writes on accounts: registration, verification, login lock, profile. Mails are rendered here.

Mails are sent the Django way; ``EMAIL_BACKEND`` puts them into the outbox (the
notifications app, which this app must not import), delivered after commit with retries.
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import PrivacyConsent, User
from .tokens import email_verification_token_make


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def account_mail_headers(*, template: str, language: str) -> dict[str, str]:
    """The headers of an account mail: its language, and its name in the outbox
    (``accounts.<template>``, read by the outbox's email backend)."""
    return {"Content-Language": language, "X-Laurel-Template": f"accounts.{template}"}


def account_mail_send(*, user: User, template: str, context: dict) -> None:
    """Render ``accounts/email/<template>_{subject,body}.txt`` in the user's language and send
    it: into the outbox, in the caller's transaction; delivered after commit."""
    language = user.preferred_language
    with translation.override(language):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=body,
            to=[user.email],
            headers=account_mail_headers(template=template, language=language),
        )
        message.send()


def verification_mail_send(*, user: User) -> None:
    """Send the link that verifies ``user.email`` (valid for EMAIL_VERIFICATION_TIMEOUT)."""
    token = email_verification_token_make(user)
    link = _absolute(reverse("accounts:verify_email", kwargs={"token": token}))
    days = settings.EMAIL_VERIFICATION_TIMEOUT // 86400
    account_mail_send(user=user, template="verify_email", context={"link": link, "days": days})


def user_register(
    *, email: str, full_name: str, password: str, preferred_language: str
) -> User | None:
    """Create an unverified account and send the verification mail.

    If the address already has an account, no second one is made: its owner gets a mail
    saying so (with a password-reset link), and the caller shows the same "check your mail"
    page either way, so registration cannot be used to find out who has an account.
    Returns the new user, or None when the address was taken.

    The form asks for consent to the privacy policy, so the new account's consent to the
    current version (``LAUREL_PRIVACY_VERSION``) is recorded with it; a taken address records
    nothing for the existing account (whoever typed it may not be its owner).

    The mail goes into the outbox in the same transaction as the account (both or
    neither), and is delivered after commit; the mail server being down changes nothing here.
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        account_mail_send(
            user=existing,
            template="already_registered",
            context={
                "login_link": _absolute(reverse("accounts:login")),
                "reset_link": _absolute(reverse("accounts:password_reset")),
            },
        )
        return None
    with transaction.atomic():
        user = User(email=email, full_name=full_name, preferred_language=preferred_language)
        user.set_password(password)
        user.full_clean()
        user.save()
        privacy_consent_record(user=user)
        verification_mail_send(user=user)
    return user


def privacy_consent_record(*, user: User, version: str | None = None) -> PrivacyConsent:
    """Record that ``user`` agreed to ``version`` of the privacy policy (the current one,
    ``LAUREL_PRIVACY_VERSION``, by default), with the moment. Idempotent: agreeing twice to
    the same version keeps the first moment."""
    consent, _created = PrivacyConsent.objects.get_or_create(
        user=user, version=version or settings.LAUREL_PRIVACY_VERSION
    )
    return consent


def user_verify_email(*, user: User) -> User:
    """Mark the address as verified (idempotent: the first verification time is kept)."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def user_login_lock_lift(*, user: User) -> None:
    """Forget the failed logins recorded for ``user`` (django-axes), lifting any lock on it."""
    axes_reset(username=user.email)


def user_update_profile(*, user: User, full_name: str, preferred_language: str) -> User:
    user.full_name = full_name
    user.preferred_language = preferred_language
    user.full_clean()
    user.save(update_fields=["full_name", "preferred_language"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def user_remember(*, user: User, key: str, value: object) -> User:
    """Keep ``value`` under ``key`` in what ``user``'s apps remember across sessions (e.g.
    ``"awards.last_managed"``). Writes only when the value changed: one UPDATE of that row,
    nothing else (no audit entry, no mail)."""
    if user.remembered.get(key) != value:
        user.remembered = {**user.remembered, key: value}
        user.save(update_fields=["remembered"])
    return user
