"""``Authorization: Bearer lrl_…``: the token's user, with ``request.auth`` the ``ApiToken``
(its award and scope). An unknown, expired or revoked token is a 401; so is a token whose
user can no longer log in. The last use is recorded at most once a minute per token."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .tokens import PREFIX, token_digest

LAST_USE_EVERY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _space, token = header.partition(" ")
        if keyword != self.keyword or not token.startswith(PREFIX):
            raise exceptions.AuthenticationFailed(_("Send the token as “Bearer lrl_…”."))
        found = (
            ApiToken.objects.select_related("user", "award")
            .filter(digest=token_digest(token.strip()))
            .first()
        )
        now = timezone.now()
        if found is None or found.revoked_at is not None or found.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        if not found.user.is_active or found.user.erased_at is not None:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        if found.last_used_at is None or now - found.last_used_at >= LAST_USE_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user, found

    def authenticate_header(self, request) -> str:
        return self.keyword
