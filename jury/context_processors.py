from django.db.models import F
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from awards.context_processors import NavAward, user_navigation

from . import selectors


def navigation(request: HttpRequest) -> dict:
    """The juries the current user sits on, newest edition first, each with the user's
    ``seat_role`` (juror or chair), for the "my awards" switcher; one query (none from the
    cache: ``awards.context_processors.user_navigation``), evaluated only if a template
    asks."""
    user = request.user

    def judged() -> list[NavAward]:
        return [
            NavAward(slug=award.slug, label=str(award), seat_role=award.seat_role)
            for award in selectors.awards_judged_by(user)
            # The filter's join to the user's own seat (one per award) gives its role.
            .annotate(seat_role=F("jurors__role"))
            .only("slug", "name", "edition")
            .order_by("-edition", "name", "pk")
        ]

    return {
        "nav_judged_awards": SimpleLazyObject(
            lambda: user_navigation(user, "judged", judged) if user.is_authenticated else []
        ),
    }
