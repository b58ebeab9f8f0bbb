"""A person's logged-in sessions: see them, end the others; a password change ends them too.

The writes are in ``accounts.sessions``; these views parse, call one service and answer."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from . import sessions


class SessionsView(LoginRequiredMixin, TemplateView):
    """Where the person is logged in: device, address, since when, last seen."""

    template_name = "accounts/sessions.html"

    def get_context_data(self, **kwargs):
        # A session older than the recording has its row from now on, shown at once.
        sessions.session_touch(self.request)
        rows = sessions.sessions_of(self.request.user, self.request.session.session_key)
        return super().get_context_data(
            sessions=rows, others=sum(1 for row in rows if not row.is_current), **kwargs
        )


class SessionEndView(LoginRequiredMixin, View):
    """End one other session (the form asks first, in the browser)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        sessions.session_end(user=request.user, pk=pk, request=request)
        messages.success(request, _("The session is ended: that device is logged out."))
        return redirect("accounts:sessions")


class SessionsEndOthersView(LoginRequiredMixin, View):
    """End every session but this one."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        count = sessions.sessions_end_others(
            user=request.user, keep_session_key=request.session.session_key, request=request
        )
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d other session is ended: that device is logged out.",
                    "%(count)d other sessions are ended: those devices are logged out.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("You are not logged in anywhere else."))
        return redirect("accounts:sessions")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (which keeps this session logged in), and then every other
    session of the person is ended: whoever used the old password elsewhere is out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        count = sessions.password_changed(
            user=form.user,
            request=self.request,
            keep_session_key=self.request.session.session_key,
        )
        if count:
            messages.info(
                self.request,
                ngettext(
                    "%(count)d other device has been logged out.",
                    "%(count)d other devices have been logged out.",
                    count,
                )
                % {"count": count},
            )
        return response


urlpatterns = [
    path("sessions/", SessionsView.as_view(), name="sessions"),
    path("sessions/<int:pk>/end/", SessionEndView.as_view(), name="session_end"),
    path("sessions/end-others/", SessionsEndOthersView.as_view(), name="sessions_end_others"),
    path("password/change/", PasswordChangeView.as_view(), name="password_change"),
]
