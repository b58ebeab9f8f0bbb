"""Error pages people can read: Laurel's 403, 404 and 500 (``templates/403.html``,
``404.html``, ``500.html``) in the page's language, in the site's layout, on a developer's
machine too.

With DEBUG off Django shows these templates itself (``handler500`` is ``server_error``
below: the 500 page is rendered without the request and without the database, only the
settings' legal links). With DEBUG on (local settings) Django shows its technical pages for
a 404 and a 500 instead; with ``LAUREL_FRIENDLY_ERRORS`` on (the local default) the
``FriendlyErrorsMiddleware`` shows the friendly pages there too, and Django's technical page
only when the address carries ``?debug`` (the friendly page links to it). A 500's traceback
goes to the console (the ``django.request`` logger) either way. A 403 is always the friendly
page: Django has no technical one.
"""

import logging
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve

from .context_processors import legal_links

logger = logging.getLogger("django.request")

# ``?debug`` in the address shows Django's technical page (DEBUG on only).
DEBUG_PARAMETER = "debug"


def server_error(request: HttpRequest | None = None, *, technical_url: str = "") -> HttpResponse:
    """``handler500``: ``500.html``, rendered without the request's context processors and
    without touching the database (whatever failed may be the database). It speaks the
    language the request was answered in (LocaleMiddleware already chose it)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({**legal_links(), "technical_url": technical_url})
    )


def _technical_url(request: HttpRequest) -> str:
    """This address with ``?debug``: Django's technical page (GET and HEAD only)."""
    if request.method not in ("GET", "HEAD"):
        return ""
    query = request.GET.copy()
    query[DEBUG_PARAMETER] = "1"
    return f"{quote(request.path)}?{query.urlencode()}"


def _resolves(request: HttpRequest) -> bool:
    try:
        resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return True


class FriendlyErrorsMiddleware:
    """With DEBUG and ``LAUREL_FRIENDLY_ERRORS`` on, answers a 404 and a 500 with the
    friendly pages instead of Django's technical ones, unless the address has ``?debug``.
    Does nothing with DEBUG off (Django shows the friendly pages itself)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and self._active(request)
            and not getattr(response, "_laurel_friendly", False)
            and not _resolves(request)
        ):
            # No URL pattern matched: Django answered with its technical 404 page (a view's
            # own 404 answer, for an address that matched, is left alone).
            return self._not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not self._active(request):
            return None
        if isinstance(exception, Http404):
            return self._not_found(request)
        if isinstance(
            exception, (PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)
        ):
            return None  # Django's own handlers: 403.html, the 400 page
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        response = server_error(request, technical_url=_technical_url(request))
        response._has_been_logged = True  # with its traceback, above: Django logs no second line
        return response

    @staticmethod
    def _active(request: HttpRequest) -> bool:
        return (
            settings.DEBUG
            and settings.LAUREL_FRIENDLY_ERRORS
            and DEBUG_PARAMETER not in request.GET
        )

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
        # The context Django's page_not_found gives 404.html, and the technical page's link.
        response = render(
            request,
            "404.html",
            {"request_path": quote(request.path), "technical_url": _technical_url(request)},
            status=404,
        )
        response._laurel_friendly = True
        return response
