"""What the OpenAPI schema says beyond the views themselves: how a token is sent (Bearer,
``ApiTokenAuthentication``) and the shape of every error answer (``ErrorSerializer``, for
``extend_schema(responses={404: ErrorSerializer, …})``). Imported by ``api.urls``, so the
extension is registered before any schema is generated."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "lrl_…",
            "description": str(
                _(
                    "A personal access token, created under “Your profile → API tokens”: "
                    "“Authorization: Bearer lrl_…”. It reaches one award, reads, or reads "
                    "and writes, until it expires or is revoked."
                )
            ),
        }


class ErrorSerializer(serializers.Serializer):
    """``{"detail": "…"}``: what went wrong, in the token user's language (public
    endpoints: the language of ``Accept-Language``)."""

    detail = serializers.CharField()


# The answers every endpoint may give besides its own, for ``extend_schema(responses=…)``.
PUBLIC_ERRORS = {404: ErrorSerializer, 429: ErrorSerializer}
TOKEN_ERRORS = {
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    429: ErrorSerializer,
}
