"""The REST API, version 1, included at ``/api/v1/``: the schema and its documentation, the
public endpoints, and the endpoints of one award (``awards/<slug>/``, a token's)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions

from . import schema  # noqa: F401  (registers the Bearer token with the schema)
from .views import public

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; ``?format=json`` for JSON), for everyone."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar). Its settings come
    from a script of their own (``?script``), and its page has no inline style: it runs
    under the site's Content-Security-Policy (``script-src 'self'``, ``style-src 'self'``)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *public.urlpatterns,
    path("awards/<slug:slug>/", include("api.award_urls")),
]
