"""Agreeing to a new version of the privacy policy (``accounts.consent``): the page the
consent middleware sends a logged-in person to. Thin: parse, call the service, answer."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View

from core.links import safe_next

from . import services
from .consent import consent_current, consent_remember, current_version
from .forms import privacy_policy_link
from .models import PrivacyConsent


class PrivacyConsentView(LoginRequiredMixin, View):
    """The current policy, linked (what changed is on that page), with Accept and Log out.
    Accepting records the consent and returns to the page the person asked for."""

    template_name = "accounts/privacy_consent.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if consent_current(request):
            return redirect(safe_next(request) or "accounts:start")
        return render(
            request,
            self.template_name,
            {
                "policy_link": privacy_policy_link(),
                "version": current_version(),
                "changed": PrivacyConsent.objects.filter(user=request.user).exists(),
                "next": safe_next(request),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        services.privacy_consent_record(user=request.user, version=current_version())
        consent_remember(request)
        return redirect(safe_next(request) or "accounts:start")


urlpatterns = [
    path("privacy/consent/", PrivacyConsentView.as_view(), name="privacy_consent"),
]
