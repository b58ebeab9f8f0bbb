"""An organiser's home after login: the overview of the edition they managed last.

Remembered in two places:

- per browser, while they work: every organiser page (``OrganiserView``) sets a signed
  cookie naming the user and the edition, when the edition changes. A cookie, not the
  session: writing the session costs queries on the page that switches editions, and
  organiser pages run a fixed number of queries (their tests count them);
- per user, across browsers and sessions: ``User.remembered`` (a plain award id under
  ``REMEMBERED_KEY``; no foreign key, accounts knows nothing of awards), written from the
  cookie when the user logs out and when they land after a login.

``organiser_landing`` is registered with ``accounts.landing`` and ``remembered_persist``
with ``user_logged_out`` in ``AwardsConfig.ready``.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import User
from accounts.services import user_remember

from . import selectors
from .models import Award

COOKIE = "laurel_edition"
COOKIE_SALT = "awards.last_managed"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
REMEMBERED_KEY = "awards.last_managed"


def _from_cookie(request: HttpRequest, user: User) -> int | None:
    """The edition this browser's cookie names for ``user`` (None if none, or another
    user's, or tampered with)."""
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    user_id, _, award_id = value.partition(":")
    if user_id != str(user.pk) or not award_id.isdigit():
        return None
    return int(award_id)


def managed_award_remember(request: HttpRequest, response: HttpResponse, award: Award) -> None:
    """Remember on ``response`` that ``request.user`` managed ``award`` last: sets the
    cookie when it names another edition or user. No query."""
    if _from_cookie(request, request.user) == award.pk:
        return
    response.set_signed_cookie(
        COOKIE,
        f"{request.user.pk}:{award.pk}",
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remembered_persist(request: HttpRequest | None, user: User | None) -> int | None:
    """Copy the edition this browser remembers for ``user`` into ``User.remembered`` (one
    UPDATE, only when it changed) and return it; else what was remembered there before."""
    if request is None or user is None or not user.is_authenticated:
        return None
    award_id = _from_cookie(request, user)
    if award_id is None:
        return user.remembered.get(REMEMBERED_KEY)
    user_remember(user=user, key=REMEMBERED_KEY, value=award_id)
    return award_id


def organiser_landing(request: HttpRequest) -> str | None:
    """The overview of the edition the user managed last (this browser's, else the one
    remembered across browsers), else of the newest edition they manage; None if they
    manage none."""
    last = remembered_persist(request, request.user)
    award = selectors.award_to_manage_first(request.user, last_id=last)
    if award is None:
        return None
    return reverse("awards:manage", kwargs={"slug": award.slug})


def on_logout(sender, request: HttpRequest | None, user: User | None, **kwargs) -> None:
    """``user_logged_out``: keep what this browser remembers before the session ends."""
    remembered_persist(request, user)
