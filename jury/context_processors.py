from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def navigation(request: HttpRequest) -> dict:
    """The juries the current user sits on, for the navigation; evaluated only if a template
    asks."""
    user = request.user
    return {
        "nav_judged_awards": SimpleLazyObject(
            lambda: list(selectors.awards_judged_by(user).only("slug", "name", "edition"))
        ),
    }
