"""A juror's home after login: the dashboard of the newest edition on whose jury they have
an active seat (chair included). Registered with ``accounts.landing`` in
``JuryConfig.ready``, after the organisers' landing and before the applicants'."""

from django.http import HttpRequest
from django.urls import reverse

from . import selectors


def juror_landing(request: HttpRequest) -> str | None:
    """The jury dashboard of the newest edition the user judges; None if they judge none.
    One query."""
    award = (
        selectors.awards_judged_by(request.user)
        .only("slug", "edition")
        .order_by("-edition", "-pk")
        .first()
    )
    if award is None:
        return None
    return reverse("jury:dashboard", kwargs={"slug": award.slug})
