"""The person's API tokens, in their account (``/accounts/api-tokens/``): the list, a new
token (shown once, on the answer to the form, never again), and revoking one after a
confirmation. Pages, not API endpoints: a token is made by someone logged in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.forms import ConfirmForm, add_service_errors

from .. import selectors, services
from ..forms import ApiTokenForm
from ..models import ApiToken

app_name = "api_tokens"


def _token_of(request: HttpRequest, pk: int) -> ApiToken:
    """One of the person's own tokens; anyone else's is a 404."""
    return get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)


class TokenListView(LoginRequiredMixin, View):
    """Every token of the person: name, award, permissions, created, expires, last used,
    revoked (2 queries: the tokens, whether any award allows a new one)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "api/tokens.html",
            {
                "tokens": list(selectors.api_tokens_of(request.user)),
                "can_create": selectors.api_token_awards(request.user).exists(),
                "now": timezone.now(),
            },
        )


class TokenCreateView(LoginRequiredMixin, View):
    """A new token. The answer to the form shows it once (and is not kept by any cache);
    the database keeps only its digest."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "api/token_create.html", {"form": ApiTokenForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, plain = services.api_token_create(
                    user=request.user,
                    award=form.cleaned_data["award"],
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except services.TokenError as error:
                add_service_errors(form, error)
            else:
                response = render(
                    request, "api/token_created.html", {"token": token, "plain": plain}
                )
                response["Cache-Control"] = "no-store"
                return response
        return render(request, "api/token_create.html", {"form": form})


class TokenRevokeView(LoginRequiredMixin, View):
    """Revoke one of the person's tokens: the page says what happens, the form confirms."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = _token_of(request, pk)
        if token.revoked_at is not None:
            return redirect("api_tokens:list")
        return render(request, "api/token_revoke.html", {"token": token})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = _token_of(request, pk)
        if not ConfirmForm.confirmed(request.POST):
            return render(request, "api/token_revoke.html", {"token": token})
        services.api_token_revoke(token=token, actor=request.user)
        messages.success(
            request,
            _("The token “%(name)s” is revoked: it no longer opens anything.")
            % {"name": token.name},
        )
        return redirect("api_tokens:list")


urlpatterns = [
    path("", TokenListView.as_view(), name="list"),
    path("new/", TokenCreateView.as_view(), name="create"),
    path("<int:pk>/revoke/", TokenRevokeView.as_view(), name="revoke"),
]
