"""Where a person lands after logging in: their own home, not the public landing page.

Apps that give a person a home register it here, so that this app depends on none of them
(``awards``: the edition an organiser last managed; ``jury``: the juror's dashboard;
``submissions``: the applicant's entries). The landings are asked in the order of their
rank, lowest first, and the first that answers with an address wins.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse

Landing = Callable[[HttpRequest], str | None]
_LANDINGS: dict[str, tuple[int, Landing]] = {}


def landing_register(name: str, *, rank: int, landing: Landing) -> None:
    """Register ``landing`` (the signed-in user's home address, or None if it has none for
    them) under ``name``; registering a name again replaces it."""
    _LANDINGS[name] = (rank, landing)


def landing_url(request: HttpRequest) -> str:
    """The signed-in user's home: the first registered landing that has one, else the public
    landing page."""
    for _rank, landing in sorted(_LANDINGS.values(), key=lambda item: item[0]):
        url = landing(request)
        if url:
            return url
    return reverse("home")
