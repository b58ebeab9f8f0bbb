"""A person's logged-in sessions: recorded at login, seen on their sessions page, ended by
them (one, or all others) and by a password change or reset.

Sessions live in the session store (``SESSION_ENGINE``: ``cached_db``, the cache written
through to the database); a ``UserSession`` row beside each one says whose it is and what it
looks like to its owner (device, address, when). Ending a session deletes it from the store
(cache and database), so its browser is logged out on its next request, and deletes its row.

"Last seen" is written at most every ``TOUCH_INTERVAL`` per session: the session itself
remembers when it was last written (read from the cache with the session, no query), so a
page view normally adds no query at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SecurityEventKind, User, UserSession
from .security_events import client_address, security_event_record, user_agent

# How often "last seen" is written for one session, at most.
TOUCH_INTERVAL = timedelta(minutes=5)
# Kept in the session itself: when its row was last written (epoch seconds), and for which
# session key (a password change, like a login, gives the session a new key: the row follows).
SEEN_AT = "_laurel_seen_at"
RECORDED_KEY = "_laurel_recorded_key"


# --- Reading the request ------------------------------------------------------------------


def _store(session_key: str) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


# --- Devices ------------------------------------------------------------------------------

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari", Android
# also says "Linux", an iPhone also says "Mac OS X".
_BROWSERS: tuple[tuple[str, str], ...] = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Version/[\d.]+.*Safari/", "Safari"),
)
_SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"Windows", "Windows"),
    (r"Android", "Android"),
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"CrOS", "ChromeOS"),
    (r"Macintosh|Mac OS X", "macOS"),
    (r"Linux|X11", "Linux"),
)


def _first_match(patterns: tuple[tuple[str, str], ...], user_agent: str) -> str:
    for pattern, name in patterns:
        if re.search(pattern, user_agent):
            return name
    return ""


def device_name(user_agent: str) -> str:
    """A device as its owner recognises it, from the browser's user agent: "Firefox on
    Windows", "Chrome on Android", "Safari on iPhone"; "Unknown device" when neither the
    browser nor the system can be told. Simple patterns, good for the common browsers only:
    the name helps a person recognise their own devices, it proves nothing."""
    browser = _first_match(_BROWSERS, user_agent)
    system = _first_match(_SYSTEMS, user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


# --- Reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    """One session as its owner sees it on the sessions page."""

    pk: int
    device: str
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def sessions_of(user: User, current_key: str | None) -> list[SessionRow]:
    """``user``'s sessions, the one of ``current_key`` (this browser) first, then the most
    recently seen. Sessions not seen for ``SESSION_COOKIE_AGE`` have expired in the store
    and are left out. 1 query."""
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = [
        SessionRow(
            pk=row.pk,
            device=device_name(row.user_agent),
            ip_address=row.ip_address,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=bool(current_key) and row.session_key == current_key,
        )
        for row in UserSession.objects.filter(user=user, last_seen_at__gte=cutoff)
    ]
    return sorted(rows, key=lambda row: not row.is_current)  # stable: seen order kept


# --- Writes -------------------------------------------------------------------------------


def _record_row(*, user: User, session_key: str, request: HttpRequest, now: datetime) -> None:
    # Two first requests of one session may arrive together: the second adds nothing.
    UserSession.objects.bulk_create(
        [
            UserSession(
                user=user,
                session_key=session_key,
                created_at=now,
                last_seen_at=now,
                ip_address=client_address(request),
                user_agent=user_agent(request),
            )
        ],
        ignore_conflicts=True,
    )


def _remember_written(request: HttpRequest, now: datetime) -> None:
    request.session[SEEN_AT] = int(now.timestamp())
    request.session[RECORDED_KEY] = request.session.session_key


def session_record(request: HttpRequest, user: User) -> None:
    """Record the session a login has just started (receiver of ``user_logged_in``; the
    login has already given the session its new key). A previous row of the same browser
    (a second login without logging out) is replaced. Also forgets ``user``'s rows of
    sessions that have expired meanwhile."""
    session = request.session
    if session.session_key is None:
        session.save()
    now = timezone.now()
    previous = session.get(RECORDED_KEY)
    with transaction.atomic():
        cutoff = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        stale = UserSession.objects.filter(user=user, last_seen_at__lt=cutoff)
        if previous and previous != session.session_key:
            stale = stale | UserSession.objects.filter(user=user, session_key=previous)
        stale.delete()
        _record_row(user=user, session_key=session.session_key, request=request, now=now)
    _remember_written(request, now)


def session_touch(request: HttpRequest, *, force: bool = False) -> None:
    """Note that the logged-in session of ``request`` was just used: its row's "last seen"
    is written when ``TOUCH_INTERVAL`` has passed since the last write (or ``force``), and
    follows the session to a new key (a password change cycles it). A session logged in
    before sessions were recorded gets its row now.

    Costs no query while the interval runs: what it reads is in the session, which the
    cache holds. When it writes: one or two queries, and the session is saved.
    """
    session = request.session
    key = session.session_key
    if key is None or SESSION_KEY not in session:
        return
    now = timezone.now()
    seen = session.get(SEEN_AT)
    recorded = session.get(RECORDED_KEY)
    if (
        not force
        and recorded == key
        and isinstance(seen, int)
        and 0 <= now.timestamp() - seen < TOUCH_INTERVAL.total_seconds()
    ):
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return  # the session names a user who is gone or whose password changed
    rows = UserSession.objects.filter(user=user)
    updated = 0
    if recorded and recorded != key:
        updated = rows.filter(session_key=recorded).update(session_key=key, last_seen_at=now)
    if not updated:
        updated = rows.filter(session_key=key).update(last_seen_at=now)
    if not updated:
        _record_row(user=user, session_key=key, request=request, now=now)
    _remember_written(request, now)


def session_forget(request: HttpRequest | None, user: User | None) -> None:
    """Forget the row of a session that is logging out (receiver of ``user_logged_out``,
    sent before the session is emptied)."""
    if request is None or user is None:
        return
    keys = {request.session.session_key, request.session.get(RECORDED_KEY)} - {None}
    if keys:
        UserSession.objects.filter(user=user, session_key__in=keys).delete()


def _end(*, user: User, rows: QuerySet[UserSession], request: HttpRequest | None) -> int:
    """Delete the sessions of ``rows`` from the store (cache and database), then the rows.
    The session of ``request`` itself (a reset by mail while logged in) is emptied through
    the request, which would otherwise save it again at the end. Not undone by a rollback:
    a session ended once stays ended (its row is then a stale one, left out of the list
    when it expires)."""
    keys = list(rows.values_list("session_key", flat=True))
    current = request.session.session_key if request is not None else None
    for key in keys:
        if key == current:
            request.session.flush()
        else:
            _store(key).delete()
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def sessions_end_others(
    *, user: User, keep_session_key: str | None, request: HttpRequest | None
) -> int:
    """End every session of ``user`` but the one of ``keep_session_key`` (``None``: all of
    them, as after a password reset by mail). Each ended browser is logged out on its next
    request. Returns how many were ended.

    Side effects: the sessions are deleted from the store and their rows; the current row
    first follows a new session key of ``request`` (``session_touch``); a
    ``SESSIONS_ENDED`` security event with the count, when there was any.
    """
    if request is not None and keep_session_key is not None:
        session_touch(request, force=True)
    rows = UserSession.objects.filter(user=user)
    if keep_session_key is not None:
        rows = rows.exclude(session_key=keep_session_key)
    count = _end(user=user, rows=rows, request=request)
    if count:
        security_event_record(
            user=user, kind=SecurityEventKind.SESSIONS_ENDED, request=request, detail=str(count)
        )
    return count


@transaction.atomic
def session_end(*, user: User, pk: int, request: HttpRequest) -> None:
    """End one other session of ``user`` (the row ``pk``). A row that is not ``user``'s, or
    is the current session (logging out is the way to end that one), is a 404: an address
    reveals nothing. Side effects: as ``sessions_end_others``, for one session."""
    rows = UserSession.objects.filter(user=user, pk=pk)
    if request.session.session_key:
        rows = rows.exclude(session_key=request.session.session_key)
    if not rows.exists():
        raise Http404
    _end(user=user, rows=rows, request=request)
    security_event_record(
        user=user, kind=SecurityEventKind.SESSIONS_ENDED, request=request, detail="1"
    )


@transaction.atomic
def password_changed(*, user: User, request: HttpRequest, keep_session_key: str | None) -> int:
    """After ``user``'s password was changed (in the profile, or reset from the mailed link):
    every other session is ended — Django only stops trusting them, their rows and store
    entries would remain. ``keep_session_key`` is the session that changed it (``None`` after
    a reset by mail: there is none). Returns how many sessions were ended.

    Side effects: those of ``sessions_end_others``; a ``PASSWORD_CHANGED`` security event.
    """
    count = sessions_end_others(user=user, keep_session_key=keep_session_key, request=request)
    security_event_record(
        user=user, kind=SecurityEventKind.PASSWORD_CHANGED, request=request, detail=""
    )
    return count
