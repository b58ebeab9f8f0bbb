"""The base of every endpoint of one award (``/api/v1/awards/<slug>/…``): the token's
award or 404, the scope for changes, and answers in the token user's language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, permissions

from accounts.mfa import has_second_factor
from awards.models import Award

from ..access import TokenScopeAllows, award_for


class LanguageMixin:
    """Messages in the language the token's user chose (German otherwise): from the moment
    the token is known, so that the refusals of the permissions (403) and the throttle (429)
    speak it too. A refused token (401) gets the language of ``Accept-Language``."""

    def perform_authentication(self, request):
        super().perform_authentication(request)
        user = request.user
        language = getattr(user, "preferred_language", "") if user else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language


class AwardAPIView(LanguageMixin, generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, TokenScopeAllows]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.award: Award = award_for(request, kwargs["slug"])
        # As on every page of the award: where it requires a second factor, a user without
        # one is refused, also with a token made before the requirement (or the factor's
        # removal).
        if self.award.mfa_required and not has_second_factor(request.user):
            raise exceptions.PermissionDenied(
                _(
                    "This award requires a second factor. Set one up on your security page "
                    "before using the API."
                )
            )
