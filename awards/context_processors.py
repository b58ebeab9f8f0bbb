from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core import pagecache

from . import selectors

# How long a user's lists stay in the cache at most; every change of an award, an organiser
# role or a jury seat renews them at once (``AwardsConfig.ready``, ``JuryConfig.ready``).
NAVIGATION_TTL_S = 3600


@dataclass(frozen=True)
class NavAward:
    """An edition in the "my awards" switcher: plain values, kept in the cache per user."""

    slug: str
    label: str
    seat_role: str = ""

    def __str__(self) -> str:
        return self.label


def user_navigation(user, name: str, read) -> list[NavAward]:
    """The list ``name`` of ``user``'s switcher: from the cache, or ``read()`` and kept
    there (scope "navigation", renewed by every change of an award, role or seat). A
    superuser manages every award: their lists are read each time."""
    if user.is_superuser:
        return read()
    return pagecache.cached_part(
        "navigation", f"{name}:{user.pk}", lambda: (read(), NAVIGATION_TTL_S)
    )


def navigation(request: HttpRequest) -> dict:
    """What the navigation offers the current user; evaluated only if a template asks.

    The editions they manage, newest first (one query, or none from the cache), for the
    "my awards" switcher, which also lists the juries of ``jury.context_processors``; and
    the edition the page belongs to (``nav_current``: ``area`` "manage" or "jury" and the
    ``slug``, read from the address, no query), which the switcher marks."""
    user = request.user

    def managed() -> list[NavAward]:
        return [
            NavAward(slug=award.slug, label=str(award))
            for award in selectors.awards_managed_by(user)
            .only("slug", "name", "edition")
            .order_by("-edition", "name", "pk")
        ]

    return {
        "nav_managed_awards": SimpleLazyObject(
            lambda: user_navigation(user, "managed", managed) if user.is_authenticated else []
        ),
        "nav_current": _current_edition(request),
    }


def _current_edition(request: HttpRequest) -> dict[str, str]:
    """The organiser's (``/manage/<slug>/…``) or jury's (``/jury/<slug>/…``) edition the page
    belongs to, else empty. URLs are strings: no app's views are imported."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match is not None else None
    if not slug:
        return {}
    for area in ("manage", "jury"):
        if match.route.startswith(f"{area}/"):
            return {"area": area, "slug": slug}
    return {}
