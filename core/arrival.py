"""When a request arrived: the moment the deadline of what it asks is judged by.

``ArrivalMiddleware`` (first in ``MIDDLEWARE``) notes the moment the request entered the
application, before sessions, authentication or any lock; ``arrival_of`` reads it. Reading
the time a trusted front proxy received the request (its header) is not built yet: until
then a request that waited for a free worker is judged from when a worker took it.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone


class ArrivalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.arrived_at = timezone.now()
        return self.get_response(request)


def arrival_of(request: HttpRequest) -> dt.datetime:
    """The moment ``request`` arrived (now for a request the middleware did not see)."""
    return getattr(request, "arrived_at", None) or timezone.now()
