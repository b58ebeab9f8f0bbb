from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def navigation(request: HttpRequest) -> dict:
    """What the navigation offers the current user; evaluated only if a template asks.

    The editions they manage, newest first (one query), for the "my awards" switcher, which
    also lists the juries of ``jury.context_processors``; and the edition the page belongs
    to (``nav_current``: ``area`` "manage" or "jury" and the ``slug``, read from the
    address, no query), which the switcher marks."""
    user = request.user
    return {
        "nav_managed_awards": SimpleLazyObject(
            lambda: list(
                selectors.awards_managed_by(user)
                .only("slug", "name", "edition")
                .order_by("-edition", "name", "pk")
            )
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
