"""Reads about accounts that are more than a lookup."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def login_lock_is_on_account(*, request: HttpRequest, username: str) -> bool:
    """Whether a refused login is refused because the *account* had too many wrong
    passwords (True) or only because the client's *address* did (False).

    django-axes locks on each of ``AXES_LOCKOUT_PARAMETERS`` separately and says only that
    one of them reached the limit; a colleague behind the same company address must not be
    told that their own account is locked. 1 query: the account's failures within the
    cool-off time, as axes counts them.
    """
    from axes.attempts import get_cool_off_threshold
    from axes.helpers import get_failure_limit
    from axes.models import AccessAttempt

    if not username:
        return False
    failures = (
        AccessAttempt.objects.filter(
            username=username.lower(), attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return failures >= get_failure_limit(request, {settings.AXES_USERNAME_FORM_FIELD: username})
