"""Writes of personal access tokens: creating one (the plain token is returned once and
never stored) and revoking one. Each leaves an entry on the award's change log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import has_second_factor
from accounts.models import User
from awards.models import Award
from awards.services import audit_log

from .models import ApiToken, TokenScope
from .selectors import api_token_awards
from .tokens import token_digest, token_make, token_prefix


class TokenError(ValidationError):
    """A token that cannot be created or revoked as asked."""


def max_days() -> int:
    return settings.LAUREL_API_TOKEN_MAX_DAYS


@transaction.atomic
def api_token_create(
    *, user: User, award: Award, name: str, scope: str, expires_in_days: int
) -> tuple[ApiToken, str]:
    """A new token of ``user`` for ``award``, valid ``expires_in_days`` days (1 to
    ``LAUREL_API_TOKEN_MAX_DAYS``). Returns the row and the plain token, which exists only in
    this answer: the database keeps its digest and its first characters.

    Refused (``TokenError`` at the field) for an award ``user`` has no role in, or one that
    requires a second factor ``user`` has not set up.

    Side effects: the audit entry ``api.token_created`` on the award's log (name, scope,
    expiry, prefix; never the token)."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, so that you can tell it apart later.")
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose what the token may do: read, or read and write.")
    if not 1 <= expires_in_days <= max_days():
        errors["expires_in_days"] = _("A token is valid for 1 to %(max)d days.") % {
            "max": max_days()
        }
    if not api_token_awards(user).filter(pk=award.pk).exists():
        errors["award"] = _(
            "You can create a token only for an award you organise, judge or have an entry in."
        )
    elif award.mfa_required and not has_second_factor(user):
        # A token must not open what the award keeps behind a second factor.
        errors["award"] = _(
            "This award requires a second factor: set one up under “Login and security” "
            "before you create a token for it."
        )
    if errors:
        raise TokenError(errors)
    plain = token_make()
    token = ApiToken.objects.create(
        user=user,
        award=award,
        name=name,
        scope=scope,
        prefix=token_prefix(plain),
        digest=token_digest(plain),
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
    )
    audit_log(
        award=award,
        actor=user,
        action="api.token_created",
        target=token,
        data={
            "name": token.name,
            "scope": token.scope,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke ``token`` (``actor`` is its owner; callers find it through the owner's tokens).
    From now on it is refused with a 401. Revoking it again changes nothing.

    Side effects: the audit entry ``api.token_revoked`` on the award's log (the first time
    only)."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    if changed:
        audit_log(
            award=token.award,
            actor=actor,
            action="api.token_revoked",
            target=token,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token
