"""The Content-Security-Policy middleware: django-csp's, with two rules added.

* A response that carries a policy of its own keeps that one alone: a protected download
  (``core.http.protected_file``) or the winners widget, whose ``frame-ancestors`` lists the
  organiser's sites. django-csp already leaves such a ``Content-Security-Policy`` as it is,
  but in report-only mode it would add the site's policy as
  ``Content-Security-Policy-Report-Only``, and browsers would report as violations what the
  response's own policy rightly allows (the widget framed by a listed site).
* The site's policy goes on documents a browser could run something in (HTML, XHTML, SVG,
  XML), not on pictures, CSV or JSON. Opened on its own, a picture is shown by the browser's
  viewer, which styles it with ``style`` attributes that ``style-src 'self'`` would refuse
  and report, for a file in which nothing can run anyway (``nosniff`` is on everywhere).
"""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponseBase

DOCUMENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
)


def is_document(response: HttpResponseBase) -> bool:
    """Whether the response is something a browser could run a script in."""
    content_type = response.get("Content-Type", "text/html").split(";")[0].strip().lower()
    return content_type in DOCUMENT_TYPES


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """``csp.middleware.CSPMiddleware`` with the two rules above (settings: base.py)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # django-csp's own switches for "no header (of that kind) on this response".
        if HEADER in response:
            response._csp_exempt_ro = True
        elif not is_document(response):
            response._csp_exempt = True
            response._csp_exempt_ro = True
        return super().process_response(request, response)
