from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def navigation(request: HttpRequest) -> dict:
    """What the navigation offers the current user; evaluated only if a template asks."""
    user = request.user
    return {
        "nav_managed_awards": SimpleLazyObject(
            lambda: list(selectors.awards_managed_by(user).only("slug", "name", "edition"))
        ),
    }
