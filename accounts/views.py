from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.links import safe_next

from . import services
from .forms import LoginForm, ProfileForm, RegistrationForm, ResendVerificationForm
from .landing import landing_url
from .login_flow import login_pending_start
from .mfa import has_second_factor
from .models import User
from .tokens import email_verification_token_read


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm
    success_url = reverse_lazy("accounts:register_done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"preferred_language": self.request.LANGUAGE_CODE}

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=safe_next(self.request), **kwargs)

    def form_valid(self, form: RegistrationForm) -> HttpResponse:
        next_url = safe_next(self.request)
        if next_url:
            # Where to go after the address is confirmed (e.g. back to an invitation).
            self.request.session["after_verify_next"] = next_url
        services.user_register(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        self.request.session["registered_email"] = form.cleaned_data["email"]
        return super().form_valid(form)


class RegisterDoneView(TemplateView):
    template_name = "accounts/register_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            email=self.request.session.get("registered_email", ""), **kwargs
        )


class VerifyEmailView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        user = email_verification_token_read(token)
        if user is None:
            return render(request, "accounts/verify_email_invalid.html", status=400)
        already = user.is_verified
        services.user_verify_email(user=user)
        if already:
            messages.info(request, _("Your email address was already confirmed. Please log in."))
        else:
            messages.success(
                request, _("Thank you, your email address is confirmed. Please log in.")
            )
        next_url = request.session.pop("after_verify_next", "")
        login = reverse("accounts:login")
        return redirect(f"{login}?{urlencode({'next': next_url})}" if next_url else login)


class ResendVerificationView(FormView):
    template_name = "accounts/resend_verification.html"
    form_class = ResendVerificationForm

    def form_valid(self, form: ResendVerificationForm) -> HttpResponse:
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], is_active=True, email_verified_at=None
        ).first()
        if user is not None:
            services.verification_mail_send(user=user)
        # The same answer whether or not the address has an account.
        messages.info(
            self.request,
            _("If an unconfirmed account uses this address, we have sent it a new link."),
        )
        return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    """The password step. A person with a second factor is not logged in yet: the session
    remembers who passed this step (``login_flow``), and the second step follows."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if has_second_factor(user):
            login_pending_start(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:login_second_factor")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login leads when it names no (safe) ``next`` (``LOGIN_REDIRECT_URL``): the
    user's own home, as the apps registered it in ``accounts.landing``."""
    return redirect(landing_url(request))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the mailed link also lifts a login lock: the lockout page
    offers this as the way out, and whoever can read the mail owns the account. It ends
    every session of the account: whoever knew the old password is logged out everywhere."""

    def form_valid(self, form) -> HttpResponse:
        from .sessions import password_changed

        response = super().form_valid(form)
        services.user_login_lock_lift(user=form.user)
        password_changed(user=form.user, request=self.request, keep_session_key=None)
        return response


class ProfileView(LoginRequiredMixin, FormView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        services.user_update_profile(
            user=self.request.user,
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        # The confirmation already speaks the language just chosen.
        translation.activate(form.cleaned_data["preferred_language"])
        messages.success(self.request, _("Your profile is saved."))
        response = HttpResponseRedirect(self.get_success_url())
        _set_language_cookie(response, form.cleaned_data["preferred_language"])
        return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    from django.conf import settings

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


class LanguageSwitchView(View):
    """POST ``language`` (and ``next``): remember the choice in a cookie and, for a signed-in
    user, in the profile. ``next`` is followed only when it stays on this site."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        language = request.POST.get("language", "")
        next_url = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("home")
        response = HttpResponseRedirect(next_url)
        if language in dict(settings.LANGUAGES):
            _set_language_cookie(response, language)
            if request.user.is_authenticated:
                services.user_set_language(user=request.user, language=language)
        return response


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """django-axes' lockout response: 429 with the cool-off time the settings configure, and
    the real cause: this account had too many wrong passwords, or only the address the
    request comes from did (colleagues behind one company address share it)."""
    from django.conf import settings

    from .selectors import login_lock_is_on_account

    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field, "")
    context = {
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "account_locked": login_lock_is_on_account(
            request=request, username=User.objects.normalize_email(username).lower()
        ),
    }
    return render(request, "accounts/locked_out.html", context, status=429)
