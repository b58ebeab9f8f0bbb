"""A login in two steps: the password, then the second factor, with nothing logged in between.

After a right password, a person with a second factor is not logged in yet: the session only
remembers who passed the first step (``login_pending_start``), for five minutes. The second
step (a code from the app, a recovery code, or a passkey) ends with ``login_complete``, which
logs in as Django does (new session key, ``user_logged_in``: the throttle forgets the
failures, the session list gets its row) and records how.
"""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest

from core.links import safe_next

from .mfa import SECOND_FACTOR_SESSION_KEY
from .models import SecurityEventKind, User
from .security_events import security_event_record

PENDING_SECONDS = 5 * 60


def login_pending_start(request: HttpRequest, user: User, *, next_url: str) -> None:
    """Remember that ``user`` passed the password step (as which backend), and where the
    login leads afterwards."""
    request.session[SECOND_FACTOR_SESSION_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "at": time.time(),
        "next": next_url,
    }


def login_pending_user(request: HttpRequest) -> User | None:
    """The person between the two steps, or None (no first step, or more than five minutes
    ago: the password must be entered again)."""
    pending = request.session.get(SECOND_FACTOR_SESSION_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def login_complete(request: HttpRequest, user: User, *, method: str, next_url: str = "") -> str:
    """Log ``user`` in after their second step (``method``: ``totp``, ``recovery`` or
    ``passkey``); returns where the login leads: the ``next`` of the password step, else
    ``next_url`` (a login without password, by passkey), if it stays on this site.
    Side effect: SecurityEvent."""
    pending = request.session.pop(SECOND_FACTOR_SESSION_KEY, None) or {}
    backend = getattr(user, "backend", None) or pending.get(
        "backend", "django.contrib.auth.backends.ModelBackend"
    )
    login(request, user, backend=backend)
    kind = (
        SecurityEventKind.PASSKEY_LOGIN
        if method == "passkey"
        else SecurityEventKind.LOGIN_SECOND_FACTOR
    )
    security_event_record(user=user, kind=kind, request=request, detail=method)
    from django.conf import settings
    from django.shortcuts import resolve_url

    return safe_next(request, pending.get("next") or next_url) or resolve_url(
        settings.LOGIN_REDIRECT_URL
    )
