"""The site's URL map with two addresses that fail on purpose, for tests/config/
test_error_pages.py (``@pytest.mark.urls``). ``handler500`` is the site's."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def forbidden(request: HttpRequest):
    raise PermissionDenied


def broken(request: HttpRequest):
    raise RuntimeError("broken on purpose")


urlpatterns = [
    path("test-errors/forbidden/", forbidden),
    path("test-errors/broken/", broken),
    *site_urlpatterns,
]
