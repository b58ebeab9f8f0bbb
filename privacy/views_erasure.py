"""Deleting one's own account (GDPR art. 17): what happens, then the password and a
confirmation; the writes are ``privacy.erasure``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .erasure import ErasureRefused, account_erase, erasure_blockers
from .forms import ErasureForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ErasureForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                account_erase(user=user, request=request)
            except ErasureRefused as error:
                form.add_error(None, error)
                status = 400
            else:
                logout(request)
                messages.success(request, _("Your account has been deleted."))
                return redirect("home")
        else:
            status = 400
    context = {"form": form, "blockers": erasure_blockers(user)}
    return render(request, "privacy/account_delete.html", context, status=status)


urlpatterns = [path("delete-account/", account_delete, name="account_delete")]
